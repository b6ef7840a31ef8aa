/**
 * Applies the platform migrations, tracked in `platform_migrations`.
 * - PostgreSQL: one transaction under `pg_advisory_xact_lock` of the start-up lock that the
 *   advisory migrations and schema creation take too (../postgres/startup-lock.ts), so a server and its workers
 *   starting together migrate once; DDL is transactional there, so all or nothing.
 * - SQLite: each migration commits together with its version row, so a failing migration leaves
 *   the schema and the recorded version as they were; each takes the file's write lock before
 *   looking whether it is applied, so processes starting together on a new file apply it once.
 * A database whose recorded version is newer than this program's migrations is refused: writing
 * to it with an older schema in mind could lose data.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { ScoutError } from '../../util/errors.js';
import { PLATFORM_MIGRATIONS, type PlatformMigration } from '../migrations/platform/index.js';
import type { DialectName } from './open.js';
import { STARTUP_LOCK_KEY } from '../postgres/startup-lock.js';
import type { PlatformDatabase } from './schema.js';


async function ensureTable(db: Kysely<PlatformDatabase> | Transaction<PlatformDatabase>): Promise<void> {
  await db.schema
    .createTable('platform_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
}

async function currentVersion(db: Kysely<PlatformDatabase> | Transaction<PlatformDatabase>): Promise<number> {
  const row = await db.selectFrom('platform_migrations').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
  return Number(row?.v ?? 0);
}

function refuseNewer(current: number, latest: number, where: string): void {
  if (current > latest) {
    throw new ScoutError('store-schema-newer', `platform database schema version ${current} is newer than this program supports (${latest}): upgrade scout (${where})`);
  }
}

async function apply(trx: Transaction<PlatformDatabase>, m: PlatformMigration): Promise<void> {
  await m.up(trx as unknown as Kysely<unknown>);
  await trx.insertInto('platform_migrations').values({ version: m.version, name: m.name, applied_at: new Date().toISOString() }).execute();
}

/** Returns the schema version after migrating. `migrations` is for tests (a failing one). */
export async function migratePlatform(db: Kysely<PlatformDatabase>, dialect: DialectName, where: string, migrations: readonly PlatformMigration[] = PLATFORM_MIGRATIONS): Promise<number> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const latest = ordered.reduce((m, x) => Math.max(m, x.version), 0);
  if (dialect === 'postgres') {
    return db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${STARTUP_LOCK_KEY})`.execute(trx);
      await ensureTable(trx);
      const current = await currentVersion(trx);
      refuseNewer(current, latest, where);
      for (const m of ordered) if (m.version > current) await apply(trx, m);
      return Math.max(current, latest);
    });
  }
  await ensureTable(db);
  const current = await currentVersion(db);
  refuseNewer(current, latest, where);
  for (const m of ordered) {
    if (m.version <= current) continue;
    await db.transaction().execute(async (trx) => {
      // Another process on this file (two servers starting together) may have applied it since
      // `current` was read: take the write lock first, then look again.
      await takeSqliteWriteLock(trx);
      if ((await currentVersion(trx)) < m.version) await apply(trx, m);
    });
  }
  return Math.max(await currentVersion(db), latest);
}

/**
 * A write statement (changing no row) as the first of a deferred transaction: SQLite takes the
 * file's write lock when it starts, waiting out other writers (busy_timeout), so what the
 * transaction reads next no other process can change before it commits. A read first would
 * instead fail with SQLITE_BUSY when the transaction then writes after another process did.
 */
async function takeSqliteWriteLock(trx: Transaction<PlatformDatabase>): Promise<void> {
  await trx.updateTable('platform_migrations').set((eb) => ({ name: eb.ref('name') })).where('version', '<', 0).execute();
}
