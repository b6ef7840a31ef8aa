/**
 * The advisory database the CLI uses: one SQLite file under the cache directory, shared by
 * `scout db …` (which fills it) and `scout cves|quickview|explain` (which read it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../image/cache.js';
import type { AdvisoryStore } from '../store/advisory-store.js';
import { ScoutError } from '../util/errors.js';

export function defaultStorePath(): string {
  return join(cacheDir(), 'advisories.db');
}

/** Opens (creating when missing) the default store, for commands that write to it. */
export async function openDefaultStore(): Promise<AdvisoryStore> {
  const { SqliteAdvisoryStore } = await import('../store/sqlite/sqlite-store.js');
  return new SqliteAdvisoryStore(defaultStorePath());
}

/** What to tell a user whose database has no advisories. */
export function emptyDatabaseMessage(path = defaultStorePath()): string {
  return [
    `the advisory database is empty (${path}): nothing to match packages against.`,
    'Fill it first, offline from files or online from the public feeds:',
    '  scout db import examples/advisories      (files, directories, zips, gzipped JSON lines, URLs)',
    '  scout db update                          (osv.dev, CISA KEV, EPSS)',
  ].join('\n');
}

/**
 * Opens the default store for reading and checks it holds advisories; a missing file is not
 * created (reading commands leave no trace), it is reported the same way as an empty one.
 * The check does not count them: on a full database `status()` costs tens of milliseconds.
 */
export async function openStoreForMatching(): Promise<{ store: AdvisoryStore; close: () => Promise<void> }> {
  const path = defaultStorePath();
  if (!existsSync(path)) throw new ScoutError('db-empty', emptyDatabaseMessage(path), { path });
  const store = await openDefaultStore();
  try {
    if (!(await store.hasAdvisories())) throw new ScoutError('db-empty', emptyDatabaseMessage(path), { path });
    // CVSS scores worked out by earlier runs; those this run works out are added on close.
    const { loadScores, saveScores } = await import('../match/score-cache.js');
    await loadScores();
    const close = async () => {
      await store.close();
      await saveScores();
    };
    return { store, close };
  } catch (err) {
    await store.close();
    throw err;
  }
}
