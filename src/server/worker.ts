/**
 * `scout worker`: a process that runs the platform's jobs (re-matches, webhook deliveries,
 * advisory syncs) from the shared PostgreSQL queue, alongside `scout server` and any number of
 * other workers on any machine that reaches the database. Claims skip rows other workers hold
 * (FOR UPDATE SKIP LOCKED), so the load spreads with no coordinator; a worker killed mid-job
 * loses nothing (src/jobs/table-queue.ts). On SQLite there is nothing to share: the server
 * runs its jobs itself, and a second process on the file is refused.
 */
import type { JobOutcome } from '../jobs/queue.js';
import type { PlatformJobs } from '../jobs/platform-jobs.js';
import { roundedPhases } from '../jobs/phases.js';
import { ScoutError } from '../util/errors.js';
import type { ServerLocation } from './location.js';
import type { OpsServer } from './ops.js';

export interface WorkerOptions {
  location: ServerLocation;
  /** deliver-webhook jobs at once in this process (default 32). */
  concurrency?: number;
  /** Serve /healthz, /readyz and /metrics on this port (0: any free port). */
  metricsPort?: number;
  metricsHost?: string;
  /** One line per job attempt (default: JSON lines on stdout). */
  log?: (line: string) => void;
  /** Registries analyze-image jobs may pull from, with SCOUT_ANALYZE_REGISTRIES' (analyze-registries.ts). */
  analyzeRegistries?: string[];
  /** Queue timings: the lease (`scout worker --lease`), and for tests the poll interval. */
  queue?: { leaseMs?: number; pollMs?: number };
}

export interface RunningWorker {
  jobs: PlatformJobs;
  workerId: string;
  ops?: OpsServer;
  close(): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  if (opts.location.database.kind !== 'postgres') {
    throw new ScoutError('bad-option', 'scout worker needs PostgreSQL (--database postgres://… or SCOUT_DATABASE_URL): on SQLite, scout server runs the jobs itself');
  }
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const { analyzeRegistries } = await import('./analyze-registries.js');
  const registries = analyzeRegistries(opts.analyzeRegistries);
  const { openServerStores } = await import('./main.js');
  const { platform, advisories } = await openServerStores(opts.location);
  const { openPlatformJobs } = await import('../jobs/platform-jobs.js');
  let jobs: PlatformJobs;
  try {
    // No local analysis or pushes here, but one analysed image's answers spare the next ones sharing its packages.
    const { PurlAnswers } = await import('./purl-answers.js');
    jobs = await openPlatformJobs({ db: platform.db, location: opts.location.database, advisories, log, analyzeRegistries: registries, purlAnswers: new PurlAnswers(advisories), ...(opts.queue ? { queue: opts.queue } : {}), ...(opts.concurrency ? { deliveryConcurrency: opts.concurrency } : {}) });
  } catch (err) {
    await platform.close();
    await advisories.close();
    throw err;
  }
  const workerId = jobs.queue.workerId;
  jobs.queue.onOutcome((o: JobOutcome) =>
    log(JSON.stringify({ time: new Date().toISOString(), worker: workerId, job: o.name, id: o.id, attempt: o.attempt, ok: o.ok, ms: o.durationMs, phases: roundedPhases(o.phases), ...(o.error ? { error: o.error } : {}), ...(o.retryAt ? { retryAt: o.retryAt.toISOString() } : {}) })),
  );
  let ops: OpsServer | undefined;
  if (opts.metricsPort !== undefined) {
    const { PlatformMetrics } = await import('./metrics.js');
    const { startOpsServer, readiness } = await import('./ops.js');
    const { sql } = await import('kysely');
    const metrics = new PlatformMetrics({ db: platform.db, queue: jobs.queue });
    ops = await startOpsServer({ host: opts.metricsHost ?? '127.0.0.1', port: opts.metricsPort, metrics, ready: readiness({ ping: () => sql`SELECT 1`.execute(platform.db), jobsRunning: () => jobs.queue.isRunning() }) });
  }
  await jobs.start();
  let closing: Promise<void> | undefined;
  return {
    jobs,
    workerId,
    ...(ops ? { ops } : {}),
    close: () =>
      (closing ??= (async () => {
        // Running jobs finish (or are abandoned to another worker) before the database closes.
        await jobs.stop();
        await ops?.close();
        await platform.close();
        await advisories.close();
      })()),
  };
}
