/**
 * The local advisory database, as the matcher and the CLI see it.
 *
 * Every method returns a Promise even though the embedded SQLite implementation
 * (better-sqlite3) is synchronous underneath. That is deliberate: a PostgreSQL implementation
 * (kysely + pg, for the server) must be able to implement this same interface, and its calls are
 * asynchronous. Rules an implementation must keep:
 * - `lookup` is an index search on (ecosystem, normalised name), never a scan.
 * - package names are normalised with `normalizePackageName` on write and on read.
 * - `importBatch` is all or nothing: if the record stream throws (truncated download, I/O error),
 *   the database is left exactly as it was before the call. Imports are serialised.
 * - the schema comes from numbered migrations, recorded in `schema_migrations`, so both backends
 *   can be brought to the same version.
 */
import type { Advisory, EpssScore, KevEntry, SourceInfo } from '../advisories/model.js';

export type RecordStream<T> = AsyncIterable<T> | Iterable<T>;

/**
 * - 'replace': the stream is the whole feed; advisories of this source not in the stream are
 *   deleted when the import commits (a snapshot such as all.zip).
 * - 'merge': the stream holds new or changed records only; nothing is deleted.
 * KEV and EPSS batches always replace their table: both feeds are published whole.
 */
export type ImportMode = 'replace' | 'merge';

export type ImportBatch =
  | { kind: 'advisories'; source: SourceInfo; mode: ImportMode; records: RecordStream<Advisory> }
  | { kind: 'kev'; source: SourceInfo; entries: RecordStream<KevEntry> }
  | { kind: 'epss'; source: SourceInfo; entries: RecordStream<EpssScore> };

export interface StoreImportCounts {
  /** New ids. */
  inserted: number;
  /** Ids already present whose record changed (same id is never duplicated). */
  updated: number;
  /** Ids already present with an identical record. */
  unchanged: number;
  /** Records of this source that were absent from a 'replace' stream. */
  deleted: number;
}

export interface SourceStatus {
  name: string;
  kind: SourceInfo['kind'];
  url?: string;
  /** ISO timestamp of the last successful import. */
  importedAt: string;
  /** Seconds since `importedAt`, at the time `status()` was called. */
  ageSeconds: number;
  /** Rows this source has in the store now. */
  count: number;
  /** Withdrawn advisories among `count` (0 for KEV/EPSS). */
  withdrawn: number;
  lastModified?: string;
}

/** A source as recorded at its last import, without counting anything (cheap). */
export type SourceSummary = Pick<SourceStatus, 'name' | 'kind' | 'url' | 'importedAt' | 'lastModified'>;

export interface StoreStatus {
  schemaVersion: number;
  sources: SourceStatus[];
  advisories: number;
  kev: number;
  epss: number;
}

export interface AdvisoryStore {
  /** Advisories with an affected entry for this package; withdrawn ones included (flagged). */
  lookup(ecosystem: string, name: string): Promise<Advisory[]>;
  get(id: string): Promise<Advisory | undefined>;
  /** The advisories with these ids (one query, not one per id), by id; ids not stored are absent. */
  getMany(ids: readonly string[]): Promise<Map<string, Advisory>>;
  /** Advisories whose id, `aliases` or `upstream` contain this id (e.g. a CVE id). */
  byAlias(alias: string): Promise<Advisory[]>;
  kev(cveIds: readonly string[]): Promise<Map<string, KevEntry>>;
  epss(cveIds: readonly string[]): Promise<Map<string, EpssScore>>;
  importBatch(batch: ImportBatch): Promise<StoreImportCounts>;
  status(): Promise<StoreStatus>;
  /** The imported sources and when, without the counts `status()` computes. */
  sources(): Promise<SourceSummary[]>;
  /**
   * At most `limit` sources named after `after` (all of them without it), by name in code-unit
   * order, each counted as status() counts it: a page of sources, counting that page's only.
   */
  sourceStatusPage(after: string | undefined, limit: number): Promise<SourceStatus[]>;
  /** Whether any advisory is stored, without counting them (status() counts every source). */
  hasAdvisories(): Promise<boolean>;
  /**
   * A token that changes whenever the stored advisory data may have changed (an import by this
   * or any other process): what a caller works out from lookups stays true while it is the same.
   * Cheap: one check per burst of calls, as lookups make.
   */
  dataGeneration(): Promise<string>;
  close(): Promise<void>;
}

/**
 * `inner` with its imports done another way (re-matching what they change, refreshing stored
 * findings) and, when given, its closing too; every read goes to `inner` unchanged. The server's
 * import paths each wrap the store this way.
 */
export function withImports(
  inner: AdvisoryStore,
  importBatch: AdvisoryStore['importBatch'],
  close: AdvisoryStore['close'] = () => inner.close(),
): AdvisoryStore {
  return {
    lookup: (e, n) => inner.lookup(e, n),
    get: (id) => inner.get(id),
    getMany: (ids) => inner.getMany(ids),
    byAlias: (a) => inner.byAlias(a),
    kev: (ids) => inner.kev(ids),
    epss: (ids) => inner.epss(ids),
    status: () => inner.status(),
    sources: () => inner.sources(),
    sourceStatusPage: (after, limit) => inner.sourceStatusPage(after, limit),
    hasAdvisories: () => inner.hasAdvisories(),
    dataGeneration: () => inner.dataGeneration(),
    importBatch,
    close,
  };
}
