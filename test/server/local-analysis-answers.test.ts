// Local analysis remembers each organisation's answers per purl while the advisory data is
// unchanged (src/server/purl-answers.ts). Proven here: replies served from memory equal a fresh
// match of the same request, in any order of purls; an import makes the next reply see the new
// advisory; one organisation's memory never answers another; an answer made while the store
// failed is sent but not remembered; the reply's JSON is assembled from each purl's findings
// serialised once; an advisory posted to one server is seen by the next local analysis of that
// server and of a second one on the same database (another process's connections and memory).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Advisory } from '../../src/advisories/model.js';
import { openServerAdvisories } from '../../src/server/advisories.js';
import { buildApp } from '../../src/server/app.js';
import { analyzeLocally, analyzeLocallyJson, type MatchReply, type MatchReplySerializers } from '../../src/server/analyze.js';
import { PurlAnswers } from '../../src/server/purl-answers.js';
import type { AdvisoryStore } from '../../src/store/advisory-store.js';
import { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';
import { npmAdvisory, testOsv } from '../helpers/osv-record.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testApi } from '../helpers/platform-app.js';
import { demoImageSbom } from '../helpers/sbom-of.js';

let purls: string[] = [];
let layerDigests: string[] = [];
before(async () => {
  const demo = await demoImageSbom();
  // The demo's packages, a purl nobody can read, and one of a type no advisory database covers.
  purls = [...demo.packages.map((p) => p.purl), 'not a purl', 'pkg:unknowntype/thing@1.0'];
  layerDigests = demo.image!.layers.map((l) => l.diffId);
});

/** An advisory for an npm package at every version below 99: a new finding once imported. */
const newAdvisory = (name: string): Promise<Advisory> => npmAdvisory('GHSA-test-test-test', name, '99.0.0', 'a vulnerability imported after the first answers');

for (const backend of BACKENDS) {
  describe(`local analysis answers on ${backend}`, () => {
    test('replies from memory equal a fresh match, in any order; an import is seen by the next reply', async (t) => {
      const api = await testApi(backend, t);
      const org = api.platform.forOrg(await api.platform.ensureOrg('acme'));
      const ask = async (list: string[]) => {
        const r = await api.call<MatchReply>({ method: 'POST', url: '/v1/match', route: 'POST /v1/match', token: api.admin, payload: { purls: list, layerDigests } });
        assert.equal(r.status, 200);
        return r.body;
      };
      const fresh = async (list: string[]) => JSON.parse(JSON.stringify(await analyzeLocally({ purls: list, layerDigests }, api.advisories, org))) as MatchReply;

      const first = await ask(purls);
      assert.ok(first.findings.length > 0, 'the demo image has findings');
      assert.deepEqual(first.notMatchable.slice(0, 1), [{ purl: 'not a purl', code: 'bad-purl', reason: 'not a package URL' }], 'unreadable purls first');
      assert.ok(first.notMatchable.some((n) => n.purl === 'pkg:unknowntype/thing@1.0' && n.code === 'unsupported-type'));
      assert.deepEqual(first, await fresh(purls));
      const again = await ask(purls);
      assert.deepEqual(again, first, 'answered from memory, the same');
      // Half remembered, half new (reversed, with repeats): still what one fresh match answers.
      const mixed = [...purls].reverse().concat(purls.slice(0, 3), ['pkg:npm/left-pad@1.3.0']);
      assert.deepEqual(await ask(mixed), await fresh(mixed));

      const npm = purls.find((p) => p.startsWith('pkg:npm/') && !first.findings.some((f) => f.purl === p));
      assert.ok(npm, 'an npm package of the demo without findings');
      const name = decodeURIComponent(npm.slice('pkg:npm/'.length, npm.lastIndexOf('@')));
      await api.advisories.importBatch({ kind: 'advisories', source: { name: 'test-feed', kind: 'advisories' }, mode: 'merge', records: [await newAdvisory(name)] });
      const after = await ask(purls);
      assert.deepEqual(after.findings.filter((f) => f.purl === npm).map((f) => f.id), ['GHSA-test-test-test'], 'the new advisory is matched');
      assert.deepEqual(after, await fresh(purls));
    });

    test('an advisory posted to one server is in the next local analysis of it and of another server on the same database', async (t) => {
      const api = await testApi(backend, t, { jobs: {} });
      // A second server as another process runs it: stores of its own (connections, remembered
      // answers) on the same database, the same token.
      const advisories = await openServerAdvisories(api.location);
      const platform = await KyselyPlatformStore.open(api.location);
      const other = await buildApp({ platform, advisories, purlAnswers: new PurlAnswers(advisories) });
      t.after(async () => {
        await other.close();
        await platform.close();
        await advisories.close();
      });
      const list = [...purls, 'pkg:npm/scout-test-pkg@1.0.0'];
      const ask = async (app: typeof other) => {
        const r = await app.inject({ method: 'POST', url: '/v1/match', headers: { authorization: `Bearer ${api.admin}` }, payload: { purls: list, layerDigests } });
        assert.equal(r.statusCode, 200, r.body);
        return JSON.parse(r.body) as MatchReply;
      };
      const ids = (reply: MatchReply) => reply.findings.filter((f) => f.purl === 'pkg:npm/scout-test-pkg@1.0.0').map((f) => f.id);
      // Each server answers twice, so the second answer (and the one after the post) comes from memory.
      for (const app of [api.app, other]) {
        await ask(app);
        assert.deepEqual(ids(await ask(app)), [], 'no advisory names scout-test-pkg yet');
      }
      const before = await ask(api.app);
      const post = await api.call<{ inserted: number }>({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: [testOsv('SCOUT-LOCAL-1', 'CVE-2099-0301', '1.5.0')] });
      assert.equal(post.status, 202);
      assert.equal(post.body.inserted, 1);
      for (const [name, app] of [['the server posted to', api.app], ['another server', other]] as const) {
        const after = await ask(app);
        assert.deepEqual(ids(after), ['CVE-2099-0301'], `${name} answers the new advisory`);
        assert.deepEqual(after.findings.filter((f) => f.purl !== 'pkg:npm/scout-test-pkg@1.0.0'), before.findings, `${name}: the other findings are unchanged`);
      }
    });
  });
}

test('one organisation\'s answers never answer another\'s; an answer made while the store failed is not remembered', async (t) => {
  const api = await testApi('sqlite', t);
  let failing = true;
  // The real store, whose lookups fail while `failing` is set.
  const flaky = new Proxy(api.advisories as AdvisoryStore, {
    get(target, prop) {
      const v = Reflect.get(target, prop) as unknown;
      if (prop === 'lookup') return (...args: [string, string]) => (failing ? Promise.reject(new Error('connection lost')) : target.lookup(...args));
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const answers = new PurlAnswers(flaky);
  const acme = api.platform.forOrg(await api.platform.ensureOrg('acme'));
  const other = api.platform.forOrg(await api.platform.ensureOrg('other'));
  const req = { purls, layerDigests };
  const broken = await analyzeLocally(req, flaky, acme, answers);
  assert.equal(broken.findings.length, 0, 'no lookup answered');
  failing = false;
  const whole = await analyzeLocally(req, flaky, acme, answers);
  assert.ok(whole.findings.length > 0, 'the failed answers were not remembered');
  assert.deepEqual(whole, await analyzeLocally(req, flaky, acme));
  // acme's answers are remembered now; `other` has none of them.
  const generation = await answers.current();
  assert.ok(generation !== undefined);
  assert.ok(purls.every((p) => answers.get(acme.org.id, p)), 'every purl of acme remembered');
  assert.ok(purls.every((p) => answers.get(other.org.id, p) === undefined), 'none for another organisation');
  assert.deepEqual(await analyzeLocally(req, flaky, other, answers), whole);
});

test('the JSON reply is the structured reply, and a remembered purl\'s findings are serialised once', async (t) => {
  const api = await testApi('sqlite', t);
  const org = api.platform.forOrg(await api.platform.ensureOrg('acme'));
  const answers = new PurlAnswers(api.advisories);
  const serialized: number[] = [];
  // Plain JSON.stringify stands in for the schema's serialisers; what is counted is how many
  // findings each reply serialises.
  const serialize: MatchReplySerializers = {
    findings: (list) => {
      serialized[serialized.length - 1] += list.length;
      return JSON.stringify(list);
    },
    notMatchable: (list) => JSON.stringify(list),
    baseImage: (base) => JSON.stringify(base),
  };
  const req = { purls: [...purls, purls[0]], layerDigests };
  const reply = async () => {
    serialized.push(0);
    return JSON.parse((await analyzeLocallyJson(req, api.advisories, org, answers, serialize)).toString('utf8')) as MatchReply;
  };
  const first = await reply();
  const expected = JSON.parse(JSON.stringify(await analyzeLocally(req, api.advisories, org))) as MatchReply;
  assert.ok(expected.findings.length > 0);
  assert.deepEqual(first, expected);
  assert.equal(serialized[0], expected.findings.length, 'each finding serialised once (the repeated purl is answered once)');
  assert.deepEqual(await reply(), expected);
  assert.equal(serialized[1], 0, 'answered from memory: nothing serialised again');
  // An import moves the data on: the next reply works the answers, and their JSON, out afresh.
  const npm = purls.find((p) => p.startsWith('pkg:npm/') && !expected.findings.some((f) => f.purl === p))!;
  await api.advisories.importBatch({ kind: 'advisories', source: { name: 'test-feed', kind: 'advisories' }, mode: 'merge', records: [await newAdvisory(decodeURIComponent(npm.slice('pkg:npm/'.length, npm.lastIndexOf('@'))))] });
  const after = await reply();
  assert.equal(serialized[2], expected.findings.length + 1);
  assert.deepEqual(after, JSON.parse(JSON.stringify(await analyzeLocally(req, api.advisories, org))));
});
