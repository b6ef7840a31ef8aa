// Pushing a stored digest again (the same image, the same SBOM) is answered from what is
// stored: nothing is matched or written again but the sighting. Proven on each backend over
// HTTP, with every row of every platform table read before and after: only the image's
// last_seen_at and its repository's last_pushed_at move, no event is recorded, and the reply is
// the stored image as GET /v1/images/{digest} returns it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { writeScoutJson } from '../../src/sbom/formats/scout-json.js';
import type { ImageDetail } from '../../src/store/platform-store.js';
import { PLATFORM_TABLES } from '../../src/store/kysely/schema.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { gzipJson, testApi, type TestApi } from '../helpers/platform-app.js';
import { demoImageSbom } from '../helpers/sbom-of.js';

/** Every row of every platform table, each table's rows as sorted JSON texts. */
async function everyRow(api: TestApi): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of PLATFORM_TABLES) {
    const r = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(t)}`.execute(api.platform.db);
    out[t] = r.rows.map((row) => JSON.stringify(row, Object.keys(row).sort())).sort();
  }
  return out;
}

/** The rows with these columns of them left out (the ones a re-push may move). */
function without(rows: string[], columns: readonly string[]): unknown[] {
  return rows.map((r) => {
    const o = JSON.parse(r) as Record<string, unknown>;
    for (const c of columns) delete o[c];
    return o;
  });
}

for (const backend of BACKENDS) {
  describe(`re-push on ${backend}`, () => {
    test('a stored digest pushed again changes no stored data but its sighting, records no event, and answers with the stored image', async (t) => {
      const api = await testApi(backend, t);
      const demo = await demoImageSbom();
      const body = gzipJson(JSON.parse(writeScoutJson(demo)));
      const push = () =>
        api.call<{ created: boolean; image: ImageDetail }>({
          method: 'POST',
          url: '/v1/images?repository=demo/app&tag=1.0',
          route: 'POST /v1/images',
          token: api.admin,
          payload: body,
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        });
      const first = await push();
      assert.equal(first.status, 201);
      assert.ok(Object.values(first.body.image.vulnerabilities).some((n) => n > 0), 'the demo image has findings');
      const before = await everyRow(api);
      assert.equal(before.events.length, 1, 'the first push is one image.pushed event');
      // Timestamps are ISO texts to the millisecond: let the clock move past the first push's.
      await new Promise((resolve) => setTimeout(resolve, 5));

      const again = await push();
      assert.equal(again.status, 200);
      assert.equal(again.body.created, false);
      const after = await everyRow(api);

      const moving: Record<string, readonly string[]> = { images: ['last_seen_at'], repositories: ['last_pushed_at'] };
      for (const table of PLATFORM_TABLES) {
        assert.equal(after[table].length, before[table].length, `${table}: as many rows`);
        assert.deepEqual(without(after[table], moving[table] ?? []), without(before[table], moving[table] ?? []), `${table}: the same rows`);
      }
      const seen = (rows: string[], column: string) => (JSON.parse(rows[0]) as Record<string, string>)[column];
      assert.ok(seen(after.images, 'last_seen_at') > seen(before.images, 'last_seen_at'), 'the image is marked seen by the push');
      assert.ok(seen(after.repositories, 'last_pushed_at') > seen(before.repositories, 'last_pushed_at'), 'its repository was pushed to');
      assert.equal(again.body.image.lastSeenAt, seen(after.images, 'last_seen_at'));
      assert.equal(again.body.image.pushedAt, first.body.image.pushedAt);

      const stored = await api.call<ImageDetail>({ method: 'GET', url: `/v1/images/${demo.image!.digest}`, route: 'GET /v1/images/:digest', token: api.admin });
      assert.deepEqual(again.body.image, stored.body);
      assert.deepEqual({ ...again.body.image, lastSeenAt: first.body.image.lastSeenAt }, first.body.image, 'the same image as the first push answered, but for when it was seen');
    });
  });
}
