// Two server processes starting at the same moment on a PostgreSQL schema that does not exist
// yet: each creates the schema and migrates the advisory and platform tables. Creating the
// schema outside the start-up lock let both find it missing, and one failed on
// pg_namespace's unique index ("duplicate key value") and did not start.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import pg from 'pg';
import { lineChild } from '../../helpers/line-child.js';
import { PG_URL } from '../../helpers/pg.js';
import { PLATFORM_MIGRATIONS } from '../../../src/store/migrations/platform/index.js';
import { POSTGRES_MIGRATIONS } from '../../../src/store/migrations/postgres/index.js';

const CHILD = fileURLToPath(new URL('./open-stores-process.ts', import.meta.url));
/** Rounds of both processes opening one new schema: a single round often missed the race. */
const ROUNDS = 10;

/** A child process that opens the stores on each schema written to it, and its answers. */
function opener() {
  return lineChild(CHILD, [PG_URL], 'opener');
}

const versions = (ms: readonly { version: number }[]) => ms.map((m) => m.version).sort((a, b) => a - b);

test('postgres: two servers starting at once on a new schema both open it; it is created and migrated once', async (t) => {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const schemas: string[] = [];
  const procs = [opener(), opener()];
  t.after(async () => {
    for (const p of procs) p.child.kill();
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await admin.end();
  });
  for (const p of procs) assert.equal(await p.next(), 'READY');
  for (let round = 1; round <= ROUNDS; round++) {
    const schema = `scout_test_start_${process.pid}_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    for (const p of procs) p.child.stdin!.write(`${schema}\n`);
    const answers = await Promise.all(procs.map((p) => p.next()));
    assert.deepEqual(answers, [`OPENED ${schema}`, `OPENED ${schema}`], `round ${round}: both processes opened the new schema`);
    const advisory = await admin.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
    assert.deepEqual(advisory.rows.map((r) => r.version), versions(POSTGRES_MIGRATIONS), 'each advisory migration recorded once');
    const platform = await admin.query<{ version: number }>(`SELECT version FROM ${schema}.platform_migrations ORDER BY version`);
    assert.deepEqual(platform.rows.map((r) => r.version), versions(PLATFORM_MIGRATIONS), 'each platform migration recorded once');
  }
});
