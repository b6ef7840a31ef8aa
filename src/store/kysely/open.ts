/**
 * Opens the platform database with Kysely: better-sqlite3 for a file (or ':memory:'), a pg pool
 * for a `postgres://` URL (optionally confined to one schema through `search_path`), then
 * applies the platform migrations.
 */
import { Kysely, PostgresDialect } from 'kysely';
import type { CustomTypesConfig } from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ScoutError } from '../../util/errors.js';
import { migratePlatform } from './migrate.js';
import { cachingDatabase } from './statement-cache.js';
import { GatedSqliteDialect } from './gated-sqlite-dialect.js';
import { writeGateFor } from '../sqlite/write-gate.js';
import { createSchemaLocked } from '../postgres/startup-lock.js';
import { namingPool } from '../postgres/named-statements.js';
import type { PlatformDatabase } from './schema.js';

/** Where a database is: the same shape `openAdvisoryStore` takes. */
export type DatabaseLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema?: string };

export type DialectName = 'sqlite' | 'postgres';

/** WAL size past which a commit of the platform's connection checkpoints (see openPlatformDb). */
const WAL_CHECKPOINT_BYTES = 40 * 1024 * 1024;

export interface PlatformDb {
  db: Kysely<PlatformDatabase>;
  dialect: DialectName;
  /** Schema version after migrating. */
  version: number;
  close(): Promise<void>;
}

/** A PostgreSQL identifier we are willing to put in search_path (no quoting games). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openKysely(location: DatabaseLocation): Promise<{ db: Kysely<PlatformDatabase>; dialect: DialectName }> {
  if (location.kind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    if (location.path !== ':memory:') mkdirSync(dirname(location.path), { recursive: true });
    let sqlite;
    try {
      sqlite = new Database(location.path);
    } catch (err) {
      throw new ScoutError('store-open', `cannot open platform database ${location.path}: ${(err as Error).message}`, { path: location.path, cause: err });
    }
    sqlite.pragma('busy_timeout = 5000');
    // Statement journals (every multi-row insert of a push in its transaction) and sort spills in
    // memory: on disk SQLite writes them to /var/tmp, outside the data directory, and a 500-package
    // push wrote ~4 MB there (a third of its I/O), created and removed as a new file each time.
    sqlite.pragma('temp_store = MEMORY');
    if (location.path !== ':memory:') {
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
    }
    sqlite.pragma('foreign_keys = ON');
    // A push dirties ~1,200 pages spread over the file (image_packages by purl, findings):
    // with SQLite's default 2 MB cache they were read from the OS again on most pushes.
    sqlite.pragma('cache_size = -65536');
    if (location.path !== ':memory:') {
      // A push appends ~1,200 pages to the WAL, but successive pushes dirty mostly the same
      // index pages: a checkpoint copies each page once, however many frames it has. At SQLite's
      // default (checkpoint past 1,000 frames) every push paid for a checkpoint of its own pages;
      // past 40 MB one checkpoint serves ~8 pushes (measured at 200 stored images: 9.9 -> 6.3 MB
      // written and 4.9 -> 1.4 MB read a push, server CPU ~20% less). Counted in bytes, as the
      // advisory store does, whatever the page size.
      const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
      sqlite.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_CHECKPOINT_BYTES / pageSize)}`);
    }
    // Writes take the file's in-process write gate (write-gate.ts): the advisory store may be
    // another connection to this same file, importing across awaits on this same thread.
    const dialect = new GatedSqliteDialect(cachingDatabase(sqlite), sqlite, writeGateFor(location.path));
    return { db: new Kysely<PlatformDatabase>({ dialect }), dialect: 'sqlite' };
  }
  if (location.schema !== undefined && !SCHEMA_NAME.test(location.schema)) {
    throw new ScoutError('bad-option', `PostgreSQL schema name "${location.schema}" must be lower-case letters, digits and _`);
  }
  const { default: pg } = await import('pg');
  // int8 (bigint, count(*)) comes back as a string by default; our sizes and counts fit a double.
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')),
  };
  const pool = new pg.Pool({
    connectionString: location.url,
    max: 10,
    types: types as CustomTypesConfig,
    ...(location.schema ? { options: `-c search_path=${location.schema}` } : {}),
  });
  // An idle client losing its connection must not crash the server; the next query reconnects.
  pool.on('error', () => {});
  try {
    const c = await pool.connect();
    try {
      if (location.schema) await createSchemaLocked(c, location.schema);
    } finally {
      c.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    throw new ScoutError('store-open', `cannot reach PostgreSQL at ${redactUrl(location.url)}: ${(err as Error).message}`, { cause: err });
  }
  return { db: new Kysely<PlatformDatabase>({ dialect: new PostgresDialect({ pool: namingPool(pool) }) }), dialect: 'postgres' };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** Opens and migrates. */
export async function openPlatformDb(location: DatabaseLocation): Promise<PlatformDb> {
  const { db, dialect } = await openKysely(location);
  try {
    const version = await migratePlatform(db, dialect, location.kind === 'sqlite' ? location.path : redactUrl(location.url));
    return { db, dialect, version, close: () => db.destroy() };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
