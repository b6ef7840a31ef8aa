/**
 * The platform's jobs, wired once for `scout server` (in-process on SQLite) and `scout worker`
 * (PostgreSQL): the queue over the platform database, the `rematch`, `deliver-webhook`,
 * `advisory-sync`, `reevaluate-policies` and `analyze-image` handlers, `ingestAdvisories`, which imports changed advisory records and
 * queues the re-match of exactly the packages they name, and the advisory sync's schedule.
 */
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import { cacheDir } from '../image/cache.js';
import type { Advisory } from '../advisories/model.js';
import type { AdvisoryStore, StoreImportCounts } from '../store/advisory-store.js';
import type { DatabaseLocation } from '../store/kysely/open.js';
import type { PlatformDatabase } from '../store/kysely/schema.js';
import { pruneEvents, type DeliverPayload } from '../store/kysely/activity-store.js';
import { ScoutError } from '../util/errors.js';
import { InlineJobQueue } from './inline-queue.js';
import { PgJobQueue } from './pg-queue.js';
import type { JobQueue } from './queue.js';
import { migrateJobs, type JobsDatabase, type JobsTable } from './schema.js';
import type { TableQueueOptions } from './table-queue.js';
import { rematchHandler, rematchPayloadOf, type RematchPayload } from './handlers/rematch.js';
import { DELIVERY_JOB_ATTEMPTS, deliverWebhookHandler } from './handlers/deliver-webhook.js';
import { reevaluatePoliciesHandler, type ReevaluatePayload } from './handlers/reevaluate-policies.js';
import { ADVISORY_SYNC_JOB, advisorySyncHandler, onDemandSyncKey, SCHEDULED_SYNC_KEY, type AdvisorySyncPayload } from './handlers/advisory-sync.js';
import { EXPLOIT_REFRESH_KEY, exploitRefreshHandler } from './handlers/exploit-refresh.js';
import type { ImportBatch } from '../store/advisory-store.js';
import { ANALYZE_JOB, ANALYZE_JOB_ATTEMPTS, analyzeImageHandler, type AnalyzePayload, type AnalyzeResult } from './handlers/analyze-image.js';
import type { AnalyzeRegistries } from '../server/analyze-registries.js';
import type { PurlAnswers } from '../server/purl-answers.js';

export interface PlatformJobsOptions {
  db: Kysely<PlatformDatabase>;
  location: DatabaseLocation;
  advisories: AdvisoryStore;
  queue?: TableQueueOptions;
  /** deliver-webhook jobs at once in this process (default 32, the sockets a webhook host gets: notify/webhook.ts). */
  deliveryConcurrency?: number;
  webhookBackoffMs?: number;
  webhookMaxAttempts?: number;
  publicUrl?: string;
  /** How long a queued re-match waits for its advisory import before it runs anyway (default 5 min). */
  rematchRecoveryMs?: number;
  /** Where advisory syncs keep their downloads and ETag state (default <cache>/advisory-feeds). */
  feedsDir?: string;
  /** One JSON line per synced source. */
  log?: (line: string) => void;
  /** Images per reevaluate-policies job (default 200). */
  reevaluateBatch?: number;
  /** Registries analyze-image jobs may pull from (default: none, every analysis refused). */
  analyzeRegistries?: AnalyzeRegistries;
  /** Per-purl match answers analyze-image jobs take and add to (purl-answers.ts; default: none, every package matched). */
  purlAnswers?: PurlAnswers;
}

/** The scheduled advisory sync: its sources and how often. */
export interface AdvisorySyncSchedule {
  sources: AdvisorySyncPayload['sources'];
  intervalMs: number;
}

