/**
 * The `jobs` table as Kysely sees it, and its migration runner.
 * - PostgreSQL: one transaction under a transaction-level advisory lock, so a server and its
 *   workers starting together migrate once.
 * - SQLite: each migration commits with its version row.
 * A database newer than this program is refused.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { ScoutError } from '../util/errors.js';
import { JOBS_MIGRATIONS, type JobsMigration } from '../store/migrations/jobs/index.js';

export interface JobsTable {
  id: string;
  name: string;
  key: string | null;
  payload: string;
  state: string;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  // int8 comes back from pg as a string unless the pool parses it: read through Number().
  run_at: number | string;
  locked_by: string | null;
  locked_until: number | string | null;
  created_at: number | string;
  started_at: number | string | null;
  finished_at: number | string | null;
  duration_ms: number | null;
  last_error: string | null;
  /** JSON a job leaves for whoever waits on it (003-job-result.ts). */
  result: string | null;
}

interface JobsMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface JobsDatabase {
  jobs: JobsTable;
  jobs_migrations: JobsMigrationsTable;
}

/** "jobs" in ASCII: not the platform migrations' lock, so the two sets never wait on each other. */
const LOCK_KEY = 0x6a6f6273;

type Db = Kysely<JobsDatabase> | Transaction<JobsDatabase>;

async function ensureTable(db: Db): Promise<number> {
  await db.schema
    .createTable('jobs_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const row = await db.selectFrom('jobs_migrations').select((eb) => eb.fn.max('version').as('v')).executeTakeFirst();
  return Number(row?.v ?? 0);
}

async function apply(trx: Transaction<JobsDatabase>, m: JobsMigration): Promise<void> {
  await m.up(trx as unknown as Kysely<unknown>);
  await trx.insertInto('jobs_migrations').values({ version: m.version, name: m.name, applied_at: new Date().toISOString() }).execute();
}

function refuseNewer(current: number, latest: number): void {
  if (current > latest) {
    throw new ScoutError('store-schema-newer', `job queue schema version ${current} is newer than this program supports (${latest}): upgrade scout`);
  }
}

/** Creates or upgrades the `jobs` table; returns the schema version. */
export async function migrateJobs(db: Kysely<JobsDatabase>, dialect: 'sqlite' | 'postgres', migrations: readonly JobsMigration[] = JOBS_MIGRATIONS): Promise<number> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const latest = ordered.reduce((m, x) => Math.max(m, x.version), 0);
  if (dialect === 'postgres') {
    return db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
      const current = await ensureTable(trx);
      refuseNewer(current, latest);
      for (const m of ordered) if (m.version > current) await apply(trx, m);
      return Math.max(current, latest);
    });
  }
  const current = await ensureTable(db);
  refuseNewer(current, latest);
  for (const m of ordered) if (m.version > current) await db.transaction().execute((trx) => apply(trx, m));
  return Math.max(current, latest);
}
