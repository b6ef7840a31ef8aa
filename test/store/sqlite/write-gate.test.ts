// The in-process write gate of a SQLite file (src/store/sqlite/write-gate.ts) and how the
// platform's Kysely connection takes it (src/store/kysely/gated-sqlite-dialect.ts): while another
// writer of the file holds it, writes (a lone statement or a transaction) wait without blocking
// the event loop, reads do not wait (nor queue behind a waiting write), a transaction's own writes pass under its hold, and a
// rolled-back transaction gives the gate back.
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { openKysely } from '../../../src/store/kysely/open.js';
import { writeGateFor } from '../../../src/store/sqlite/write-gate.js';
import { tempDir } from '../../helpers/tmp.js';

/** Whether the promise settled within `ms` (the event loop turning meanwhile). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true), () => (settled = true));
  await sleep(ms);
  return settled;
}

test('one gate per real file: a symlink or a relative path meets it, an in-memory database has its own', () => {
  const dir = tempDir();
  const file = join(dir, 'scout.db');
  writeFileSync(file, '');
  symlinkSync(file, join(dir, 'link.db'));
  assert.equal(writeGateFor(join(dir, 'link.db')), writeGateFor(file));
  assert.equal(writeGateFor(relative(process.cwd(), file)), writeGateFor(file));
  assert.notEqual(writeGateFor(join(dir, 'other.db')), writeGateFor(file));
  assert.notEqual(writeGateFor(':memory:'), writeGateFor(':memory:'));
});

test('gate: first come, first served; giving it back twice does nothing', async () => {
  const gate = writeGateFor(':memory:');
  const order: string[] = [];
  const first = await gate.acquire();
  const second = gate.run(async () => order.push('second'));
  const third = gate.run(async () => order.push('third'));
  assert.equal(gate.queued, 2);
  assert.equal(await settlesWithin(second, 20), false, 'waits while the gate is held');
  first();
  first();
  await Promise.all([second, third]);
  assert.deepEqual(order, ['second', 'third']);
});

test('platform writes on a SQLite file wait for the gate another writer holds; reads do not; a transaction writes under its own hold', async (t) => {
  const path = join(tempDir(), 'platform.db');
  const { db } = (await openKysely({ kind: 'sqlite', path })) as unknown as { db: Kysely<{ t: { x: number } }> };
  t.after(() => db.destroy());
  await sql`CREATE TABLE t (x INTEGER)`.execute(db);
  await db.insertInto('t').values({ x: 1 }).execute();

  // Another connection's writer (the advisory import) holds the file's gate.
  const release = await writeGateFor(path).acquire();
  const lone = db.insertInto('t').values({ x: 2 }).execute();
  assert.equal(await settlesWithin(lone, 50), false, 'a lone insert waits for the gate');
  // Not holding Kysely's one connection while it waits: reads still go through.
  assert.deepEqual((await db.selectFrom('t').select('x').execute()).map((r) => r.x), [1], 'a read is answered while a write waits');
  release();
  await lone;
  const rows = await db.selectFrom('t').select('x').orderBy('x').execute();
  assert.deepEqual(rows.map((r) => r.x), [1, 2]);

  const hold = await writeGateFor(path).acquire();
  const read = db.selectFrom('t').select('x').execute();
  assert.equal(await settlesWithin(read, 50), true, 'a read does not wait for the gate');
  const trx = db.transaction().execute(async (tx) => {
    // Several writes of one transaction: under the gate its BEGIN took, none waits for it again.
    await tx.insertInto('t').values({ x: 3 }).execute();
    await sql`UPDATE t SET x = x + 10 WHERE x = 3`.execute(tx);
    await tx.insertInto('t').values({ x: 4 }).execute();
  });
  assert.equal(await settlesWithin(trx, 50), false, 'a transaction waits for the gate');
  assert.equal(await settlesWithin(db.selectFrom('t').select('x').execute(), 50), true, 'a read is answered while a transaction waits');
  hold();
  await trx;
  assert.deepEqual((await db.selectFrom('t').select('x').orderBy('x').execute()).map((r) => r.x), [1, 2, 4, 13]);

  // A transaction that fails rolls back and gives the gate back: the next write goes through.
  await assert.rejects(db.transaction().execute(async (tx) => {
    await tx.insertInto('t').values({ x: 99 }).execute();
    throw new Error('handler failed');
  }), /handler failed/);
  assert.equal(await settlesWithin(writeGateFor(path).run(() => undefined), 50), true, 'the gate is free after the rollback');
  await db.insertInto('t').values({ x: 5 }).execute();
  assert.deepEqual((await db.selectFrom('t').select('x').orderBy('x').execute()).map((r) => r.x), [1, 2, 4, 5, 13]);
});
