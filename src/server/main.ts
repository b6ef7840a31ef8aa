/**
 * `scout server`: open the store (migrating it), create the first organisation and its admin
 * token on first start, listen, prune by retention hourly, and close cleanly on SIGINT/SIGTERM.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { KyselyPlatformStore } from '../store/kysely/platform-store.js';
import type { AdvisoryStore } from '../store/advisory-store.js';
import type { ServerLocation } from './location.js';
import type { SourceSpec } from '../advisories/update/sources.js';
import { ScoutError } from '../util/errors.js';

export interface ServeOptions {
  location: ServerLocation;
  host: string;
  port: number;
  /** Where the one-time messages (bootstrap token) go. */
  print?: (line: string) => void;
  /** Fastify's logger option; default: info-level JSON lines on stderr. */
  logger?: unknown;
  /**
   * Run the platform's jobs in this process (default true). On PostgreSQL, false leaves them to
   * `scout worker` processes (jobs are still queued here); SQLite has no one else to run them.
   */
  runJobs?: boolean;
  /** Serve /healthz, /readyz and /metrics on a separate listener (src/server/ops.ts). */
  metricsPort?: number;
  metricsHost?: string;
  /**
   * Sync the advisory database every `intervalMs` (first run at start) from the sources of
   * `scout db update`. As a job: on PostgreSQL one worker runs each sync, whichever it is.
   * Absent: no schedule (POST /v1/advisories/sync still syncs on demand).
   */
  advisorySync?: { intervalMs: number };
  /** An http(s) URL or a directory in place of the sources' origin, for scheduled and on-demand syncs. */
  advisoryMirror?: string;
  /** Registries POST /v1/images/analyze may pull from, with SCOUT_ANALYZE_REGISTRIES' (analyze-registries.ts). */
  analyzeRegistries?: string[];
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  platform: KyselyPlatformStore;
  advisories: AdvisoryStore;
  /** The ops listener's URL, with `metricsPort`. */
  opsUrl?: string;
  close(): Promise<void>;
}

export const BOOTSTRAP_ORG = 'default';
export const BOOTSTRAP_TOKEN_FILE = 'admin-token';

/**
 * On an empty store: the organisation `default` and an admin token for it, printed once and
 * written to <data-dir>/admin-token (0600). Never again once any organisation exists, and by
 * one process only when several start together.
 */
export async function bootstrap(platform: KyselyPlatformStore, dataDir: string): Promise<{ token: string; file: string } | undefined> {
  // Checked and created in one statement: servers starting together on a new database (a
  // deploy, a server and its workers) must not each create a first organisation and token.
  const created = await platform.createFirstOrg(BOOTSTRAP_ORG, 'bootstrap admin');
  if (!created) return undefined;
  const { token } = created;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, BOOTSTRAP_TOKEN_FILE);
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, file };
}

export async function openServerStores(location: ServerLocation): Promise<{ platform: KyselyPlatformStore; advisories: AdvisoryStore }> {
  const { KyselyPlatformStore } = await import('../store/kysely/platform-store.js');
  const { openServerAdvisories } = await import('./advisories.js');
  if (location.database.kind === 'sqlite' && !existsSync(location.dataDir)) mkdirSync(location.dataDir, { recursive: true, mode: 0o700 });
  // The advisory store first: on a new file it sets the page size, which only an empty file takes.
  const advisories = await openServerAdvisories(location.database);
  try {
    const platform = await KyselyPlatformStore.open(location.database);
    return { platform, advisories };
  } catch (err) {
    await advisories.close();
    throw err;
  }
}

