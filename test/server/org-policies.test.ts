/**
 * Each organisation's policy configuration on the platform, on both backends: read with a read
 * token, changed with an admin one, checked as `scout policy --policy-file` checks a file (a
 * mistake is a 400 naming the line, and the stored configuration stays), stored per
 * organisation; a change judges every stored image again in batches of jobs, with history rows
 * and policy.changed events, and another organisation's images and configuration are untouched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageFacts } from '../../src/platform/image-facts.js';
import { pushBody } from '../../src/platform/push-body.js';
import type { ScoutEvent } from '../../src/notify/events.js';
import type { OrgPolicies } from '../../src/server/routes/v1/policies.js';
import type { ImageDetail, ImagePolicy, PolicyHistoryEntry } from '../../src/store/platform-store.js';
import { buildImage, writeOciLayout, type LayerSpec } from '../helpers/image-builder.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { gzipJson, testApi, type TestApi } from '../helpers/platform-app.js';
import { tempDir } from '../helpers/tmp.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ALPINE_LAYER: LayerSpec = { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\n', 'etc/alpine-release': '3.20.0\n' };

/** A non-root alpine image with a package of our own: it fails only supply-chain-attestations by default. */
async function pushImage(api: TestApi, token: string, repository: string, n: number): Promise<ImageDetail> {
  const im = await buildImage({ ...AMD64, user: 'app', layers: [ALPINE_LAYER, { 'app/node_modules/scout-test-pkg/package.json': JSON.stringify({ name: 'scout-test-pkg', version: '1.0.0', license: 'MIT' }), 'app/n.txt': `${n}\n` }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const facts = await imageFacts(`oci-dir://${dir}`, { platform: AMD64 }, { cache: false }, { secrets: false });
  const r = await api.call<{ image: ImageDetail }>({ method: 'POST', url: `/v1/images?repository=${repository}`, route: 'POST /v1/images', token, payload: gzipJson(pushBody(facts)), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.image;
}

const policyOf = async (api: TestApi, token: string, digest: string) =>
  (await api.call<{ current: ImagePolicy; history: PolicyHistoryEntry[] }>({ method: 'GET', url: `/v1/images/${digest}/policy`, route: 'GET /v1/images/:digest/policy', token })).body;

const put = (api: TestApi, token: string, config: string) => api.call<OrgPolicies>({ method: 'PUT', url: '/v1/policies', route: 'PUT /v1/policies', token, payload: { config } });

const CONFIG = [
  'policies:',
  '  supply-chain-attestations: false',
  '  no-fixable-critical-high: { severities: [critical], ageDays: 30 }',
  'custom:',
  '  - id: no-curl',
  '    title: No curl in the image',
  '    expression: packages.filter(p, p.name == "curl").map(p, p.purl)',
  '',
].join('\n');

for (const backend of BACKENDS) {
  test(`${backend}: an organisation's policy configuration: read, checked, stored, and every stored image judged again by it (in batches), other organisations untouched`, async (t) => {
    const api = await testApi(backend, t, { jobs: { reevaluateBatch: 2 } });
    const read = await api.tokenFor('acme', 'read');
    const write = await api.tokenFor('acme', 'write');
    const globex = await api.tokenFor('globex', 'admin');

    // The defaults before any change: every built-in policy on.
    const before = await api.call<OrgPolicies>({ method: 'GET', url: '/v1/policies', route: 'GET /v1/policies', token: read });
    assert.equal(before.status, 200);
    assert.equal(before.body.config, null);
    assert.equal(before.body.generation, 0);
    assert.equal(before.body.policies.length, 8);
    assert.ok(before.body.policies.every((p) => p.kind === 'builtin' && p.enabled));
    assert.deepEqual(before.body.policies.find((p) => p.id === 'no-fixable-critical-high')?.params, { severities: ['critical', 'high'], fixableOnly: true, packageTypes: [], ageDays: 0 });

    // Three images of acme (two batches of two), one of globex: each fails supply-chain-attestations.
    const images = [];
    for (let i = 0; i < 3; i++) images.push(await pushImage(api, api.admin, 'example/app', i));
    const theirs = await pushImage(api, globex, 'globex/app', 0);
    for (const im of [...images, theirs]) assert.equal(im.policy?.status, 'fail');

    // Only an admin changes it; a mistake names its line and changes nothing.
    assert.equal((await put(api, read, CONFIG)).status, 403);
    assert.equal((await put(api, write, CONFIG)).status, 403);
    const typo = await put(api, api.admin, 'policies:\n  non-root-user: {}\n  no-copyleft-licences: {}\n');
    assert.equal(typo.status, 400);
    assert.equal((typo.body as unknown as { code: string }).code, 'bad-policy-config');
    assert.match((typo.body as unknown as { message: string }).message, /^policies:3: unknown built-in policy "no-copyleft-licences" \(did you mean no-copyleft-licenses\?\)/);
    const cel = await put(api, api.admin, 'custom:\n  - id: broken\n    title: Broken\n    expression: |\n      packages.filter(p,\n        p.name == )\n');
    assert.equal(cel.status, 400);
    assert.match((cel.body as unknown as { message: string }).message, /^policies:6: custom policy broken: the CEL expression does not compile/);
    assert.equal((await api.call<OrgPolicies>({ method: 'GET', url: '/v1/policies', route: 'GET /v1/policies', token: read })).body.generation, 0);

    const saved = await put(api, api.admin, CONFIG);
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.config, CONFIG);
    assert.equal(saved.body.generation, 1);
    assert.ok(saved.body.job);
    const byId = new Map(saved.body.policies.map((p) => [p.id, p]));
    assert.equal(byId.get('supply-chain-attestations')?.enabled, false);
    assert.deepEqual(byId.get('no-fixable-critical-high')?.params, { severities: ['critical'], fixableOnly: true, packageTypes: [], ageDays: 30 });
    assert.deepEqual(byId.get('no-curl'), { id: 'no-curl', title: 'No curl in the image', kind: 'custom', enabled: true, weight: 2, fix: 'Change the image so that the expression holds.', expression: 'packages.filter(p, p.name == "curl").map(p, p.purl)' });
    await api.jobs!.queue.idle(undefined, 60_000);

    // Every acme image, in both batches, judged by the new configuration.
    for (const im of images) {
      const p = await policyOf(api, api.admin, im.digest);
      assert.equal(p.current.status, 'pass', im.digest);
      assert.deepEqual(p.current.results.map((r) => r.id), ['no-fixable-critical-high', 'no-high-profile-vulnerabilities', 'no-secrets', 'up-to-date-base-image', 'non-root-user', 'no-copyleft-licenses', 'approved-base-images', 'no-curl']);
      assert.deepEqual(p.history.map((h) => h.trigger), ['policy-config', 'push']);
    }
    const events = await api.call<{ items: ScoutEvent[] }>({ method: 'GET', url: '/v1/events?kind=policy.changed', route: 'GET /v1/events', token: read });
    assert.deepEqual(events.body.items.map((e) => e.image.digest).sort(), images.map((i) => i.digest).sort());
    const e = events.body.items[0];
    assert.equal(e.policy?.previousStatus, 'fail');
    assert.equal(e.policy?.status, 'pass');
    assert.deepEqual(
      e.policy?.policies.map((p) => [p.id, p.previous, p.status]).sort(),
      [['no-curl', null, 'pass'], ['supply-chain-attestations', 'fail', null]],
    );

    // globex: its own defaults, its image not judged again, no event.
    const theirsConfig = await api.call<OrgPolicies>({ method: 'GET', url: '/v1/policies', route: 'GET /v1/policies', token: globex });
    assert.equal(theirsConfig.body.config, null);
    assert.equal(theirsConfig.body.generation, 0);
    const theirPolicy = await policyOf(api, globex, theirs.digest);
    assert.equal(theirPolicy.current.status, 'fail');
    assert.deepEqual(theirPolicy.history.map((h) => h.trigger), ['push']);
    assert.equal((await api.call<{ items: ScoutEvent[] }>({ method: 'GET', url: '/v1/events?kind=policy.changed', route: 'GET /v1/events', token: globex })).body.items.length, 0);

    // A new push is judged by the configuration in force.
    const later = await pushImage(api, api.admin, 'example/app', 3);
    assert.equal(later.policy?.status, 'pass');

    // Back to the defaults: every acme image fails supply-chain-attestations again.
    const reset = await api.call<OrgPolicies>({ method: 'DELETE', url: '/v1/policies', route: 'DELETE /v1/policies', token: api.admin });
    assert.equal(reset.status, 200);
    assert.equal(reset.body.config, null);
    assert.equal(reset.body.generation, 2);
    await api.jobs!.queue.idle(undefined, 60_000);
    for (const im of [...images, later]) assert.equal((await policyOf(api, api.admin, im.digest)).current.status, 'fail');
    assert.deepEqual((await policyOf(api, api.admin, images[0].digest)).history.map((h) => h.trigger), ['policy-config', 'policy-config', 'push']);
  });
}
