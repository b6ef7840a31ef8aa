/**
 * The advisory database the CLI uses: one SQLite file under the cache directory, shared by
 * `scout db …` (which fills it) and `scout cves|quickview|explain` (which read it).
 */
import { existsSync, openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../image/cache.js';
import { formatAge } from '../report/age.js';
import type { AdvisoryStore, SourceSummary } from '../store/advisory-store.js';
import { ScoutError } from '../util/errors.js';
import { warn } from './terminal.js';

export function defaultStorePath(): string {
  return join(cacheDir(), 'advisories.db');
}

/** Opens (creating when missing) the default store, for commands that write to it. */
export async function openDefaultStore(): Promise<AdvisoryStore> {
  const { SqliteAdvisoryStore } = await import('../store/sqlite/sqlite-store.js');
  return new SqliteAdvisoryStore(defaultStorePath());
}

/** Whether a SQLite file's header says WAL mode (bytes 18 and 19 are 2). */
function walHeader(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(20);
      return readSync(fd, b, 0, 20, 0) === 20 && b[18] === 2 && b[19] === 2;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * Opens an existing database for commands that only read it. Read-only first, so a database
 * baked into a CI image or mounted read-only in a pod works and a reading command never
 * changes the file; a file whose schema is older than this program's is migrated (which needs
 * write access, and says so). A WAL-mode file (written by an older scout, or by a writer still
 * running) in a directory nobody may write to cannot be opened in place without its -shm file:
 * it is read into memory instead.
 */
export async function openStoreForReading(path = defaultStorePath()): Promise<AdvisoryStore & { schema: number }> {
  const { SqliteAdvisoryStore } = await import('../store/sqlite/sqlite-store.js');
  const { SQLITE_MIGRATIONS } = await import('../store/migrations/sqlite/index.js');
  const latest = SQLITE_MIGRATIONS.reduce((m, x) => Math.max(m, x.version), 0);
  let store: InstanceType<typeof SqliteAdvisoryStore>;
  try {
    store = new SqliteAdvisoryStore(path, { readonly: true });
  } catch (err) {
    if (!walHeader(path)) throw err;
    store = new SqliteAdvisoryStore(path, { contents: readFileSync(path) });
  }
  if (store.schema >= latest) return store;
  await store.close();
  try {
    return new SqliteAdvisoryStore(path);
  } catch (err) {
    throw new ScoutError('store-schema-old', `advisory database ${path} has schema version ${store.schema}, this program needs ${latest}: run \`scout db update\` (or \`scout db import\`) where the file can be written (${err instanceof Error ? err.message : String(err)})`, { path });
  }
}

/** The offline advisory bundle, when this installation has it (a repository checkout does; the npm package does not). */
function shippedBundle(): string | undefined {
  const dir = fileURLToPath(new URL('../../examples/advisories', import.meta.url));
  return existsSync(dir) ? dir : undefined;
}

/** What to tell a user whose database has no advisories. */
export function emptyDatabaseMessage(path = defaultStorePath(), bundle: string | false | undefined = shippedBundle()): string {
  return [
    `the advisory database is empty (${path}): nothing to match packages against.`,
    'Fill it first, online from the public feeds or offline from files:',
    '  scout db update                          (osv.dev, CISA KEV, EPSS)',
    '  scout db import PATH|URL…                (OSV files and zips, gzipped JSON lines, KEV, EPSS, Debian and Alpine feeds)',
    ...(bundle ? [`  scout db import ${bundle}   (the small bundle shipped with this copy)`] : []),
  ].join('\n');
}

/** How old the advisory data may be before matching commands warn (or fail). */
export interface FreshnessOptions {
  /** Days; default 7. */
  maxAgeDays?: number;
  /** Stale data is an error, not a warning. */
  failOnStale?: boolean;
}

export const DEFAULT_DB_MAX_AGE_DAYS = 7;

/**
 * Sources whose newest import is older than the limit, as one line (undefined when all are
 * fresh). Each source is judged by its own last import: a fresh KEV catalogue does not make a
 * month-old OSV feed current.
 */
export function staleMessage(sources: readonly SourceSummary[], maxAgeDays: number, now = Date.now()): string | undefined {
  const stale = sources
    .map((s) => ({ name: s.name, days: (now - Date.parse(s.importedAt)) / 86400_000 }))
    .filter((s) => !(s.days < maxAgeDays));
  if (!stale.length) return undefined;
  const list = stale.map((s) => `${s.name} ${Number.isFinite(s.days) ? `${formatAge(s.days * 86400)} ago` : 'at an unknown time'}`).join(', ');
  return `the advisory database is stale: ${list} (limit ${maxAgeDays} days, --db-max-age); run \`scout db update\` or import newer files`;
}

/**
 * Opens the default store for matching and checks it holds advisories; a missing file is not
 * created (reading commands leave no trace), it is reported the same way as an empty one.
 * The check does not count them: on a full database `status()` costs tens of milliseconds.
 * Stale data gives a warning on stderr, or an error with `failOnStale`.
 */
export async function openStoreForMatching(fresh: FreshnessOptions = {}): Promise<{ store: AdvisoryStore; sources: SourceSummary[]; close: () => Promise<void> }> {
  const path = defaultStorePath();
  if (!existsSync(path)) throw new ScoutError('db-empty', emptyDatabaseMessage(path), { path });
  const store = await openStoreForReading(path);
  try {
    if (!(await store.hasAdvisories())) throw new ScoutError('db-empty', emptyDatabaseMessage(path), { path });
    const sources = await store.sources();
    const stale = staleMessage(sources, fresh.maxAgeDays ?? DEFAULT_DB_MAX_AGE_DAYS);
    if (stale && fresh.failOnStale) throw new ScoutError('db-stale', `${stale} (--fail-on-stale-db)`, { path });
    if (stale) warn(stale);
    // CVSS scores worked out by earlier runs; those this run works out are added on close.
    const { loadScores, saveScores } = await import('../match/score-cache.js');
    await loadScores();
    const close = async () => {
      await store.close();
      await saveScores();
    };
    return { store, sources, close };
  } catch (err) {
    await store.close();
    throw err;
  }
}