export interface PlatformJobs {
  queue: JobQueue;
  /** Registers the handlers; `start` then runs them in this process. */
  registerHandlers(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  ingestAdvisories(records: readonly Advisory[], source: string): Promise<{ counts: StoreImportCounts; rematchJob?: string }>;
  /**
   * Deletes finished jobs older than `jobDays` (default 7) and events older than `eventDays`
   * (default SCOUT_EVENT_RETENTION_DAYS, else 90) with their delivery log. `scout server` runs it hourly.
   */
  prune(now?: Date, opts?: { jobDays?: number; eventDays?: number }): Promise<{ jobs: number; events: number }>;
  /** Queues webhook deliveries inside the caller's transaction on the platform database. */
  enqueueDeliveries(trx: Transaction<PlatformDatabase>, payloads: DeliverPayload[]): Promise<void>;
  /**
   * Queues the server-side analysis of a registry image for an organisation; a pending job for
   * the same organisation, reference, platform and tags is answered with its id instead.
   */
  enqueueAnalysis(payload: AnalyzePayload): Promise<string>;
  /**
   * Queues a sync of the advisory database from these sources now, for the organisation that
   * asked (POST /v1/advisories/sync); while one it asked for waits, its id is answered instead.
   */
  enqueueAdvisorySync(orgId: string, sources: AdvisorySyncPayload['sources']): Promise<string>;
  /** A job's row by id, when its name is one of `names` (GET /v1/jobs/{id} shows analyses and syncs). */
  readJob(id: string, names: readonly string[]): Promise<JobsTable | undefined>;
  /** Queues the re-evaluation of an organisation's images by its configuration `generation`, inside the caller's transaction. */
  enqueueReevaluation(trx: Transaction<PlatformDatabase>, orgId: string, generation: number): Promise<string>;
  /**
   * Replaces the waiting scheduled advisory sync with this schedule (it keeps the waiting one's
   * time, else runs now), or removes it (undefined). Every server may call it: one job waits.
   */
  scheduleAdvisorySync(schedule: AdvisorySyncSchedule | undefined): Promise<string | undefined>;
  /** Queues the scheduled sync again when none waits or runs (a run that failed for good ends the chain). */
  ensureAdvisorySync(schedule: AdvisorySyncSchedule): Promise<void>;
  /**
   * Imports a KEV or EPSS batch into the advisory database and, when it changed data, queues the
   * refresh of the stored findings' KEV flags and EPSS scores (`exploit-refresh`; one waits at most).
   */
  importExploitData(batch: Exclude<ImportBatch, { kind: 'advisories' }>): Promise<StoreImportCounts>;
}

/** SCOUT_EVENT_RETENTION_DAYS (a whole number of days, 1 or more), else 90. */
export function eventRetentionDays(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SCOUT_EVENT_RETENTION_DAYS;
  if (raw === undefined || raw === '') return 90;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ScoutError('bad-config', `SCOUT_EVENT_RETENTION_DAYS must be a whole number of days (1 or more), not "${raw}"`);
  return n;
}

export async function openPlatformJobs(opts: PlatformJobsOptions): Promise<PlatformJobs> {
  const jobsDb = opts.db as unknown as Kysely<JobsDatabase>;
  const dialect = opts.location.kind;
  await migrateJobs(jobsDb, dialect);
  const queue =
    opts.location.kind === 'postgres'
      ? new PgJobQueue(jobsDb, { url: opts.location.url, ...(opts.location.schema ? { schema: opts.location.schema } : {}), ...opts.queue })
      : new InlineJobQueue(jobsDb, opts.queue);
  const enqueueDeliveries = async (trx: Transaction<PlatformDatabase>, payloads: DeliverPayload[]) => {
    await queue.sendMany('deliver-webhook', payloads, { db: trx as unknown as Transaction<JobsDatabase>, maxAttempts: DELIVERY_JOB_ATTEMPTS });
  };
  /** The rematch payload of changed records: their keys and ids, with those of their stored versions. */
  const payloadOf = async (records: readonly Advisory[]) => {
    // The previous versions too: a record that stops naming a package must re-match it.
    const previous: Advisory[] = [];
    for (const r of records) {
      const old = await opts.advisories.get(r.id);
      if (old) previous.push(old);
    }
    return rematchPayloadOf([...records, ...previous]);
  };
  /**
   * The advisory store commits on its own connection, so an import and its re-match cannot
   * share a transaction. The re-match is queued first, held back by `rematchRecoveryMs`, and
   * released once the import commits: a crash (or a failed import) anywhere in between leaves a
   * job that runs when the hold ends, against whatever was committed, instead of an import that
   * nothing re-matches. A re-match of unchanged advisories changes nothing, so running it
   * needlessly is harmless. An import that changed nothing cancels it; one that outlasted the
   * hold (the held job ran early, on the old data) queues the re-match again.
   */
  const importWithRematch = async (batch: Extract<ImportBatch, { kind: 'advisories' }>, payload: RematchPayload): Promise<StoreImportCounts & { rematchJob?: string }> => {
    const held = await queue.send('rematch', payload, { runAt: new Date(Date.now() + (opts.rematchRecoveryMs ?? 300_000)) });
    // A throw is not proof of a rollback (the connection may drop after COMMIT): the held job stays.
    const counts = await opts.advisories.importBatch(batch);
    if (counts.inserted + counts.updated + counts.deleted === 0) {
      await queue.cancel(held);
      return counts;
    }
    if (await queue.runNow(held)) return { ...counts, rematchJob: held };
    return { ...counts, rematchJob: await queue.send('rematch', payload) };
  };
  const queueExploitRefresh = () => queue.send('exploit-refresh', {}, { key: EXPLOIT_REFRESH_KEY, maxAttempts: 5 });
  /**
   * A KEV or EPSS import, with the refresh of the stored findings' exploit data queued around it
   * as the re-match is around an advisory import: held before, released once the import
   * committed (cancelled when it changed nothing), so a crash in between delays the refresh,
   * never loses it. A refresh already waiting is used instead of a second one.
   */
  const importWithExploitRefresh = async (batch: Exclude<ImportBatch, { kind: 'advisories' }>): Promise<StoreImportCounts> => {
    const waiting = await jobsDb.selectFrom('jobs').select('id').where('name', '=', 'exploit-refresh').where('key', '=', EXPLOIT_REFRESH_KEY).where('state', '=', 'ready').executeTakeFirst();
    const held = waiting?.id ?? (await queue.send('exploit-refresh', {}, { key: EXPLOIT_REFRESH_KEY, maxAttempts: 5, runAt: new Date(Date.now() + (opts.rematchRecoveryMs ?? 300_000)) }));
    const counts = await opts.advisories.importBatch(batch);
    if (counts.inserted + counts.updated + counts.deleted === 0) {
      if (!waiting) await queue.cancel(held);
      return counts;
    }
    if (!(await queue.runNow(held))) await queueExploitRefresh();
    return counts;
  };
  let registered = false;
  const registerHandlers = () => {
    if (registered) return;
    registered = true;
    queue.work<RematchPayload, Awaited<ReturnType<NonNullable<ReturnType<typeof rematchHandler>['prepare']>>>>(
      'rematch',
      rematchHandler({
        db: opts.db,
        advisories: opts.advisories,
        enqueueDeliveries,
        dialect: queue.dialect,
      }),
    );
    queue.work(
      'deliver-webhook',
      deliverWebhookHandler({
        db: opts.db,
        send: (payload, o) => queue.send('deliver-webhook', payload, o),
        ...(opts.webhookBackoffMs !== undefined ? { backoffMs: opts.webhookBackoffMs } : {}),
        ...(opts.webhookMaxAttempts !== undefined ? { maxAttempts: opts.webhookMaxAttempts } : {}),
        ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
      }),
      // A re-match queues a delivery per event and webhook: they commit their logs in groups.
      { concurrency: opts.deliveryConcurrency ?? 32, groupCommit: true },
    );
    queue.work<ReevaluatePayload, void>(
      'reevaluate-policies',
      reevaluatePoliciesHandler({ enqueueDeliveries, send: (payload, o) => queue.send('reevaluate-policies', payload, o), ...(opts.reevaluateBatch ? { batch: opts.reevaluateBatch } : {}) }),
    );
    queue.work('exploit-refresh', exploitRefreshHandler({ db: opts.db, advisories: opts.advisories, enqueueDeliveries, ...(opts.log ? { log: opts.log } : {}) }));
    queue.work(
      'advisory-sync',
      advisorySyncHandler({
        advisories: opts.advisories,
        importWithRematch,
        payloadOf,
        importWithExploitRefresh,
        send: (payload, o) => queue.send('advisory-sync', payload, o),
        workDir: opts.feedsDir ?? join(cacheDir(), 'advisory-feeds'),
        ...(opts.log ? { log: opts.log } : {}),
      }),
    );
    queue.work<AnalyzePayload, AnalyzeResult>(
      ANALYZE_JOB,
      analyzeImageHandler({ db: opts.db, advisories: opts.advisories, registries: opts.analyzeRegistries ?? { hosts: [], insecure: [] }, enqueueDeliveries, ...(opts.purlAnswers ? { answers: opts.purlAnswers } : {}) }),
    );
  };
  return {
    queue,
    registerHandlers,
    importExploitData: importWithExploitRefresh,
    readJob: (id, names) => jobsDb.selectFrom('jobs').selectAll().where('id', '=', id).where('name', 'in', names).executeTakeFirst(),
    enqueueAdvisorySync: (orgId, sources) => queue.send(ADVISORY_SYNC_JOB, { sources, orgId } satisfies AdvisorySyncPayload, { key: onDemandSyncKey(orgId), maxAttempts: 3 }),
    enqueueAnalysis: (payload) =>
      queue.send(ANALYZE_JOB, payload, { key: JSON.stringify([payload.orgId, payload.reference, payload.platform ?? '', payload.repository ?? '', payload.tags ?? []]), maxAttempts: ANALYZE_JOB_ATTEMPTS, backoffMs: 5000 }),
    enqueueDeliveries,
    enqueueReevaluation: (trx, orgId, generation) => queue.send('reevaluate-policies', { orgId, generation } satisfies ReevaluatePayload, { db: trx as unknown as Transaction<JobsDatabase> }),
    async prune(now = new Date(), o = {}) {
      const day = 86_400_000;
      const eventDays = o.eventDays ?? eventRetentionDays();
      const jobs = await queue.prune(new Date(now.getTime() - (o.jobDays ?? 7) * day));
      const events = await pruneEvents(opts.db, new Date(now.getTime() - eventDays * day));
      return { jobs, events };
    },
    start: async () => {
      registerHandlers();
      await queue.start();
    },
    stop: () => queue.stop(),
    async ingestAdvisories(records, source) {
      const { rematchJob, ...counts } = await importWithRematch({ kind: 'advisories', source: { name: source, kind: 'advisories' }, mode: 'merge', records }, await payloadOf(records));
      return { counts, ...(rematchJob ? { rematchJob } : {}) };
    },
    scheduleAdvisorySync: async (schedule) => {
      const db = jobsDb;
      const waiting = await db.selectFrom('jobs').select(['id', 'run_at']).where('name', '=', 'advisory-sync').where('key', '=', SCHEDULED_SYNC_KEY).where('state', '=', 'ready').executeTakeFirst();
      if (waiting) await queue.cancel(waiting.id);
      if (!schedule) return undefined;
      const payload: AdvisorySyncPayload = { sources: schedule.sources, intervalMs: schedule.intervalMs };
      return queue.send('advisory-sync', payload, { key: SCHEDULED_SYNC_KEY, maxAttempts: 3, ...(waiting ? { runAt: new Date(Number(waiting.run_at)) } : {}) });
    },
    ensureAdvisorySync: async (schedule) => {
      const busy = await jobsDb.selectFrom('jobs').select('id').where('name', '=', 'advisory-sync').where('state', 'in', ['ready', 'retry', 'active']).executeTakeFirst();
      if (!busy) await queue.send('advisory-sync', { sources: schedule.sources, intervalMs: schedule.intervalMs }, { key: SCHEDULED_SYNC_KEY, maxAttempts: 3, runAt: new Date(Date.now() + schedule.intervalMs) });
    },
  };
}