/** The sources a sync updates (scheduled or on demand): the enabled ones of `scout db update`, with the mirror given. */
async function advisorySyncSources(mirror: string | undefined): Promise<SourceSpec[]> {
  const { resolveSources } = await import('../advisories/update/sources.js');
  const sources = resolveSources({ env: mirror ? { ...process.env, SCOUT_ADVISORY_MIRROR: mirror } : process.env });
  return sources.filter((s) => s.enabled);
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const print = opts.print ?? ((l: string) => process.stdout.write(l + '\n'));
  const runJobs = opts.runJobs ?? true;
  if (!runJobs && opts.location.database.kind === 'sqlite') {
    throw new ScoutError('bad-option', '--no-jobs needs PostgreSQL, where scout worker processes run the jobs; on SQLite the server is the only one that can');
  }
  const { analyzeRegistries } = await import('./analyze-registries.js');
  const registries = analyzeRegistries(opts.analyzeRegistries); // a bad entry stops the start
  const { platform, advisories } = await openServerStores(opts.location);
  // The platform's jobs (re-match on advisory changes, webhook deliveries) run in this process:
  // on SQLite they have no other home; on PostgreSQL the server is one more consumer of the
  // shared queue (SKIP LOCKED), so workers elsewhere share the load without double work.
  const { openPlatformJobs, eventRetentionDays } = await import('../jobs/platform-jobs.js');
  eventRetentionDays(); // a bad SCOUT_EVENT_RETENTION_DAYS stops the start, not each hourly prune
  // Sync lines go to the app's logger, which exists only once the jobs are open.
  let log: (obj: object, msg: string) => void = () => {};
  // One per-purl match memory for local analysis, pushes and the analyze-image jobs this process runs.
  const { PurlAnswers } = await import('./purl-answers.js');
  const purlAnswers = new PurlAnswers(advisories);
  const jobs = await openPlatformJobs({
    db: platform.db,
    location: opts.location.database,
    advisories,
    feedsDir: join(opts.location.dataDir, 'advisory-feeds'),
    analyzeRegistries: registries,
    purlAnswers,
    log: (line) => log(JSON.parse(line) as object, 'advisory sync'),
  });
  const syncSources = () => advisorySyncSources(opts.advisoryMirror);
  const syncSchedule = opts.advisorySync ? { sources: await syncSources(), intervalMs: opts.advisorySync.intervalMs } : undefined;
  const { buildApp } = await import('./app.js');
  const { PlatformMetrics } = await import('./metrics.js');
  const { readiness, startOpsServer } = await import('./ops.js');
  const { sql } = await import('kysely');
  const metrics = new PlatformMetrics({ db: platform.db, queue: jobs.queue });
  const ready = readiness({ ping: () => sql`SELECT 1`.execute(platform.db), ...(runJobs ? { jobsRunning: () => jobs.queue.isRunning() } : {}) });
  // An on-demand sync updates what the schedule does; without one, the sources as they are when asked.
  const advisorySources = syncSchedule ? () => Promise.resolve(syncSchedule.sources) : syncSources;
  const app = await buildApp({ platform, advisories, jobs, metrics, ready, analyzeRegistries: registries, advisorySources, purlAnswers, logger: (opts.logger ?? { level: 'info' }) as never });
  log = (obj, msg) => app.log.info(obj, msg);
  const boot = await bootstrap(platform, opts.location.dataDir);
  if (boot) {
    print(`Created organisation "${BOOTSTRAP_ORG}" and its admin token (shown once; also in ${boot.file}, mode 0600):`);
    print(`  ${boot.token}`);
  }
  const url = await app.listen({ host: opts.host, port: opts.port });
  if (runJobs) await jobs.start();
  // Every server states the schedule it was started with; one sync job waits whatever their number.
  await jobs.scheduleAdvisorySync(syncSchedule);
  const ops = opts.metricsPort !== undefined ? await startOpsServer({ host: opts.metricsHost ?? opts.host, port: opts.metricsPort, metrics, ready }) : undefined;
  const prune = async () => {
    try {
      const n = await platform.pruneAll();
      if (n) app.log.info({ pruned: n }, 'retention: images deleted');
      const old = await jobs.prune();
      if (old.jobs || old.events) app.log.info(old, 'retention: finished jobs and old events deleted');
      // A sync that failed for good queued no next one: the schedule starts again.
      if (syncSchedule) await jobs.ensureAdvisorySync(syncSchedule);
    } catch (err) {
      app.log.error({ err }, 'retention prune failed');
    }
  };
  void prune();
  const timer = setInterval(() => void prune(), 3600_000);
  timer.unref();
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(timer);
      // Jobs stop first: a running re-match finishes its transaction before the database closes.
      await jobs.stop();
      await ops?.close();
      await app.close();
      await platform.close();
      await advisories.close();
    })());
  return { app, url, platform, advisories, ...(ops ? { opsUrl: ops.url } : {}), close };
}
