import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import { backoffDelay, PermanentJobError, type JobOutcome } from '../../src/jobs/queue.js';
import { timed } from '../../src/jobs/phases.js';
import { BACKENDS, createEffects, effects, openQueueDb } from './backends.js';

const fast = { pollMs: 50, leaseMs: 400 };

async function jobRow(db: Parameters<typeof effects>[0], id: string) {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

test('backoff doubles from the base and is capped at one hour', () => {
  assert.deepEqual([1, 2, 3, 4].map((a) => backoffDelay(a, 1000)), [1000, 2000, 4000, 8000]);
  assert.equal(backoffDelay(40, 1000), 3_600_000);
});

for (const backend of BACKENDS) {
  test(`${backend}: a job's effects and its completion commit together`, async (t) => {
    const q = await openQueueDb(backend, t);
    await createEffects(q.db);
    const queue = q.queue(fast);
    queue.work<{ v: string }>('write', async (job, trx) => {
      await sql`INSERT INTO effects (job_id, value) VALUES (${job.id}, ${job.payload.v})`.execute(trx);
    });
    const ids = [await queue.send('write', { v: 'a' }), await queue.send('write', { v: 'b' })];
    await queue.start();
    await queue.idle(['write'], 10_000);
    assert.deepEqual(await effects(q.db), [
      { job_id: ids[0], value: 'a' },
      { job_id: ids[1], value: 'b' },
    ]);
    for (const id of ids) {
      const row = await jobRow(q.db, id);
      assert.equal(row.state, 'done');
      assert.equal(row.attempts, 1);
      assert.equal(row.locked_by, null);
      assert.ok(Number(row.duration_ms) >= 0);
    }
  });

  test(`${backend}: an outcome says where the attempt's time went: claim wait, prepare, commit and the handler's own phases`, async (t) => {
    const q = await openQueueDb(backend, t);
    const queue = q.queue(fast);
    const outcomes: JobOutcome[] = [];
    queue.onOutcome((o) => outcomes.push(o));
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    queue.work<object, void>('timed', {
      phaseCpu: true,
      prepare: () => sleep(40),
      apply: (job) => timed(job.phases, 'step', () => sleep(30), true),
    });
    const sent = Date.now();
    await queue.send('timed', {});
    await queue.start();
    await queue.idle(['timed'], 10_000);
    assert.equal(outcomes.length, 1);
    const [o] = outcomes;
    assert.deepEqual(Object.keys(o.phases).sort(), ['claim', 'commit', 'cpu.commit', 'cpu.prepare', 'cpu.step', 'prepare', 'step']);
    // A sleeping phase costs the process next to no CPU: its CPU time is not its wall time.
    assert.ok(o.phases['cpu.step'] >= 0 && o.phases['cpu.step'] < o.phases.step, `step CPU ${o.phases['cpu.step']} of ${o.phases.step} ms`);
    assert.ok(o.phases.prepare >= 39, `prepare ${o.phases.prepare}`);
    // The handler's step ran inside the commit: the commit includes it.
    assert.ok(o.phases.step >= 29 && o.phases.commit >= o.phases.step, `step ${o.phases.step}, commit ${o.phases.commit}`);
    assert.ok(o.phases.claim >= 0 && o.startedAt >= sent && o.startedAt <= Date.now());
    assert.ok(o.durationMs >= o.phases.prepare + o.phases.commit - 2, `duration ${o.durationMs}`);
  });

  test(`${backend}: grouped commits: jobs prepared together share one transaction; when it fails, each runs again alone`, async (t) => {
    const q = await openQueueDb(backend, t);
    await createEffects(q.db);
    const queue = q.queue(fast);
    const outcomes: JobOutcome[] = [];
    queue.onOutcome((o) => outcomes.push(o));
    const applied = new Map<string, number>();
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let prepared = 0;
    queue.work<{ v: string }, string>(
      'grouped',
      {
        async prepare(job) {
          // All twelve prepare at once and finish in the same turn: one group.
          if (++prepared === 12) release();
          await gate;
          return job.payload.v;
        },
        async apply(job, trx, v) {
          applied.set(job.id, (applied.get(job.id) ?? 0) + 1);
          await sql`INSERT INTO effects (job_id, value) VALUES (${job.id}, ${v})`.execute(trx);
          // The twelfth apply (the group's last) fails, once.
          if (++calls === 12) throw new Error('the last of the group fails');
        },
      },
      { concurrency: 12, groupCommit: true },
    );
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await queue.send('grouped', { v: `v${i}` }));
    await queue.start();
    await queue.idle(['grouped'], 10_000);
    // The last apply's failure rolled back the eleven before it: they had shared its
    // transaction. Each then ran alone and committed: every job applied twice, its effect once.
    assert.deepEqual(ids.map((id) => applied.get(id)), Array(12).fill(2));
    const got = await effects(q.db);
    assert.deepEqual(got.map((e) => e.job_id).sort(), [...ids].sort());
    for (const id of ids) assert.equal((await jobRow(q.db, id)).state, 'done');
    assert.deepEqual(outcomes.map((o) => [o.attempt, o.ok]), Array(12).fill([1, true]));
  });

  test(`${backend}: a failing job rolls its effects back and is retried with backoff until it succeeds`, async (t) => {
    const q = await openQueueDb(backend, t);
    await createEffects(q.db);
    const queue = q.queue(fast);
    const outcomes: JobOutcome[] = [];
    queue.onOutcome((o) => outcomes.push(o));
    queue.work('flaky', async (job, trx) => {
      await sql`INSERT INTO effects (job_id, value) VALUES (${job.id}, ${`attempt ${job.attempt}`})`.execute(trx);
      if (job.attempt < 3) throw new Error(`boom ${job.attempt}`);
    });
    const id = await queue.send('flaky', {}, { backoffMs: 40 });
    await queue.start();
    await queue.idle(['flaky'], 10_000);
    // Only the successful attempt's effect is there.
    assert.deepEqual(await effects(q.db), [{ job_id: id, value: 'attempt 3' }]);
    assert.deepEqual(
      outcomes.map((o) => [o.attempt, o.ok, o.error]),
      [
        [1, false, 'boom 1'],
        [2, false, 'boom 2'],
        [3, true, undefined],
      ],
    );
    // The second retry waited about twice as long as the first.
    const [f1, f2] = outcomes;
    assert.ok(f1.retryAt && f2.retryAt);
    const row = await jobRow(q.db, id);
    assert.equal(row.state, 'done');
    assert.equal(row.attempts, 3);
  });

  test(`${backend}: a job fails for good after its last attempt or a permanent error`, async (t) => {
    const q = await openQueueDb(backend, t);
    const queue = q.queue(fast);
    queue.work('always', async () => {
      throw new Error('still broken');
    });
    queue.work('never', async () => {
      throw new PermanentJobError('bad payload');
    });
    const a = await queue.send('always', {}, { maxAttempts: 2, backoffMs: 10 });
    const n = await queue.send('never', {}, { maxAttempts: 5 });
    await queue.start();
    await queue.idle(undefined, 10_000);
    const ra = await jobRow(q.db, a);
    assert.equal(ra.state, 'failed');
    assert.equal(ra.attempts, 2);
    assert.equal(ra.last_error, 'still broken');
    const rn = await jobRow(q.db, n);
    assert.equal(rn.state, 'failed');
    assert.equal(rn.attempts, 1);
    assert.deepEqual(await queue.durations(), [
      { name: 'always', count: 1, totalMs: Number(ra.duration_ms), failed: 1 },
      { name: 'never', count: 1, totalMs: Number(rn.duration_ms), failed: 1 },
    ]);
  });

  test(`${backend}: a key deduplicates pending jobs, not running ones`, async (t) => {
    const q = await openQueueDb(backend, t);
    const queue = q.queue(fast);
    const first = await queue.send('rematch', { n: 1 }, { key: 'org-a' });
    assert.equal(await queue.send('rematch', { n: 2 }, { key: 'org-a' }), first);
    const other = await queue.send('rematch', { n: 3 }, { key: 'org-b' });
    assert.notEqual(other, first);
    assert.deepEqual(await queue.depth(), [{ name: 'rematch', state: 'ready', count: 2 }]);
    // Once org-a's job runs, a new one queues behind it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const seen: number[] = [];
    queue.work<{ n: number }>('rematch', {
      prepare: async (job) => {
        if (job.payload.n === 1) {
          entered();
          await gate;
        }
      },
      apply: async (job) => {
        seen.push(job.payload.n);
      },
    });
    await queue.start();
    await inside;
    const second = await queue.send('rematch', { n: 4 }, { key: 'org-a' });
    assert.notEqual(second, first);
    release();
    await queue.idle(undefined, 10_000);
    assert.deepEqual(seen.sort(), [1, 3, 4]);
  });

  test(`${backend}: a job enqueued in a transaction exists only if it commits`, async (t) => {
    const q = await openQueueDb(backend, t);
    const queue = q.queue(fast);
    await assert.rejects(
      q.db.transaction().execute(async (trx) => {
        await queue.send('x', { kept: false }, { db: trx });
        throw new Error('rolled back');
      }),
      /rolled back/,
    );
    const kept = await q.db.transaction().execute((trx) => queue.send('x', { kept: true }, { db: trx }));
    const rows = await q.db.selectFrom('jobs').select(['id', 'payload']).execute();
    assert.deepEqual(rows, [{ id: kept, payload: '{"kept":true}' }]);
  });

  test(`${backend}: a job whose worker died is taken over after its lease and applied once`, async (t) => {
    const q = await openQueueDb(backend, t);
    await createEffects(q.db);
    const queue = q.queue(fast);
    const id = await queue.send('write', { v: 'x' });
    // What a worker killed right after claiming leaves behind: active, stamped, lease passed.
    await q.db.updateTable('jobs').set({ state: 'active', attempts: 1, locked_by: 'dead-worker', locked_until: Date.now() - 1 }).where('id', '=', id).execute();
    queue.work<{ v: string }>('write', async (job, trx) => {
      await sql`INSERT INTO effects (job_id, value) VALUES (${job.id}, ${job.payload.v})`.execute(trx);
    });
    await queue.start();
    await queue.idle(['write'], 10_000);
    assert.deepEqual(await effects(q.db), [{ job_id: id, value: 'x' }]);
    const row = await jobRow(q.db, id);
    assert.equal(row.state, 'done');
    assert.equal(row.attempts, 2);
  });

  test(`${backend}: a copy that lost its job cannot commit it`, async (t) => {
    const q = await openQueueDb(backend, t);
    await createEffects(q.db);
    const queue = q.queue(fast);
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    queue.work<{ v: string }>('write', {
      prepare: async () => {
        entered();
        await gate;
      },
      apply: async (job, trx) => {
        await sql`INSERT INTO effects (job_id, value) VALUES (${job.id}, ${job.payload.v})`.execute(trx);
      },
    });
    const id = await queue.send('write', { v: 'x' });
    await queue.start();
    await inside;
    // Meanwhile another worker took it over (as after an expired lease) and finished it.
    await q.db.updateTable('jobs').set({ state: 'done', locked_by: null }).where('id', '=', id).execute();
    release();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await effects(q.db), []);
  });

  test(`${backend}: a job whose prepare outlasts its lease several times over is not taken over by another worker`, async (t) => {
    const q = await openQueueDb(backend, t);
    await createEffects(q.db);
    // Two workers on PostgreSQL; on SQLite the one in-process queue reclaims for itself.
    // The lease is a second, not a few hundred ms: a process (or its database connection) that
    // does not run for longer than a lease is rightly taken for dead, and on a loaded machine
    // (load 22 on 2 cores) a 150 ms lease lapsed that way and the other worker took the job over.
    const leaseMs = 1000;
    const opts = { pollMs: 20, leaseMs, reclaimMs: 20 };
    const queues = backend === 'postgres' ? [q.queue(opts), q.queue(opts)] : [q.queue(opts)];
    const prepares: string[] = [];
    // The longest the event loop stood still meanwhile: a failure says whether that was why.
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    t.after(() => stalls.disable());
    for (const queue of queues) {
      queue.work<{ v: string }, string>('long', {
        prepare: async (job) => {
          prepares.push(`${queue.workerId}#${job.attempt}`);
          // Four leases long: without a heartbeat the lease lapses and the job is reclaimed.
          await new Promise((r) => setTimeout(r, 4 * leaseMs));
          return job.payload.v;
        },
        apply: async (job, trx, v) => {
          await sql`INSERT INTO effects (job_id, value) VALUES (${job.id}, ${v})`.execute(trx);
        },
      });
    }
    const id = await queues[0].send('long', { v: 'once' });
    for (const queue of queues) await queue.start();
    await queues[0].idle(['long'], 30_000);
    assert.equal(prepares.length, 1, `${prepares.join(', ')} (longest event-loop stall ${Math.round(stalls.max / 1e6)} ms, lease ${leaseMs} ms)`);
    assert.deepEqual(await effects(q.db), [{ job_id: id, value: 'once' }]);
    const row = await jobRow(q.db, id);
    assert.equal(row.state, 'done');
    assert.equal(row.attempts, 1);
    assert.equal(row.last_error, null);
  });

  test(`${backend}: a job taken from its worker during prepare sees job.signal aborted and commits nothing`, async (t) => {
    const q = await openQueueDb(backend, t);
    await createEffects(q.db);
    const queue = q.queue({ pollMs: 20, leaseMs: 150, reclaimMs: 10_000 });
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let aborted = false;
    queue.work<{ v: string }>('write', {
      prepare: async (job) => {
        if (job.attempt > 1) return;
        entered();
        await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted = true;
      },
      apply: async (job, trx) => {
        await sql`INSERT INTO effects (job_id, value) VALUES (${job.id}, ${job.payload.v})`.execute(trx);
      },
    });
    const id = await queue.send('write', { v: 'x' });
    await queue.start();
    await inside;
    // Another worker took it over (as after a long stall of this process).
    await q.db.updateTable('jobs').set({ locked_by: 'other-worker' }).where('id', '=', id).execute();
    const deadline = Date.now() + 5000;
    while (!aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(aborted, 'the heartbeat aborts the job signal');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await effects(q.db), []);
    const row = await jobRow(q.db, id);
    assert.equal(row.state, 'active');
    assert.equal(row.locked_by, 'other-worker');
  });

  test(`${backend}: prune deletes finished jobs older than the cut-off`, async (t) => {
    const q = await openQueueDb(backend, t);
    const queue = q.queue(fast);
    queue.work('noop', async () => {});
    await queue.send('noop', {});
    await queue.start();
    await queue.idle(['noop'], 10_000);
    const pending = await queue.send('later', {});
    assert.equal(await queue.prune(new Date(Date.now() - 60_000)), 0);
    assert.equal(await queue.prune(new Date(Date.now() + 1)), 1);
    const rows = await q.db.selectFrom('jobs').select('id').execute();
    assert.deepEqual(rows, [{ id: pending }]);
  });
}
