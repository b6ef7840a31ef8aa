// Two server processes starting at the same moment on a new database: each runs `bootstrap`,
// which creates the first organisation and its admin token when no organisation exists. Checking
// and creating in separate statements let both find none and both create a token (one
// organisation, found by name, but two bootstrap tokens, each process saying it created them).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import pg from 'pg';
import { lineChild } from '../helpers/line-child.js';
import { PG_URL } from '../helpers/pg.js';
import { BOOTSTRAP_ORG, BOOTSTRAP_TOKEN_FILE } from '../../src/server/main.js';
import { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';

const CHILD = fileURLToPath(new URL('./bootstrap-process.ts', import.meta.url));
/** Rounds of both processes starting on one new database: a single round often misses the race. */
const ROUNDS = 10;

/** A child process that starts up on each location written to it, and its answers. */
function starter() {
  return lineChild(CHILD, [PG_URL], 'starter');
}

/**
 * Exactly one process says it created the organisation and its token; the database holds one
 * organisation and one token, the one that process printed and wrote to its data directory.
 */
async function assertOneBootstrap(round: number, answers: string[], dataDirs: string[], store: KyselyPlatformStore): Promise<void> {
  const created = answers.flatMap((a, i) => (a.startsWith('CREATED ') ? [{ token: a.slice('CREATED '.length), dir: dataDirs[i]! }] : []));
  assert.equal(created.length, 1, `round ${round}: exactly one process created the first organisation (answers: ${answers.map((a) => a.split(' ')[0]).join(', ')})`);
  assert.equal(answers.filter((a) => a === 'EXISTING').length, 1, `round ${round}: the other found it existing (answers: ${answers.map((a) => (a.startsWith("CREATED ") ? "CREATED" : a)).join(" | ")})`);
  const orgs = (await store.listOrgs()).filter((o) => !o.catalog);
  assert.deepEqual(orgs.map((o) => o.name), [BOOTSTRAP_ORG], `round ${round}: one organisation`);
  const tokens = await store.db.selectFrom('tokens').select(['org_id', 'scope']).execute();
  assert.deepEqual(tokens, [{ org_id: orgs[0]!.id, scope: 'admin' }], `round ${round}: one bootstrap token`);
  const caller = await store.authenticate(created[0]!.token);
  assert.equal(caller?.org.name, BOOTSTRAP_ORG, `round ${round}: the printed token is the stored one`);
  assert.equal(readFileSync(join(created[0]!.dir, BOOTSTRAP_TOKEN_FILE), 'utf8'), created[0]!.token + '\n');
}

test('postgres: two servers starting at once on a new schema create one first organisation and one bootstrap token', async (t) => {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const schemas: string[] = [];
  const dirs: string[] = [];
  const procs = [starter(), starter()];
  t.after(async () => {
    for (const p of procs) p.child.kill();
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await admin.end();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  for (const p of procs) assert.equal(await p.next(), 'READY');
  for (let round = 1; round <= ROUNDS; round++) {
    const schema = `scout_test_boot_${process.pid}_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const dataDirs = procs.map(() => mkdtempSync(join(tmpdir(), 'scout-boot-')));
    dirs.push(...dataDirs);
    procs.forEach((p, i) => p.child.stdin!.write(`postgres ${schema} ${dataDirs[i]}\n`));
    const answers = await Promise.all(procs.map((p) => p.next()));
    const store = await KyselyPlatformStore.open({ kind: 'postgres', url: PG_URL, schema });
    try {
      await assertOneBootstrap(round, answers, dataDirs, store);
    } finally {
      await store.close();
    }
  }
});

test('sqlite: two servers starting at once on a new file create one first organisation and one bootstrap token', async (t) => {
  const dirs: string[] = [];
  const procs = [starter(), starter()];
  t.after(() => {
    for (const p of procs) p.child.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  for (const p of procs) assert.equal(await p.next(), 'READY');
  for (let round = 1; round <= ROUNDS; round++) {
    // One data directory (the database file is in it) for both: each writes the token file only if it created the token.
    const dir = mkdtempSync(join(tmpdir(), 'scout-boot-'));
    dirs.push(dir);
    for (const p of procs) p.child.stdin!.write(`sqlite ${dir}\n`);
    const answers = await Promise.all(procs.map((p) => p.next()));
    const store = await KyselyPlatformStore.open({ kind: 'sqlite', path: join(dir, 'scout.db') });
    try {
      await assertOneBootstrap(round, answers, [dir, dir], store);
    } finally {
      await store.close();
    }
  }
});
