/**
 * `scout worker` as users run it: two real worker processes on one PostgreSQL database share
 * the jobs an advisory change makes (one re-match, then a webhook delivery per event and
 * webhook), every event delivered exactly once, both processes doing part of the work; the
 * metrics and health listener of a worker reports the queue and findings. On SQLite the
 * command refuses, as there is nothing to share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { openPlatformJobs } from '../../src/jobs/platform-jobs.js';
import { openServerStores } from '../../src/server/main.js';
import { testAdvisory } from '../helpers/osv-record.js';
import { newLocation } from '../helpers/platform-db.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { scoutAsync } from '../helpers/platform-server.js';
import { tempDir } from '../helpers/tmp.js';
import { scoutNodeArgs } from '../helpers/cli.js';

interface WorkerProcess {
  child: ChildProcess;
  jobs: { worker: string; job: string; ok: boolean }[];
  stderr: string[];
  waitForStderr(re: RegExp): Promise<string>;
}

function spawnWorker(args: string[]): WorkerProcess {
  const child = spawn(process.execPath, scoutNodeArgs('worker', ...args), { env: { ...process.env, SCOUT_CACHE_DIR: tempDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
  const jobs: WorkerProcess['jobs'] = [];
  const stderr: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => jobs.push(JSON.parse(l) as WorkerProcess['jobs'][number]));
  createInterface({ input: child.stderr! }).on('line', (l) => {
    stderr.push(l);
    for (const w of [...waiters]) {
      if (!w.re.test(l)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(l);
    }
  });
  return {
    child,
    jobs,
    stderr,
    waitForStderr: (re) => {
      const seen = stderr.find((l) => re.test(l));
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ re, resolve }));
    },
  };
}


test('postgres: two scout worker processes share the jobs of an advisory change; every delivery exactly once; metrics and health', async (t) => {
  const { location, drop } = await newLocation('postgres');
  t.after(drop);
  assert.equal(location.kind, 'postgres');
  const url = `${location.url}${location.url.includes('?') ? '&' : '?'}schema=${location.kind === 'postgres' ? location.schema : ''}`;
  const serverLocation = { dataDir: tempDir(), database: location };
  const { platform, advisories } = await openServerStores(serverLocation);
  // The queue as the server holds it: it sends jobs, runs none.
  const jobs = await openPlatformJobs({ db: platform.db, location, advisories });
  t.after(async () => {
    await platform.close();
    await advisories.close();
  });
  const acme = await platform.ensureOrg('acme');
  const org = platform.forOrg(acme);
  for (let i = 0; i < 10; i++) {
    await org.putImage(uploadOf({ layers: ['base', `app-${i}`], purls: [i < 6 ? 'pkg:npm/scout-test-pkg@1.0.0' : `pkg:npm/other-${i}@1.0.0`], repository: `shop/app-${i}`, tags: ['1'] }));
  }
  // Slow receivers: a delivery takes 150 ms, so neither worker can take them all alone.
  const rx = await startReceiver({ delayMs: 150 });
  t.after(() => rx.close());
  const { OrgActivity } = await import('../../src/store/kysely/activity-store.js');
  const activity = new OrgActivity(platform.db, acme);
  for (let h = 0; h < 4; h++) await activity.addWebhook({ url: `${rx.url}/${h}`, format: 'json' });

  const workers = [spawnWorker(['--database', url, '--concurrency', '2', '--metrics-port', '0']), spawnWorker(['--database', url, '--concurrency', '2'])];
  t.after(() => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  });
  const started = await Promise.all(workers.map((w) => w.waitForStderr(/^scout worker \S+ running jobs/)));
  const opsUrl = /metrics and health on (\S+)/.exec(started[0])?.[1];
  assert.ok(opsUrl, started[0]);
  assert.equal((await fetch(`${opsUrl}/readyz`)).status, 200);
  assert.equal((await fetch(`${opsUrl}/healthz`)).status, 200);

  const r = await jobs.ingestAdvisories([await testAdvisory('SCOUT-WORKERS-1', 'CVE-2099-0500', '1.5.0')], 'api');
  assert.ok(r.rematchJob);
  await jobs.queue.idle(undefined, 60_000);

  // 6 affected images → 6 events → 24 deliveries, each exactly once.
  const events = await platform.db.selectFrom('events').select('id').execute();
  assert.equal(events.length, 6);
  assert.equal(rx.received.length, 24);
  const pairs = new Set(rx.received.map((x) => `${x.path} ${String(x.headers['scout-event-id'])}`));
  assert.equal(pairs.size, 24);
  const states = await platform.db.selectFrom('jobs' as never).select(['state' as never]).distinct().execute();
  assert.deepEqual(states, [{ state: 'done' }]);

  // Both processes did part of it, each under its own worker id.
  const done = workers.map((w) => w.jobs.filter((j) => j.ok));
  assert.equal(done[0].length + done[1].length, 25, 'one rematch and 24 deliveries in all');
  for (const d of done) assert.ok(d.some((j) => j.job === 'deliver-webhook'), 'each worker delivered some');
  assert.notEqual(done[0][0].worker, done[1][0].worker);

  const metrics = await (await fetch(`${opsUrl}/metrics`)).text();
  assert.match(metrics, /^scout_jobs\{name="deliver-webhook",state="done"\} 24$/m);
  assert.match(metrics, /^scout_jobs\{name="rematch",state="done"\} 1$/m);
  assert.match(metrics, /^scout_findings_open\{org="acme",severity="high"\} 6$/m);
  assert.match(metrics, new RegExp(`^scout_job_duration_seconds_count\\{name="deliver-webhook",outcome="ok"\\} ${done[0].filter((j) => j.job === 'deliver-webhook').length}$`, 'm'));

  for (const w of workers) w.child.kill('SIGTERM');
  for (const w of workers) {
    if (w.child.exitCode === null) await once(w.child, 'exit');
    assert.equal(w.child.exitCode, 0);
  }
});

test('scout worker on SQLite refuses: the server runs the jobs there', async () => {
  const r = await scoutAsync(['worker', '--data-dir', tempDir()], { SCOUT_CACHE_DIR: tempDir(), SCOUT_DATABASE_URL: '' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /scout worker needs PostgreSQL/);
});
