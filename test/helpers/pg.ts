/**
 * A PostgreSQL schema of its own for one test (or one test file): created on the database that
 * SCOUT_TEST_PG_URL names (default: the local `test` database with trust auth, as `.ci/run`
 * provides) and dropped with everything in it by `drop()`. Never skipped: without PostgreSQL
 * the tests that use it fail, as they should.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.SCOUT_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface PgSchema {
  /** The database URL (without the schema: pass `schema` alongside it). */
  url: string;
  /** A fresh, empty schema, unique to this call. */
  schema: string;
  /** Drops the schema and everything in it. Safe to call twice. */
  drop: () => Promise<void>;
}

/** Runs one statement on its own connection. */
async function exec(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates a unique schema. With `t` (a node:test context), it is dropped when that test ends.
 * Names are `scout_test_<pid>_<random>`: unique across parallel test processes.
 */
export async function pgSchema(t?: { after: (fn: () => Promise<void>) => void }): Promise<PgSchema> {
  const schema = `scout_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await exec(`CREATE SCHEMA "${schema}"`);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  };
  t?.after(drop);
  return { url: PG_URL, schema, drop };
}
