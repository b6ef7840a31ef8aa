/** Applies numbered migrations to a SQLite database, each in its own transaction. */
import type Database from 'better-sqlite3';
import { ScoutError } from '../../util/errors.js';
import type { Migration } from '../migrations/sqlite/index.js';

/** Returns the schema version after migrating. */
export function migrate(db: Database.Database, migrations: readonly Migration[], where: string): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  const latest = migrations.reduce((m, x) => Math.max(m, x.version), 0);
  if (current > latest) {
    // A newer scout wrote this file; writing with an older schema would corrupt it.
    throw new ScoutError('store-schema-newer', `advisory database schema version ${current} is newer than this program supports (${latest}); upgrade scout or delete the database`, { path: where });
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const version = db.prepare('SELECT MAX(version) AS v FROM schema_migrations');
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    // BEGIN IMMEDIATE takes the write lock (waiting out busy_timeout) before looking again:
    // another process on this file (two servers starting together) may have applied it since.
    db.transaction(() => {
      if (((version.get() as { v: number | null }).v ?? 0) >= m.version) return;
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    }).immediate();
  }
  return Math.max((version.get() as { v: number | null }).v ?? 0, latest);
}
