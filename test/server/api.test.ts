import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { writeScoutJson } from '../../src/sbom/formats/scout-json.js';
import type { Sbom } from '../../src/sbom/model.js';
import type { ImageDetail, Page, StoredFinding, Usage } from '../../src/store/platform-store.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { gzipJson, testApi } from '../helpers/platform-app.js';
import { testOsv } from '../helpers/osv-record.js';
import { demoImageSbom } from '../helpers/sbom-of.js';

let demo: Sbom;
before(async () => {
  demo = await demoImageSbom();
});

const DIGEST = () => demo.image!.digest;
const push = (body: Buffer | string, query = '', headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: `/v1/images${query}`,
  route: 'POST /v1/images',
  payload: body,
  headers: { 'content-type': 'application/json', ...headers },
});

for (const backend of BACKENDS) {
  describe(`platform API on ${backend}`, () => {
    test('a missing, wrong or revoked token is a 401 with no detail; scopes are enforced', async (t) => {
      const api = await testApi(backend, t);
      for (const token of [undefined, 'scout_wrong', 'garbage']) {
        const r = await api.call({ method: 'GET', url: '/v1/images', route: 'GET /v1/images', ...(token ? { token } : {}) });
        assert.equal(r.status, 401);
        assert.deepEqual(r.body, { code: 'unauthorized', message: 'unauthorized' });
      }
      const read = await api.tokenFor('acme', 'read');
      const r = await api.call({ ...push(gzipJson(JSON.parse(writeScoutJson(demo)))), token: read, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
      assert.equal(r.status, 403);
      const me = await api.call<{ org: { name: string }; token: { scope: string } }>({ method: 'GET', url: '/v1/whoami', route: 'GET /v1/whoami', token: read });
      assert.equal(me.status, 200);
      assert.equal(me.body.org.name, 'acme');
      assert.equal(me.body.token.scope, 'read');
      const tokens = await api.call<{ items: { id: string; scope: string }[] }>({ method: 'GET', url: '/v1/tokens', route: 'GET /v1/tokens', token: api.admin });
      const readId = tokens.body.items.find((x) => x.scope === 'read')!.id;
      assert.equal((await api.call({ method: 'GET', url: '/v1/tokens', route: 'GET /v1/tokens', token: read })).status, 403);
      const created = await api.call<{ token: string }>({ method: 'POST', url: '/v1/tokens', route: 'POST /v1/tokens', token: api.admin, payload: { name: 'ci', scope: 'write' } });
      assert.equal(created.status, 201);
      assert.match(created.body.token, /^scout_/);
      assert.equal((await api.call({ method: 'DELETE', url: `/v1/tokens/${readId}`, route: 'DELETE /v1/tokens/:id', token: api.admin })).status, 204);
      assert.equal((await api.call({ method: 'GET', url: '/v1/images', route: 'GET /v1/images', token: read })).status, 401, 'revoked');
    });

    test('push: gzip body, findings matched and stored, idempotent by digest; reads return what was pushed', async (t) => {
      const api = await testApi(backend, t);
      const body = gzipJson(JSON.parse(writeScoutJson(demo)));
      const first = await api.call<{ created: boolean; image: ImageDetail }>({ ...push(body, '?repository=demo/app&tag=1.0&tag=latest', { 'content-encoding': 'gzip' }), token: api.admin });
      assert.equal(first.status, 201);
      assert.equal(first.body.created, true);
      assert.equal(first.body.image.digest, DIGEST());
      assert.deepEqual(first.body.image.tags, ['1.0', 'latest']);
      assert.deepEqual(first.body.image.metadata, JSON.parse(JSON.stringify(demo.image)), 'the metadata comes back whole');
      assert.deepEqual(first.body.image.distro, JSON.parse(JSON.stringify(demo.distro)));
      const counts = first.body.image.vulnerabilities;
      assert.ok(counts.critical + counts.high + counts.medium + counts.low > 0, 'the demo image has known vulnerabilities');
      const tables = await api.platform.tableCounts();
      const again = await api.call<{ created: boolean; image: ImageDetail }>({ ...push(JSON.stringify(JSON.parse(writeScoutJson(demo)))), token: api.admin });
      assert.equal(again.status, 200, 'a plain (not gzipped) body works too');
      assert.equal(again.body.created, false);
      assert.deepEqual(await api.platform.tableCounts(), tables, 'pushing the same digest again adds nothing');

      // Every package comes back with every field.
      const pkgs: unknown[] = [];
      let cursor: string | undefined;
      do {
        const r = await api.call<Page<unknown>>({ method: 'GET', url: `/v1/images/${DIGEST()}/packages?limit=40${cursor ? `&cursor=${cursor}` : ''}`, route: 'GET /v1/images/:digest/packages', token: api.admin });
        assert.equal(r.status, 200);
        pkgs.push(...r.body.items);
        cursor = r.body.next;
      } while (cursor);
      assert.deepEqual(pkgs, JSON.parse(writeScoutJson(demo)).packages);

      const layers = await api.call<{ items: { diffId: string }[] }>({ method: 'GET', url: `/v1/images/${DIGEST()}/layers`, route: 'GET /v1/images/:digest/layers', token: api.admin });
      assert.deepEqual(layers.body.items.map((l) => l.diffId), demo.image!.layers.map((l) => l.diffId));

      const findings = await api.call<Page<StoredFinding>>({ method: 'GET', url: `/v1/images/${DIGEST()}/findings?limit=500`, route: 'GET /v1/images/:digest/findings', token: api.admin });
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      assert.equal(findings.body.items.length, total);
      const lodash = findings.body.items.find((f) => f.packageName === 'lodash');
      assert.ok(lodash, 'lodash 4.17.15 is vulnerable');

      const usage = await api.call<Page<Usage>>({ method: 'GET', url: `/v1/vulnerabilities/${lodash.vulnerabilityId}`, route: 'GET /v1/vulnerabilities/:id', token: api.admin });
      assert.deepEqual(usage.body.items.map((u) => [u.digest, u.repository, u.purl]), [[DIGEST(), 'demo/app', lodash.purl]]);
      const byAlias = lodash.ids.find((i) => i !== lodash.vulnerabilityId);
      if (byAlias) assert.equal((await api.call<Page<Usage>>({ method: 'GET', url: `/v1/vulnerabilities/${byAlias}`, route: 'GET /v1/vulnerabilities/:id', token: api.admin })).body.items.length, 1);
      const where = await api.call<Page<Usage>>({ method: 'GET', url: `/v1/packages?purl=${encodeURIComponent('pkg:npm/lodash')}`, route: 'GET /v1/packages', token: api.admin });
      assert.deepEqual(where.body.items.map((u) => u.purl), [lodash.purl]);

      const repos = await api.call<Page<{ name: string; tags: string[] }>>({ method: 'GET', url: '/v1/repositories', route: 'GET /v1/repositories', token: api.admin });
      assert.deepEqual(repos.body.items.map((r) => [r.name, r.tags]), [['demo/app', ['1.0', 'latest']]]);
      const list = await api.call<Page<{ digest: string }>>({ method: 'GET', url: '/v1/images?repository=demo%2Fapp', route: 'GET /v1/images', token: api.admin });
      assert.deepEqual(list.body.items.map((i) => i.digest), [DIGEST()]);
    });

    test('another organisation\'s image is a 404, on every route', async (t) => {
      const api = await testApi(backend, t);
      await api.call({ ...push(JSON.stringify(JSON.parse(writeScoutJson(demo))), '?repository=demo/app&tag=1'), token: api.admin });
      const evil = await api.tokenFor('evil', 'admin');
      for (const [url, route] of [
        [`/v1/images/${DIGEST()}`, 'GET /v1/images/:digest'],
        [`/v1/images/${DIGEST()}/layers`, 'GET /v1/images/:digest/layers'],
        [`/v1/images/${DIGEST()}/packages`, 'GET /v1/images/:digest/packages'],
        [`/v1/images/${DIGEST()}/findings`, 'GET /v1/images/:digest/findings'],
      ]) {
        const r = await api.call<{ code: string }>({ method: 'GET', url, route, token: evil });
        assert.equal(r.status, 404, url);
        assert.equal(r.body.code, 'not-found');
      }
      assert.equal((await api.call({ method: 'DELETE', url: `/v1/images/${DIGEST()}`, route: 'DELETE /v1/images/:digest', token: evil })).status, 404);
      assert.equal((await api.call({ method: 'DELETE', url: '/v1/repositories/demo%2Fapp', route: 'DELETE /v1/repositories/:name', token: evil })).status, 404);
      assert.deepEqual((await api.call<Page<unknown>>({ method: 'GET', url: '/v1/images', route: 'GET /v1/images', token: evil })).body.items, []);
      assert.deepEqual((await api.call<Page<unknown>>({ method: 'GET', url: '/v1/repositories', route: 'GET /v1/repositories', token: evil })).body.items, []);
      assert.deepEqual((await api.call<Page<unknown>>({ method: 'GET', url: `/v1/packages?purl=${encodeURIComponent('pkg:npm/lodash')}`, route: 'GET /v1/packages', token: evil })).body.items, []);
      // The owner still has it.
      assert.equal((await api.call({ method: 'GET', url: `/v1/images/${DIGEST()}`, route: 'GET /v1/images/:digest', token: api.admin })).status, 200);
    });

    test('deleting the image, the repository or the organisation leaves no row behind', async (t) => {
      const api = await testApi(backend, t);
      const empty = await api.platform.tableCounts();
      const body = JSON.stringify(JSON.parse(writeScoutJson(demo)));
      await api.call({ ...push(body, '?repository=demo/app&tag=1'), token: api.admin });
      assert.equal((await api.call({ method: 'DELETE', url: `/v1/images/${DIGEST()}`, route: 'DELETE /v1/images/:digest', token: api.admin })).status, 204);
      assert.deepEqual(await api.platform.tableCounts(), empty);
      await api.call({ ...push(body, '?repository=demo/app&tag=1'), token: api.admin });
      assert.equal((await api.call({ method: 'DELETE', url: '/v1/repositories/demo%2Fapp', route: 'DELETE /v1/repositories/:name', token: api.admin })).status, 204);
      assert.deepEqual(await api.platform.tableCounts(), empty);
      const other = await api.tokenFor('other', 'admin');
      await api.call({ ...push(body, '?repository=x&tag=1'), token: other });
      assert.equal((await api.call({ method: 'DELETE', url: '/v1/org', route: 'DELETE /v1/org', token: other })).status, 204);
      assert.deepEqual(await api.platform.tableCounts(), empty);
      assert.equal((await api.call({ method: 'GET', url: '/v1/images', route: 'GET /v1/images', token: other })).status, 401, 'its tokens went with it');
    });

    test('bad input: clear errors with stable codes', async (t) => {
      const api = await testApi(backend, t);
      const r1 = await api.call<{ code: string; message: string }>({ ...push('{"schema":"nope"}'), token: api.admin });
      assert.equal(r1.status, 400);
      assert.equal(r1.body.code, 'bad-request');
      const r2 = await api.call<{ code: string }>({ ...push('{not json'), token: api.admin });
      assert.deepEqual([r2.status, r2.body.code], [400, 'bad-json']);
      const r3 = await api.call<{ code: string }>({ ...push(Buffer.from('not gzip at all'), '', { 'content-encoding': 'gzip' }), token: api.admin });
      assert.deepEqual([r3.status, r3.body.code], [400, 'bad-encoding']);
      const r4 = await api.call<{ code: string }>({ ...push('{}', '', { 'content-encoding': 'br' }), token: api.admin });
      assert.deepEqual([r4.status, r4.body.code], [400, 'bad-encoding']);
      const noImage = JSON.parse(writeScoutJson({ ...demo, image: undefined }));
      const r5 = await api.call<{ code: string }>({ ...push(JSON.stringify(noImage)), token: api.admin });
      assert.deepEqual([r5.status, r5.body.code], [400, 'bad-sbom']);
      const r6 = await api.call<{ code: string }>({ method: 'GET', url: '/v1/images?cursor=xyz', route: 'GET /v1/images', token: api.admin });
      assert.deepEqual([r6.status, r6.body.code], [400, 'bad-cursor']);
      const r7 = await api.call<{ code: string }>({ method: 'GET', url: '/v1/images/sha256:abc', route: 'GET /v1/images/:digest', token: api.admin });
      assert.deepEqual([r7.status, r7.body.code], [400, 'bad-request']);
      const big = `{"purls":["pkg:npm/${'a'.repeat(17 * 1024 * 1024)}@1"],"layerDigests":[]}`;
      const r8 = await api.call<{ code: string }>({ method: 'POST', url: '/v1/match', route: 'POST /v1/match', token: api.admin, payload: big, headers: { 'content-type': 'application/json' } });
      assert.deepEqual([r8.status, r8.body.code], [413, 'body-too-large']);
    });

    test('the advisories are kept in the platform database itself (the SQLite file, the PostgreSQL schema) and matched from there', async (t) => {
      // With the job queue: POST /v1/advisories queues the re-match its import needs.
      const api = await testApi(backend, t, { jobs: {} });
      assert.equal(api.location.kind, backend);
      assert.equal(api.advisories.constructor.name, backend === 'postgres' ? 'PgAdvisoryStore' : 'SqliteAdvisoryStore');
      // Counted through the platform's own connection: the same file, or the same schema.
      const rows = async () => Number((await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM advisories`.execute(api.platform.db)).rows[0].n);
      const before = await rows();
      assert.ok(before > 0);
      assert.equal(before, (await api.advisories.status()).advisories);
      const post = await api.call<{ inserted: number }>({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: [testOsv('SCOUT-STORE-1', 'CVE-2099-0101', '1.5.0')] });
      assert.equal(post.status, 202);
      assert.equal(post.body.inserted, 1);
      assert.equal(await rows(), before + 1);
      const m = await api.call<{ findings: { id: string; purl: string }[] }>({ method: 'POST', url: '/v1/match', route: 'POST /v1/match', token: api.admin, payload: { purls: ['pkg:npm/scout-test-pkg@1.0.0', 'pkg:npm/scout-test-pkg@2.0.0'], layerDigests: [] } });
      assert.equal(m.status, 200);
      assert.deepEqual(m.body.findings.map((f) => [f.id, f.purl]), [['CVE-2099-0101', 'pkg:npm/scout-test-pkg@1.0.0']]);
    });

    test('retention is an admin setting of the organisation', async (t) => {
      const api = await testApi(backend, t);
      const r = await api.call<{ retentionDays: number | null }>({ method: 'PATCH', url: '/v1/org', route: 'PATCH /v1/org', token: api.admin, payload: { retentionDays: 30 } });
      assert.equal(r.status, 200);
      assert.equal(r.body.retentionDays, 30);
      assert.equal((await api.call<{ retentionDays: number }>({ method: 'GET', url: '/v1/org', route: 'GET /v1/org', token: api.admin })).body.retentionDays, 30);
      const write = await api.tokenFor('acme', 'write');
      assert.equal((await api.call({ method: 'PATCH', url: '/v1/org', route: 'PATCH /v1/org', token: write, payload: { retentionDays: 1 } })).status, 403);
    });

    test('the OpenAPI document is served and names every route', async (t) => {
      const api = await testApi(backend, t);
      const r = await api.app.inject({ method: 'GET', url: '/v1/openapi.json' });
      assert.equal(r.statusCode, 200);
      const doc = JSON.parse(r.body) as { openapi: string; paths: Record<string, Record<string, { operationId?: string }>>; components: { schemas: Record<string, unknown> } };
      assert.equal(doc.openapi, '3.0.3');
      const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId)).sort();
      assert.deepEqual(ops, [
        'addVex', 'addWebhook', 'advisorySources', 'analyzeImage', 'compareImages', 'createSession', 'createToken', 'deleteImage', 'deleteOrg', 'deleteRepository', 'deleteSession', 'deleteVex', 'environmentWorkloads', 'explainMatch', 'getImage', 'getJob', 'getOrg', 'getPolicies', 'getVex',
        'imageFindings', 'imageLayers', 'imagePackages', 'imagePolicy', 'imageSecrets', 'listBaseImages', 'listEnvironments', 'listEvents', 'listImages', 'listPackageNames', 'listRepositories', 'listTokens', 'listVex', 'listVulnerabilities', 'listWebhooks',
        'markImagesSeen', 'matchLocal', 'overview', 'packageUsage', 'postAdvisories', 'postRuntimeInventory', 'pushImage', 'putPolicies', 'recommendBaseImages', 'removeWebhook', 'repositoryTags', 'resetPolicies', 'revokeToken', 'setEnvironmentImage', 'syncAdvisories', 'tagImage', 'testWebhook', 'untagImage', 'updateOrg', 'vulnerabilityAdvisory',
        'vulnerabilityUsage', 'vulnerabilityWorkloads', 'webhookDeliveries', 'whoami',
      ]);
      assert.ok(doc.components.schemas.Image && doc.components.schemas.Error && doc.components.schemas.Sbom);
    });
  });
}
