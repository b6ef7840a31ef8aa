// The data-handling promise of local analysis, on both backends: POST /v1/match answers the
// findings and the base image and writes nothing (every table of the database, the advisory
// and job tables too, has the same rows after as before: compared whole, not only counted) and
// the server's log, at its most talkative level, holds nothing of the request body. Answered
// twice (the second from the per-purl memory), with a purl nobody can read and an image whose
// base is not known. The CLI side (the exact body `scout cves --server` sends) is
// test/cli/local-analysis.test.ts, on the SQLite server `scout server` starts by default.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { writeScoutJson } from '../../src/sbom/formats/scout-json.js';
import type { Sbom } from '../../src/sbom/model.js';
import type { MatchReply } from '../../src/server/analyze.js';
import type { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testApi } from '../helpers/platform-app.js';
import { demoImageSbom } from '../helpers/sbom-of.js';

let demo: Sbom;
before(async () => {
  demo = await demoImageSbom();
});

/** Every table of the database (for PostgreSQL, of the test's schema) with its rows, sorted: the whole content. */
async function everyRow(platform: KyselyPlatformStore): Promise<Record<string, string[]>> {
  const listed = platform.dialect === 'sqlite'
    ? sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
    : sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`;
  const out: Record<string, string[]> = {};
  for (const { name } of (await listed.execute(platform.db)).rows) {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)}`.execute(platform.db);
    out[name] = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v))).sort();
  }
  return out;
}

for (const backend of BACKENDS) {
  describe(`local analysis on ${backend}`, () => {
    test('answers findings and the base image, writes no row and logs nothing of the body', async (t) => {
      const log: string[] = [];
      const api = await testApi(backend, t, { logger: { level: 'trace', stream: { write: (line: string) => log.push(line) } } });
      // The demo image is stored: the request's image is the demo with one more layer on top.
      const pushed = await api.call({ method: 'POST', url: '/v1/images?repository=demo/base&tag=1&tag=stable', route: 'POST /v1/images', token: api.admin, payload: JSON.stringify(JSON.parse(writeScoutJson(demo))), headers: { 'content-type': 'application/json' } });
      assert.equal(pushed.status, 201);
      const top = `sha256:${'7'.repeat(64)}`;
      const purls = [...demo.packages.map((p) => p.purl), 'not a purl'];
      const layerDigests = [...demo.image!.layers.map((l) => l.diffId), top];
      // The token's last-used stamp (bookkeeping of the token, at most once a minute) is made
      // before the snapshot, so the snapshot holds it.
      assert.equal((await api.call({ method: 'GET', url: '/v1/whoami', route: 'GET /v1/whoami', token: api.admin })).status, 200);
      await new Promise((r) => setTimeout(r, 200));
      const rowsBefore = await everyRow(api.platform);
      const logBefore = log.length;

      const ask = async (body: { purls: string[]; layerDigests: string[] }) => {
        const r = await api.call<MatchReply>({ method: 'POST', url: '/v1/match', route: 'POST /v1/match', token: api.admin, payload: body });
        assert.equal(r.status, 200);
        return r.body;
      };
      const first = await ask({ purls, layerDigests });
      assert.ok(first.findings.some((f) => f.purl.startsWith('pkg:npm/lodash@')), 'the demo\'s lodash is vulnerable');
      assert.deepEqual(first.baseImage, { digest: demo.image!.digest, repository: 'demo/base', tags: ['1', 'stable'], layers: demo.image!.layers.length, catalog: false, from: 'layers' });
      assert.deepEqual(first.notMatchable.find((n) => n.purl === 'not a purl')?.code, 'bad-purl');
      assert.deepEqual(await ask({ purls, layerDigests }), first, 'answered again, from the per-purl memory');
      const stranger = await ask({ purls: purls.slice(0, 3), layerDigests: [`sha256:${'8'.repeat(64)}`, top] });
      assert.equal(stranger.baseImage, undefined, 'a base nobody stored');

      assert.deepEqual(await everyRow(api.platform), rowsBefore, 'no row written, changed or removed');
      const logged = log.slice(logBefore).join('');
      assert.match(logged, /"url":"\/v1\/match"/, 'the requests were logged (method and URL)');
      for (const secret of [...purls, ...layerDigests, `sha256:${'8'.repeat(64)}`, 'lodash']) {
        assert.ok(!logged.includes(secret), `the log holds nothing of the body (${secret})`);
      }
    });
  });
}
