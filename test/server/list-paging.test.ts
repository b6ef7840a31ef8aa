/**
 * The lists that used to come whole and now page by limit/cursor like every other list: tokens,
 * an image's layers, a repository's tags, webhooks, environments and advisory sources. On both
 * backends, each is walked at several page sizes through more rows than one page holds: every
 * row exactly once, in the order of the whole list; bad limits and cursors are a 400 naming
 * which; another organisation's rows never appear, even with this organisation's cursor.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnvironmentSummary, Webhook } from '../../src/store/kysely/activity-store.js';
import { OrgActivity } from '../../src/store/kysely/activity-store.js';
import type { Org, Page, RepositoryTag, StoredLayer } from '../../src/store/platform-store.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testApi, type TestApi } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { createTokenRow, tokenInfoOf } from '../../src/store/kysely/tokens.js';
import { npmAdvisory } from '../helpers/osv-record.js';

interface Token {
  id: string;
  name: string;
  createdAt: string;
}

interface Source {
  name: string;
  kind: string;
  records: number;
}

const n3 = (i: number) => String(i).padStart(3, '0');
const BAD = ['?limit=0', '?limit=501', '?limit=x', '?cursor=not-a-cursor', `?cursor=${Buffer.from('[1,2,3,4,5,6]').toString('base64url')}`];

/** A list route of one organisation: its URL (no query) and route name, and a token. */
interface List {
  api: TestApi;
  url: string;
  route: string;
  token: string;
}

const get = <T>(l: List, query: string, token = l.token) => l.api.call<Page<T> & { maxAgeDays?: number }>({ method: 'GET', url: `${l.url}${query}`, route: l.route, token });

