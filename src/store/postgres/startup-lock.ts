/**
 * The one lock every PostgreSQL store takes for its start-up DDL: creating its schema, the
 * platform migrations (../kysely/migrate.ts) and the advisory migrations (migrate.ts). Processes
 * that start together against one database (a server and its workers, two servers after a
 * deploy) then create and migrate one at a time: `CREATE SCHEMA IF NOT EXISTS` alone is not safe
 * under concurrency (two sessions both find the schema missing and one fails on
 * pg_namespace's unique index), and neither is a migration run twice.
 * Transaction-level (pg_advisory_xact_lock) and session-level (pg_advisory_lock) holds of one key
 * exclude each other, so either form may be used with it.
 */
import type pg from 'pg';

/** Arbitrary, fixed: "scout" in ASCII. Per database, shared by all schemas. */
export const STARTUP_LOCK_KEY = 0x73636f7574;

/**
 * Creates `schema` when missing, under the start-up lock. `schema` must be an identifier the
 * caller checked (letters, digits, _): it is written unquoted, as the stores put it in search_path.
 */
export async function createSchemaLocked(client: pg.ClientBase, schema: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [STARTUP_LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
