/**
 * The server's advisory database, in the same database as the platform tables: the SQLite file
 * of the data directory (the advisory tables beside the platform ones), or PostgreSQL through
 * `openAdvisoryStore` once that store exists.
 */
import type { AdvisoryStore } from '../store/advisory-store.js';
import type { DatabaseLocation } from '../store/kysely/open.js';

export async function openServerAdvisories(location: DatabaseLocation, dataDir: string): Promise<{ store: AdvisoryStore; note?: string }> {
  if (location.kind === 'sqlite') {
    const { SqliteAdvisoryStore } = await import('../store/sqlite/sqlite-store.js');
    return { store: new SqliteAdvisoryStore(location.path) };
  }
  // Until the PostgreSQL advisory store lands, a PostgreSQL server matches against an SQLite
  // advisory file in its data directory.
  const { join } = await import('node:path');
  const { SqliteAdvisoryStore } = await import('../store/sqlite/sqlite-store.js');
  const path = join(dataDir, 'advisories.db');
  return { store: new SqliteAdvisoryStore(path), note: `advisories are read from ${path} (the PostgreSQL advisory store is not available yet)` };
}
