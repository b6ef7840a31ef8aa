/**
 * Where `scout server` and its admin subcommands (`token`, `catalog`, `db`) keep their data:
 * one resolution for all of them, so they reach the same store.
 * - data directory: --data-dir, else SCOUT_DATA_DIR, else `iechor-scout-server` beside the cache
 *   directory (~/.cache/iechor-scout-server). The bootstrap admin token file lives there.
 * - database: --database, else SCOUT_DATABASE_URL; a postgres:// URL is PostgreSQL, anything
 *   else is refused; with neither, the SQLite file <data-dir>/scout.db. Platform and advisory
 *   tables share that one database.
 */
import { dirname, join, resolve } from 'node:path';
import { cacheDir } from '../image/cache.js';
import type { DatabaseLocation } from '../store/kysely/open.js';
import { ScoutError } from '../util/errors.js';

export interface ServerLocationOptions {
  dataDir?: string;
  database?: string;
}

export interface ServerLocation {
  dataDir: string;
  database: DatabaseLocation;
}

export function defaultDataDir(): string {
  return join(dirname(cacheDir()), 'iechor-scout-server');
}

export function resolveServerLocation(opts: ServerLocationOptions = {}, env: NodeJS.ProcessEnv = process.env): ServerLocation {
  const dataDir = resolve(opts.dataDir || env.SCOUT_DATA_DIR || defaultDataDir());
  const url = opts.database || env.SCOUT_DATABASE_URL;
  if (!url) return { dataDir, database: { kind: 'sqlite', path: join(dataDir, 'scout.db') } };
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new ScoutError('bad-option', `--database must be a postgres:// URL (leave it out for the SQLite file in the data directory), not "${url.replace(/:[^:@/]*@/, ':***@')}"`);
  }
  // A `schema` query parameter confines the server to one PostgreSQL schema (search_path).
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  if (schema !== undefined) u.searchParams.delete('schema');
  return { dataDir, database: { kind: 'postgres', url: u.toString(), ...(schema ? { schema } : {}) } };
}
