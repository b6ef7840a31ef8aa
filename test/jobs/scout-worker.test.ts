/**
 * `scout worker` as users run it: two real worker processes on one PostgreSQL database share
 * the jobs an advisory change makes (one re-match, then a webhook delivery per event and
 * webhook), every event delivered exactly once, both processes doing part of the work; the
 * metrics and health listener of a worker reports the queue and findings. A worker killed with
 * SIGKILL inside a re-match's transaction loses nothing: the other takes the job over once its
 * lease ends and its findings, events and deliveries happen once. On SQLite the command
 * refuses, as there is nothing to share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { sql } from 'kysely';
import { openPlatformJobs } from '../../src/jobs/platform-jobs.js';
import { openServerStores } from '../../src/server/main.js';
import type { DatabaseLocation } from '../../src/store/kysely/open.js';
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

/**
 * The server's stores on `location`, closed at the end, and its job queue as the server holds
 * it: it sends jobs and runs none, so only the scout worker processes run them.
 */
async function serverQueue(location: DatabaseLocation, t: { after(fn: () => Promise<void>): void }) {
  const { platform, advisories } = await openServerStores({ dataDir: tempDir(), database: location });
  const jobs = await openPlatformJobs({ db: platform.db, location, advisories });
  t.after(async () => {
    await platform.close();
    await advisories.close();
  });
  const acme = await platform.ensureOrg('acme');
  return { platform, jobs, acme, org: platform.forOrg(acme) };
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
  const { platform, jobs, acme, org } = await serverQueue(location, t);
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

test('postgres: a scout worker killed with SIGKILL inside a re-match\'s transaction: the other retries it; every finding and event once, each delivered once', async (t) => {
  const { location, drop } = await newLocation('postgres');
  assert.equal(location.kind, 'postgres');
  const schema = location.kind === 'postgres' ? location.schema! : '';
  // This test's own connection holds a row lock (below). At the end, in this order: the
  // workers go (their kept-alive sockets would hold the receiver's close), then the lock, then
  // the schema.
  const blocker = new pg.Client({ connectionString: location.url, options: `-c search_path=${schema}` });
  await blocker.connect();
  const workers: WorkerProcess[] = [];
  t.after(async () => {
    for (const w of workers) {
      if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
      w.child.kill('SIGKILL');
      await once(w.child, 'exit');
    }
    await blocker.end();
    await drop();
  });
  const url = `${location.url}${location.url.includes('?') ? '&' : '?'}schema=${schema}`;
  const { platform, jobs, acme, org } = await serverQueue(location, t);
  const affected: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await org.putImage(uploadOf({ layers: ['base', `kill-${i}`], purls: [i < 6 ? 'pkg:npm/scout-test-pkg@1.0.0' : `pkg:npm/other-${i}@1.0.0`], repository: `shop/kill-${i}`, tags: ['1'] }));
    if (i < 6) affected.push(r.image.digest);
  }
  const rx = await startReceiver();
  t.after(() => rx.close());
  const { OrgActivity } = await import('../../src/store/kysely/activity-store.js');
  await new OrgActivity(platform.db, acme).addWebhook({ url: rx.url, format: 'json' });

  // The re-match's transaction writes the findings, then the images' counts: this test holds
  // an affected image's row (FOR NO KEY UPDATE: the findings' foreign keys may still refer to
  // it), so whichever worker runs the re-match stops at the counts, its findings written and
  // not committed, until the row is let go.
  const blockerPid = Number((await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  await blocker.query('BEGIN');
  await blocker.query('SELECT id FROM images WHERE digest = $1 FOR NO KEY UPDATE', [affected[0]]);

  // Short leases, so the survivor takes the dead worker's job over within seconds.
  workers.push(spawnWorker(['--database', url, '--lease', '2']), spawnWorker(['--database', url, '--lease', '2']));
  await Promise.all(workers.map((w) => w.waitForStderr(/^scout worker \S+ running jobs/)));
  const r = await jobs.ingestAdvisories([await testAdvisory('SCOUT-KILL-1', 'CVE-2099-0600', '1.5.0')], 'api');
  assert.ok(r.rematchJob);

  // Wait until a worker's re-match is inside its transaction, waiting for the held row (on this
  // connection's lock: other tests may share the database).
  const deadline = Date.now() + 60_000;
  let holder: string | null = null;
  for (;;) {
    // Asked on another connection: inside the blocker's transaction pg_stat_activity stays as it first read it.
    const waiting = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity WHERE ${blockerPid} = ANY(pg_blocking_pids(pid)) AND query ILIKE '%UPDATE images%'`.execute(platform.db);
    const job = await sql<{ locked_by: string | null; state: string }>`SELECT locked_by, state FROM jobs WHERE id = ${r.rematchJob}`.execute(platform.db);
    holder = job.rows[0].locked_by;
    if (Number(waiting.rows[0].n) === 1 && job.rows[0].state === 'active' && holder) break;
    if (Date.now() > deadline) assert.fail('no worker reached the re-match transaction');
    await new Promise((res) => setTimeout(res, 20));
  }
  // Worker ids are host:pid:random.
  const victim = workers.find((w) => holder!.split(':').at(-2) === String(w.child.pid));
  assert.ok(victim, `the re-match is held by ${holder}, not one of the two workers`);
  const survivor = workers.find((w) => w !== victim)!;
  victim.child.kill('SIGKILL');
  await once(victim.child, 'exit');
  assert.equal(victim.child.signalCode, 'SIGKILL');
  await blocker.query('COMMIT');

  await jobs.queue.idle(undefined, 120_000);
  // The rematch ran twice (the dead worker's attempt, then the survivor's) and committed once.
  const job = await platform.db.selectFrom('jobs' as never).select(['state' as never, 'attempts' as never, 'last_error' as never]).where('id' as never, '=', r.rematchJob as never).executeTakeFirstOrThrow();
  assert.deepEqual(job, { state: 'done', attempts: 2, last_error: null });
  assert.deepEqual(survivor.jobs.filter((j) => j.job === 'rematch').map((j) => j.ok), [true]);
  assert.deepEqual(victim.jobs.filter((j) => j.job === 'rematch'), [], 'the killed worker finished no re-match');
  // Every finding once, open; every event once; every event delivered once.
  const findings = await platform.db.selectFrom('findings').innerJoin('images', 'images.id', 'findings.image_id').select(['images.digest', 'findings.vulnerability_id', 'findings.fixed_at', 'findings.withdrawn_at']).orderBy('images.digest').execute();
  assert.deepEqual(findings, [...affected].sort().map((digest) => ({ digest, vulnerability_id: 'CVE-2099-0600', fixed_at: null, withdrawn_at: null })));
  const events = await platform.db.selectFrom('events').select(['id', 'kind', 'image_digest']).orderBy('image_digest').execute();
  assert.deepEqual(events.map((e) => [e.kind, e.image_digest]), [...affected].sort().map((d) => ['vulnerability.new', d]));
  assert.deepEqual(rx.received.map((x) => String(x.headers['scout-event-id'])).sort(), events.map((e) => e.id).sort());
  const states = await platform.db.selectFrom('jobs' as never).select(['state' as never]).distinct().execute();
  assert.deepEqual(states, [{ state: 'done' }]);

  survivor.child.kill('SIGTERM');
  await once(survivor.child, 'exit');
  assert.equal(survivor.child.exitCode, 0);
});

test('scout worker on SQLite refuses: the server runs the jobs there; a bad --lease is refused', async () => {
  const r = await scoutAsync(['worker', '--data-dir', tempDir()], { SCOUT_CACHE_DIR: tempDir(), SCOUT_DATABASE_URL: '' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /scout worker needs PostgreSQL/);
  const badLease = await scoutAsync(['worker', '--data-dir', tempDir(), '--lease', '0.5'], { SCOUT_CACHE_DIR: tempDir(), SCOUT_DATABASE_URL: '' });
  assert.equal(badLease.code, 1);
  assert.match(badLease.stderr, /--lease must be a whole number of seconds from 1 to 3600, not "0\.5"/);
});
