/**
 * The server's advisory database lives in the same database as the platform tables: the
 * SQLite file of the data directory, or the PostgreSQL database (and schema) of --database.
 */
import type { AdvisoryStore } from '../store/advisory-store.js';
import type { DatabaseLocation } from '../store/kysely/open.js';

/** Page size of the server's SQLite file. */
export const SERVER_PAGE_SIZE = 4096;

export async function openServerAdvisories(location: DatabaseLocation): Promise<AdvisoryStore> {
  const { openAdvisoryStore } = await import('../store/open-advisory-store.js');
  // A new SQLite file takes the page size of whoever opens it first, which is this store. The
  // platform tables write a few rows per page at random places on every push: 4 KB pages (not
  // the 64 KB the CLI's advisory-only file uses) keep each push's WAL frames small.
  return openAdvisoryStore(location.kind === 'sqlite' ? { ...location, pageSize: SERVER_PAGE_SIZE } : location);
}