/** Every page at this limit: only the last page short, and how many pages it took. */
async function walk<T>(l: List, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const p = await get<T>(l, `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.ok(p.body.items.length <= limit);
    if (p.body.next) assert.equal(p.body.items.length, limit, 'only the last page is short');
    items.push(...p.body.items);
    cursor = p.body.next;
    pages++;
  } while (cursor);
  return { items, pages };
}

/**
 * The paging contract of a list of `count` rows keyed by `key`: the whole list in one page of
 * 500, the default page of 50, the same rows in the same order at each limit, and the hostile
 * queries refused. Returns the whole list.
 */
async function pagesAlike<T>(l: List, key: (item: T) => string, count: number, limits: readonly number[]): Promise<T[]> {
  const whole = await get<T>(l, '?limit=500');
  assert.equal(whole.status, 200);
  assert.equal(whole.body.next, undefined);
  assert.equal(whole.body.items.length, count);
  assert.equal(new Set(whole.body.items.map(key)).size, count, 'no row twice');
  const first = await get<T>(l, '');
  assert.equal(first.body.items.length, Math.min(50, count), 'a page of 50 without a limit');
  assert.equal(first.body.next !== undefined, count > 50);
  for (const limit of limits) {
    const { items, pages } = await walk<T>(l, limit);
    assert.deepEqual(items.map(key), whole.body.items.map(key), `limit ${limit}: each row once, in the order of the whole list`);
    assert.equal(pages, Math.max(1, Math.ceil(count / limit)), `limit ${limit}`);
  }
  for (const q of BAD) {
    const r = await l.api.call<{ code: string; message: string }>({ method: 'GET', url: `${l.url}${q}`, route: l.route, token: l.token });
    assert.equal(r.status, 400, q);
    assert.match(r.body.message, /limit|cursor/, q);
  }
  return whole.body.items;
}

async function orgOf(api: TestApi, name: string): Promise<Org> {
  return api.platform.ensureOrg(name);
}

for (const backend of BACKENDS) {
  describe(`paged lists on ${backend}`, () => {
    test('GET /v1/tokens: oldest first, ties (same millisecond) broken by id; another organisation sees only its own', async (t) => {
      const api = await testApi(backend, t);
      const acmeOrg = await orgOf(api, 'acme');
      const acme = api.platform.forOrg(acmeOrg);
      // 60 more tokens made now, and 60 made at four instants 15 each: the id orders those.
      const made = [];
      for (let i = 0; i < 60; i++) made.push((await acme.createToken(`t${n3(i)}`, i % 3 ? 'read' : 'write')).info);
      const rows = Array.from({ length: 60 }, (_, i) => createTokenRow(acmeOrg.id, `s${n3(i)}`, 'read', new Date(Date.UTC(2026, 0, 1, 0, 0, i % 4))).row);
      await api.platform.db.insertInto('tokens').values(rows).execute();
      made.push(...rows.map(tokenInfoOf));
      await acme.revokeToken(made[7].id);
      const other = await api.tokenFor('globex');
      const theirs = api.platform.forOrg(await orgOf(api, 'globex'));
      await theirs.createToken('theirs', 'read');
      const l: List = { api, url: '/v1/tokens', route: 'GET /v1/tokens', token: api.admin };
      const whole = await pagesAlike<Token>(l, (x) => x.id, 121, [1, 7, 50]);
      assert.deepEqual(new Set(whole.map((x) => x.id)), new Set([...made.map((x) => x.id), ...whole.filter((x) => x.name === 'test').map((x) => x.id)]));
      // By creation; within a millisecond by id (tok_ and hex: one order in every collation).
      const byKey = (x: Token) => `${x.createdAt} ${x.id}`;
      assert.deepEqual(whole.map(byKey), whole.map(byKey).sort());
      assert.deepEqual(whole.slice(0, 15).map((x) => x.createdAt), Array(15).fill('2026-01-01T00:00:00.000Z'), 'the oldest first');
      assert.ok(whole.some((x) => x.name === 't007' && 'revokedAt' in x), 'revoked tokens are listed, marked');
      // globex: its own two, even with acme's cursor (a cursor is only a sort key).
      const mine = await get<Token>(l, '?limit=500', other);
      assert.deepEqual(mine.body.items.map((x) => x.name).sort(), ['test', 'theirs']);
      const acmeNext = (await get<Token>(l, '?limit=2')).body.next!;
      for (const x of (await get<Token>(l, `?limit=500&cursor=${acmeNext}`, other)).body.items) assert.ok(['test', 'theirs'].includes(x.name));
      assert.equal((await get<Token>(l, '', await api.tokenFor('acme', 'read'))).status, 403, 'admin scope, as before');
    });

    test('GET /v1/images/{digest}/layers: bottom first by position; another organisation gets 404, or its own copy', async (t) => {
      const api = await testApi(backend, t);
      const names = Array.from({ length: 130 }, (_, i) => `l${n3(i)}`);
      const up = uploadOf({ layers: names, repository: 'tall', tags: ['1'] });
      await api.platform.forOrg(await orgOf(api, 'acme')).putImage(up);
      const digest = up.metadata.digest;
      const l: List = { api, url: `/v1/images/${digest}/layers`, route: 'GET /v1/images/:digest/layers', token: api.admin };
      const whole = await pagesAlike<StoredLayer>(l, (x) => x.chainId, 130, [1, 7, 50]);
      assert.deepEqual(whole.map((x) => x.position), names.map((_, i) => i));
      assert.deepEqual(whole.map((x) => x.diffId), up.metadata.layers.map((x) => x.diffId));
      const other = await api.tokenFor('globex');
      assert.equal((await get(l, '?limit=5', other)).status, 404, 'not its image');
      assert.equal((await get(l, `?limit=5&cursor=${(await get(l, '?limit=5')).body.next}`, other)).status, 404);
      // The same digest pushed by globex too: its own rows, all of them.
      await api.platform.forOrg(await orgOf(api, 'globex')).putImage(up);
      assert.deepEqual((await walk<StoredLayer>({ ...l, token: other }, 40)).items.map((x) => x.chainId), whole.map((x) => x.chainId));
      assert.equal((await get(l, '?limit=x')).status, 400);
      assert.equal((await get({ ...l, url: `/v1/images/sha256:${'9'.repeat(64)}/layers` }, '')).status, 404);
    });

    test('GET /v1/repositories/{name}/tags: current tags by name, moved ones once; another organisation\'s repository of that name apart', async (t) => {
      const api = await testApi(backend, t);
      const acme = api.platform.forOrg(await orgOf(api, 'acme'));
      const tags = Array.from({ length: 110 }, (_, i) => `v${n3(i)}`);
      const a = uploadOf({ layers: ['a'], repository: 'team/app', tags: tags.slice(0, 100) });
      const b = uploadOf({ layers: ['b'], repository: 'team/app', tags: tags.slice(95) });
      await acme.putImage(a);
      await acme.putImage(b); // v095…v099 move to b: their rows for a are closed, not listed
      assert.equal(await acme.untag('team/app', 'v050'), true);
      const globex = api.platform.forOrg(await orgOf(api, 'globex'));
      await globex.putImage(uploadOf({ layers: ['c'], repository: 'team/app', tags: ['x-theirs'] }));
      const l: List = { api, url: `/v1/repositories/${encodeURIComponent('team/app')}/tags`, route: 'GET /v1/repositories/:name/tags', token: api.admin };
      const whole = await pagesAlike<RepositoryTag>(l, (x) => x.tag, 109, [1, 7, 50]);
      assert.deepEqual(whole.map((x) => x.tag), tags.filter((x) => x !== 'v050'));
      assert.deepEqual(whole.map((x) => x.digest), whole.map((x) => (x.tag < 'v095' ? a.metadata.digest : b.metadata.digest)));
      const other = await api.tokenFor('globex');
      assert.deepEqual((await get<RepositoryTag>(l, '?limit=500', other)).body.items.map((x) => x.tag), ['x-theirs']);
      assert.deepEqual((await get<RepositoryTag>(l, `?cursor=${(await get(l, '?limit=3')).body.next}`, other)).body.items.map((x) => x.tag), ['x-theirs'], 'acme\'s cursor: still only its own');
      assert.equal((await get(l, '', await api.tokenFor('initech'))).status, 404);
    });

    test('GET /v1/webhooks: oldest first; another organisation sees only its own', async (t) => {
      const api = await testApi(backend, t);
      const acme = new OrgActivity(api.platform.db, await orgOf(api, 'acme'));
      const made: Webhook[] = [];
      for (let i = 0; i < 75; i++) made.push((await acme.addWebhook({ url: `https://hooks.example.com/${n3(i)}`, format: i % 2 ? 'slack' : 'json', ...(i % 5 ? {} : { kinds: ['image.pushed'] }) })).webhook);
      const other = await api.tokenFor('globex');
      await new OrgActivity(api.platform.db, await orgOf(api, 'globex')).addWebhook({ url: 'https://theirs.example.com/', format: 'json' });
      const l: List = { api, url: '/v1/webhooks', route: 'GET /v1/webhooks', token: api.admin };
      const whole = await pagesAlike<Webhook>(l, (x) => x.id, 75, [1, 7, 50]);
      assert.deepEqual(new Set(whole.map((x) => x.id)), new Set(made.map((x) => x.id)));
      assert.deepEqual(whole.map((x) => x.createdAt), whole.map((x) => x.createdAt).sort(), 'by creation');
      assert.deepEqual(whole.find((x) => x.id === made[5].id), made[5]);
      assert.deepEqual((await get<Webhook>(l, '?limit=500', other)).body.items.map((x) => x.url), ['https://theirs.example.com/']);
      assert.deepEqual((await get<Webhook>(l, `?cursor=${(await get(l, '?limit=3')).body.next}`, other)).body.items.map((x) => x.url), ['https://theirs.example.com/']);
    });

    test('GET /v1/environments: by name, each counted; environments with nothing running left out; another organisation apart', async (t) => {
      const api = await testApi(backend, t);
      const inventory = (token: string, environment: string, workloads: { name: string; ref: string }[]) =>
        api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token, payload: { environment, cluster: 'c0', workloads: workloads.map((w) => ({ namespace: 'ns', name: w.name, type: 'Deployment', images: [{ ref: w.ref }] })) } });
      // 70 environments, env-i running i % 4 + 1 workloads on two images; env-gone emptied since.
      for (let i = 0; i < 70; i++) {
        const r = await inventory(api.admin, `env-${n3(i)}`, Array.from({ length: (i % 4) + 1 }, (_, j) => ({ name: `w${j}`, ref: `shop/app:${j % 2}` })));
        assert.equal(r.status, 200);
      }
      await inventory(api.admin, 'env-gone', [{ name: 'w', ref: 'x:1' }]);
      await inventory(api.admin, 'env-gone', []);
      const other = await api.tokenFor('globex');
      await inventory(other, 'env-000', [{ name: 'theirs', ref: 'x:1' }]);
      const l: List = { api, url: '/v1/environments', route: 'GET /v1/environments', token: api.admin };
      const whole = await pagesAlike<EnvironmentSummary>(l, (x) => x.name, 70, [1, 7, 50]);
      assert.deepEqual(whole.map((x) => x.name), Array.from({ length: 70 }, (_, i) => `env-${n3(i)}`));
      assert.deepEqual(whole.map((x) => [x.workloads, x.images]), Array.from({ length: 70 }, (_, i) => [(i % 4) + 1, i % 4 ? 2 : 1]));
      const theirs = await get<EnvironmentSummary>(l, '?limit=500', other);
      assert.deepEqual(theirs.body.items.map((x) => [x.name, x.workloads]), [['env-000', 1]]);
      assert.deepEqual((await get<EnvironmentSummary>(l, `?cursor=${(await get(l, '?limit=1')).body.next}`, other)).body.items, [], 'acme\'s cursor resumes after env-000, where globex has nothing');
      // One query a page, whatever its size (not two more for each environment on it).
      let queries = 0;
      // Counted by results: Kysely transforms each subquery's node too, but a result is one query's.
      const counting = api.platform.db.withPlugin({ transformQuery: (a) => a.node, transformResult: async (a) => (queries++, a.result) });
      const acme = new OrgActivity(counting, await orgOf(api, 'acme'));
      for (const limit of [1, 7, 70]) {
        queries = 0;
        const p = await acme.listEnvironments({ limit });
        assert.deepEqual(p.items, whole.slice(0, limit), `limit ${limit}`);
        assert.equal(queries, 1, `limit ${limit}: one query`);
      }
    });

    test('GET /v1/advisory-sources: by name, counted, the same for every organisation', async (t) => {
      const api = await testApi(backend, t);
      // Sources besides the examples' own, so small pages page through several.
      for (const name of ['zz-extra-1', 'aa-extra-2', 'mm-extra-3']) {
        await api.advisories.importBatch({ kind: 'advisories', source: { name, kind: 'advisories' }, mode: 'replace', records: [await npmAdvisory(`${name.toUpperCase()}-1`, `pkg-${name}`, '1.0.0', name)] });
      }
      const status = await api.advisories.status();
      const names = status.sources.map((s) => s.name).sort((a, b) => (a < b ? -1 : 1));
      assert.ok(names.length >= 4);
      const l: List = { api, url: '/v1/advisory-sources', route: 'GET /v1/advisory-sources', token: api.admin };
      const whole = await pagesAlike<Source>(l, (x) => x.name, names.length, [1, 2, 3]);
      assert.deepEqual(whole.map((x) => x.name), names);
      assert.deepEqual(whole.map((x) => x.records), names.map((n) => status.sources.find((s) => s.name === n)!.count));
      assert.equal(whole.find((x) => x.name === 'mm-extra-3')?.records, 1);
      const p = await get<Source>(l, '?limit=2');
      assert.equal(typeof p.body.maxAgeDays, 'number', 'maxAgeDays on every page');
      // Public data: another organisation's read token pages the same list.
      assert.deepEqual((await walk<Source>({ ...l, token: await api.tokenFor('globex', 'read') }, 2)).items.map((x) => x.name), names);
    });
  });
}
