/**
 * The platform store on both backends, for suites that run the same assertions on each:
 * SQLite in a fresh temporary file, and PostgreSQL in a fresh schema of the database that
 * SCOUT_TEST_PG_URL names (default: the local `test` database with trust auth, as `.ci/run`
 * provides), dropped when the test ends. Never skipped: without PostgreSQL those tests fail.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseLocation } from '../../src/store/kysely/open.js';
import { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';
import { tempDir } from './tmp.js';

export const TEST_PG_URL = process.env.SCOUT_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: readonly Backend[] = ['sqlite', 'postgres'];

interface After {
  after: (fn: () => Promise<void> | void) => void;
}

async function pgExec(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** A fresh, empty database location on this backend, and how to remove it. */
export async function newLocation(backend: Backend): Promise<{ location: DatabaseLocation; drop: () => Promise<void> }> {
  if (backend === 'sqlite') return { location: { kind: 'sqlite', path: join(tempDir(), 'scout.db') }, drop: async () => {} };
  const schema = `scout_platform_${process.pid}_${randomBytes(5).toString('hex')}`;
  await pgExec(`CREATE SCHEMA "${schema}"`);
  return { location: { kind: 'postgres', url: TEST_PG_URL, schema }, drop: () => pgExec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`) };
}

/** A fresh database location on this backend, removed when `t` ends. */
export async function freshLocation(backend: Backend, t: After): Promise<DatabaseLocation> {
  const { location, drop } = await newLocation(backend);
  t.after(drop);
  return location;
}

/** An opened, migrated platform store on this backend, closed and dropped when `t` ends. */
export async function freshPlatformStore(backend: Backend, t: After): Promise<KyselyPlatformStore> {
  const { location, drop } = await newLocation(backend);
  const store = await KyselyPlatformStore.open(location);
  t.after(async () => {
    await store.close().catch(() => {});
    await drop();
  });
  return store;
}
