import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { openKysely } from '../../../src/store/kysely/open.js';
import { migratePlatform } from '../../../src/store/kysely/migrate.js';
import { KyselyPlatformStore } from '../../../src/store/kysely/platform-store.js';
import { PLATFORM_MIGRATIONS } from '../../../src/store/migrations/platform/index.js';
import { BACKENDS, freshLocation } from '../../helpers/platform-db.js';

/** The newest migration this program has (other migrations land after this test is written). */
const LATEST = Math.max(...PLATFORM_MIGRATIONS.map((m) => m.version));

for (const backend of BACKENDS) {
  describe(`platform migrations on ${backend}`, () => {
    test('a database newer than the program is refused with a clear error', async (t) => {
      const location = await freshLocation(backend, t);
      const store = await KyselyPlatformStore.open(location);
      await store.db.insertInto('platform_migrations').values({ version: 99, name: 'from-the-future', applied_at: new Date().toISOString() }).execute();
      await store.close();
      await assert.rejects(KyselyPlatformStore.open(location), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'store-schema-newer');
        assert.match(err.message, new RegExp(`schema version 99 is newer than this program supports \\(${LATEST}\\)`));
        return true;
      });
    });

    test('a failing migration leaves the schema and the recorded version as they were', async (t) => {
      const location = await freshLocation(backend, t);
      const { db, dialect } = await openKysely(location);
      t.after(() => db.destroy());
      const failing = {
        version: LATEST + 1,
        name: 'fails-halfway',
        async up(d: Parameters<(typeof PLATFORM_MIGRATIONS)[number]['up']>[0]) {
          await d.schema.createTable('half_made').addColumn('x', 'integer').execute();
          throw new Error('boom');
        },
      };
      await assert.rejects(migratePlatform(db, dialect, 'test', [...PLATFORM_MIGRATIONS, failing]), /boom/);
      const tableExists = async (name: string) => {
        const probe = dialect === 'postgres'
          ? sql<{ n: number }>`SELECT COUNT(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ${name}`
          : sql<{ n: number }>`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = ${name}`;
        return Number((await probe.execute(db)).rows[0].n) === 1;
      };
      assert.equal(await tableExists('half_made'), false);
      if (dialect === 'postgres') {
        // All pending migrations run in one transaction there: nothing was applied.
        assert.equal(await tableExists('platform_migrations'), false);
        assert.equal(await tableExists('images'), false);
      } else {
        // SQLite commits each migration with its version row: the real ones stay, the failing one left no trace.
        const versions = await db.selectFrom('platform_migrations').select('version').orderBy('version').execute();
        assert.deepEqual(versions.map((v) => v.version), PLATFORM_MIGRATIONS.map((m) => m.version));
      }
      assert.equal(await migratePlatform(db, dialect, 'test'), LATEST, 'the real migrations still apply');
    });
  });
}
