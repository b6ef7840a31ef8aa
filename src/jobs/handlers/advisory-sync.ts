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
 * - apply: queues the next run `intervalMs` later, in the job's transaction.
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

export function advisorySyncHandler(deps: AdvisorySyncDeps): JobHandler<AdvisorySyncPayload, void> {
  return {
    async prepare(job) {
      const { updateDatabase } = await import('../../advisories/update/update.js');
      const { Warnings } = await import('../../util/errors.js');
      const result = await updateDatabase(rematchingStore(deps, job.payload.sources), job.payload.sources, { workDir: deps.workDir, fetch: { signal: job.signal }, warnings: new Warnings() });
      for (const s of result.sources) {
        deps.log?.(JSON.stringify({ time: new Date().toISOString(), job: 'advisory-sync', id: job.id, source: s.name, status: s.status, ...(s.counts ? { counts: s.counts } : {}), ...(s.reason ? { reason: s.reason } : {}) }));
      }
    },
    async apply(job, trx) {
      const { intervalMs } = job.payload;
      if (intervalMs) await deps.send(job.payload, { db: trx, key: SCHEDULED_SYNC_KEY, runAt: new Date(Date.now() + intervalMs), maxAttempts: 3 });
    },
  };
}
