import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createEffects, effects, openQueueDb } from './backends.js';

const WORKER = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

interface Worker {
  child: ChildProcess;
  lines: string[];
  waitFor(re: RegExp): Promise<string>;
}

function startWorker(url: string, schema: string): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, schema], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  return {
    child,
    lines,
    waitFor: (re) => {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ re, resolve }));
    },
  };
}

test('postgres: two worker processes, one killed with SIGKILL mid-job: nothing lost, nothing applied twice', async (t) => {
  const q = await openQueueDb('postgres', t);
  await createEffects(q.db);
  const queue = q.queue();
  const workers = [startWorker(q.url!, q.schema!), startWorker(q.url!, q.schema!)];
  t.after(() => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  });
  await Promise.all(workers.map((w) => w.waitFor(/^READY$/)));
  const ids: string[] = [];
  for (let n = 0; n < 300; n++) ids.push(await queue.send('write', { n, slow: n === 150 }));
  // Whichever worker picks the slow job is inside its transaction, effect written, not committed.
  const slowLine = await Promise.race(workers.map((w) => w.waitFor(/^SLOW /).then((l) => ({ w, l }))));
  const victim = slowLine.w;
  const survivor = workers.find((w) => w !== victim)!;
  victim.child.kill('SIGKILL');
  await once(victim.child, 'exit');
  assert.equal(victim.child.signalCode, 'SIGKILL');

  await queue.idle(['write'], 60_000);
  const rows = await effects(q.db);
  // Every job's effect exactly once: 300 rows, 300 distinct jobs, values 0..299.
  assert.equal(rows.length, 300);
  assert.equal(new Set(rows.map((r) => r.job_id)).size, 300);
  assert.deepEqual(rows.map((r) => Number(r.value)).sort((a, b) => a - b), [...Array(300).keys()]);
  const slowId = slowLine.l.slice('SLOW '.length);
  assert.equal(slowId, ids[150]);
  const slow = await q.db.selectFrom('jobs').selectAll().where('id', '=', slowId).executeTakeFirstOrThrow();
  assert.equal(slow.state, 'done');
  assert.equal(slow.attempts, 2);
  assert.equal(slow.last_error, null);
  const states = await q.db.selectFrom('jobs').select('state').distinct().execute();
  assert.deepEqual(states, [{ state: 'done' }]);

  survivor.child.kill('SIGTERM');
  await once(survivor.child, 'exit');
  assert.equal(survivor.child.exitCode, 0);
});
