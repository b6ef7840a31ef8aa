/**
 * `advisory-sync`: brings the server's advisory database up to date from the sources of
 * `scout db update` (the public feeds, or an HTTP or directory mirror for air-gapped sites),
 * then queues the re-match of what changed. One job at a time whatever the number of workers:
 * the schedule is a job with a fixed key, and each run queues the next one.
 *
 * - prepare: `updateDatabase` over a store that re-matches what each import changes
 *   (`importWithRematch` in platform-jobs.ts: the re-match is queued held before the import and
 *   released once it commits, so a crash in between delays the re-match, never loses it):
 *     an incremental OSV update (a 'merge' of the changed records) → exactly the packages and
 *       ids those records name, old versions included;
 *     a whole snapshot (a 'replace': a first sync, a mirror without a change list, a distro
 *       tracker) → every stored package of the source's ecosystem, every finding re-decided.
 *   A KEV or EPSS import that changed data queues an `exploit-refresh` (exploit-refresh.ts),
 *   which updates the KEV flag and EPSS score of the stored findings.
 * - apply: records what each source did as the job's result (GET /v1/jobs/{id} shows it) and
 *   queues the next run `intervalMs` later, in the job's transaction.
 * A sync asked for now (POST /v1/advisories/sync) is the same job without `intervalMs`, with
 * the organisation that asked (only it sees the job) and a key of its own: while one such sync
 * waits, asking again answers with it.
 * Downloads, partial files and the ETag state live in `workDir`, one per process.
 */
import type { Advisory } from '../../advisories/model.js';
import type { SourceSpec } from '../../advisories/update/sources.js';
import { withImports, type AdvisoryStore, type ImportBatch, type StoreImportCounts } from '../../store/advisory-store.js';
import type { JobHandler, SendOptions } from '../queue.js';
import type { RematchPayload } from './rematch.js';

export interface AdvisorySyncPayload {
  sources: SourceSpec[];
  /** Queue the next sync this long after this one ends; absent: a one-off. */
  intervalMs?: number;
  /** The organisation that asked for this sync now (POST /v1/advisories/sync); absent: the schedule's. */
  orgId?: string;
}

/** What a sync did, source by source: the job's result. */
export interface AdvisorySyncResult {
  sources: { name: string; status: 'ok' | 'unchanged' | 'failed'; counts?: StoreImportCounts; reason?: string }[];
}

export const ADVISORY_SYNC_JOB = 'advisory-sync';

/** The key of an organisation's sync asked for now: one waits per organisation at most. */
export function onDemandSyncKey(orgId: string): string {
  return `on-demand:${orgId}`;
}

/** The key of the scheduled sync: at most one waits at any time. */
export const SCHEDULED_SYNC_KEY = 'scheduled';

export interface AdvisorySyncDeps {
  advisories: AdvisoryStore;
  /** Imports an advisory batch with its re-match queued around it. */
  importWithRematch(batch: Extract<ImportBatch, { kind: 'advisories' }>, payload: RematchPayload): Promise<StoreImportCounts>;
  /** The rematch payload of changed records: their keys and ids, with their stored versions'. */
  payloadOf(records: readonly Advisory[]): Promise<RematchPayload>;
  /** Imports a KEV or EPSS batch with the refresh of the stored findings' exploit data queued around it. */
  importWithExploitRefresh(batch: Exclude<ImportBatch, { kind: 'advisories' }>): Promise<StoreImportCounts>;
  send(payload: AdvisorySyncPayload, opts: SendOptions): Promise<string>;
  workDir: string;
  log?: (line: string) => void;
}

/** The ecosystem whose stored packages a whole-snapshot import of this source may change. */
export function ecosystemOfSource(spec: SourceSpec): string | undefined {
  switch (spec.type) {
    case 'osv':
      return spec.ecosystem;
    case 'debian-tracker':
      return 'Debian';
    case 'alpine-secdb':
      return 'Alpine';
    default:
      return undefined;
  }
}

/** The advisory store as updateDatabase sees it: every advisory import re-matches what it changed. */
function rematchingStore(deps: AdvisorySyncDeps, sources: readonly SourceSpec[]): AdvisoryStore {
  const inner = deps.advisories;
  const byName = new Map(sources.map((s) => [s.name, s]));
  return withImports(
    inner,
    async (batch) => {
      // KEV and EPSS name no package: nothing to re-match, but stored findings carry them.
      if (batch.kind !== 'advisories') return deps.importWithExploitRefresh(batch);
      if (batch.mode === 'merge') {
        // A change list's records: few (updateDatabase switches to a snapshot above 5,000).
        const records: Advisory[] = [];
        for await (const r of batch.records) records.push(r);
        return deps.importWithRematch({ ...batch, records }, await deps.payloadOf(records));
      }
      const spec = byName.get(batch.source.name);
      const ecosystem = spec && ecosystemOfSource(spec);
      if (!ecosystem) return inner.importBatch(batch);
      return deps.importWithRematch(batch, { keys: [{ ecosystem }] });
    },
    // The job does not own the server's store: closing this view leaves it open.
    () => Promise.resolve(),
  );
}

export function advisorySyncHandler(deps: AdvisorySyncDeps): JobHandler<AdvisorySyncPayload, AdvisorySyncResult> {
  return {
    async prepare(job) {
      const { updateDatabase } = await import('../../advisories/update/update.js');
      const { Warnings } = await import('../../util/errors.js');
      const result = await updateDatabase(rematchingStore(deps, job.payload.sources), job.payload.sources, { workDir: deps.workDir, fetch: { signal: job.signal }, warnings: new Warnings() });
      const sources = result.sources.map((s) => {
        // The four counts only: the result is an API document (GET /v1/jobs/{id}).
        const counts = s.counts && { inserted: s.counts.inserted, updated: s.counts.updated, unchanged: s.counts.unchanged, deleted: s.counts.deleted };
        return { name: s.name, status: s.status, ...(counts ? { counts } : {}), ...(s.reason ? { reason: s.reason } : {}) };
      });
      for (const s of sources) deps.log?.(JSON.stringify({ time: new Date().toISOString(), job: ADVISORY_SYNC_JOB, id: job.id, source: s.name, status: s.status, ...(s.counts ? { counts: s.counts } : {}), ...(s.reason ? { reason: s.reason } : {}) }));
      return { sources };
    },
    async apply(job, trx, result) {
      await trx.updateTable('jobs').set({ result: JSON.stringify(result) }).where('id', '=', job.id).execute();
      const { intervalMs } = job.payload;
      if (intervalMs) await deps.send(job.payload, { db: trx, key: SCHEDULED_SYNC_KEY, runAt: new Date(Date.now() + intervalMs), maxAttempts: 3 });
    },
  };
}
