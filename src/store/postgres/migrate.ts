/**
 * Applies numbered migrations to a PostgreSQL schema, each in its own transaction with its
 * version row, all under the start-up lock the platform migrations take too (startup-lock.ts)
 * held for the session: `scout server` and other processes may start together against one
 * database, and only one may migrate (the others wait, then find nothing to do). A database
 * newer than this code is refused, never written to.
 */
import type pg from 'pg';
import { ScoutError } from '../../util/errors.js';
import type { Migration } from '../migrations/sqlite/index.js';
import { STARTUP_LOCK_KEY } from './startup-lock.js';

/** Returns the schema version after migrating. `where` names the database in errors. */
export async function migratePostgres(client: pg.ClientBase, migrations: readonly Migration[], schema: string, where: string): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const row = (await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0];
    const current = row.v ?? 0;
    const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
    if (current > latest) {
      throw new ScoutError('store-schema-newer', `advisory database schema version ${current} is newer than this program supports (${latest}); upgrade scout`, { path: where });
    }
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    return Math.max(current, latest);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]);
  }
}
