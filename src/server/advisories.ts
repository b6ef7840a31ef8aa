/**
 * The server's advisory database lives in the same database as the platform tables: the
 * SQLite file of the data directory, or the PostgreSQL database (and schema) of --database.
 */
import type { AdvisoryStore } from '../store/advisory-store.js';
import type { DatabaseLocation } from '../store/kysely/open.js';

export async function openServerAdvisories(location: DatabaseLocation): Promise<AdvisoryStore> {
  const { openAdvisoryStore } = await import('../store/open-advisory-store.js');
  return openAdvisoryStore(location);
}
