/**
 * The job queue's table. Frozen: never edit once released, add a migration.
 * Times are Unix milliseconds (bigint): claims compare them on every poll.
 */
import { sql, type Kysely } from 'kysely';

export const version = 1;
export const name = 'jobs';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    // ready → active → done | failed; a failed or lost attempt with attempts left goes to retry
    // (apart from ready, so the unique pending key below never blocks it).
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('backoff_ms', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    // A claimed job whose worker died is claimed again once this has passed.
    .addColumn('locked_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('duration_ms', 'integer')
    .addColumn('last_error', 'text')
    .execute();
  // Workers only ever look at ready jobs: a partial index keeps the claim cheap however many
  // finished jobs are kept.
  await db.schema.createIndex('jobs_ready').on('jobs').columns(['name', 'run_at']).where(sql.ref('state'), 'in', ['ready', 'retry']).execute();
  await db.schema
    .createIndex('jobs_pending_key')
    .unique()
    .on('jobs')
    .columns(['name', 'key'])
    .where((eb) => eb.and([eb(sql.ref('state'), '=', 'ready'), eb(sql.ref('key'), 'is not', null)]))
    .execute();
  await db.schema.createIndex('jobs_active').on('jobs').column('locked_until').where(sql.ref('state'), '=', 'active').execute();
  await db.schema.createIndex('jobs_finished').on('jobs').column('finished_at').where(sql.ref('state'), 'in', ['done', 'failed']).execute();
}
