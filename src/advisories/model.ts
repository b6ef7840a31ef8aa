/**
 * Our normalised advisory record. It is the OSV model (https://ossf.github.io/osv-schema/) with
 * OSV's own field names, so an OSV record round-trips unchanged, plus `source`: the name of the
 * feed it was imported from. Importers for non-OSV feeds (Debian tracker, Alpine secdb) produce
 * the same shape, so the matcher only ever sees one model.
 *
 * Arrays that OSV allows to be absent are always present (possibly empty) after import, so
 * consumers need no `?? []` everywhere.
 */
export interface Advisory {
  id: string;
  /** Name of the imported feed (e.g. 'osv-pypi', 'debian-tracker', 'alpine-secdb'). */
  source: string;
  schema_version?: string;
  /** RFC 3339 timestamps, kept as the feed wrote them. */
  modified: string;
  published?: string;
  /** Set when the feed withdrew the advisory; such records stay in the store, flagged. */
  withdrawn?: string;
  aliases: string[];
  related: string[];
  upstream: string[];
  summary?: string;
  details?: string;
  severity: Severity[];
  affected: Affected[];
  references: Reference[];
  credits?: unknown[];
  database_specific?: Record<string, unknown>;
}

export interface Severity {
  /** 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu', or a future type we keep as given. */
  type: string;
  score: string;
}

export interface AffectedPackage {
  /** OSV ecosystem as given, release suffix included: 'Debian:12', 'Alpine:v3.20', 'npm'. */
  ecosystem: string;
  name: string;
  purl?: string;
}

export type RangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT';

/** Exactly one of the four keys is set, as in OSV. */
export type RangeEvent =
  | { introduced: string }
  | { fixed: string }
  | { last_affected: string }
  | { limit: string };

export interface AffectedRange {
  type: RangeType;
  repo?: string;
  events: RangeEvent[];
  database_specific?: Record<string, unknown>;
}

export interface Affected {
  /** Absent only for GIT-only entries, which have no package to look up. */
  package?: AffectedPackage;
  severity?: Severity[];
  ranges: AffectedRange[];
  versions: string[];
  ecosystem_specific?: Record<string, unknown>;
  database_specific?: Record<string, unknown>;
}

export interface Reference {
  type: string;
  url: string;
}

/** One entry of the CISA Known Exploited Vulnerabilities catalog. */
export interface KevEntry {
  cve: string;
  vendorProject?: string;
  product?: string;
  vulnerabilityName?: string;
  /** YYYY-MM-DD */
  dateAdded: string;
  /** YYYY-MM-DD; the remediation deadline for US federal agencies. */
  dueDate?: string;
  /** CISA's 'Known' → true, 'Unknown' → false; absent when the field was missing or odd. */
  knownRansomwareUse?: boolean;
  shortDescription?: string;
  requiredAction?: string;
  notes?: string;
  cwes: string[];
}

/** One EPSS row: probability of exploitation activity in the next 30 days. */
export interface EpssScore {
  cve: string;
  /** 0..1 */
  score: number;
  /** 0..1 */
  percentile: number;
  /** Score date from the file's comment line (YYYY-MM-DD), when it had one. */
  date?: string;
  modelVersion?: string;
}

/** Describes the feed an import came from; stored in the `sources` table. */
export interface SourceInfo {
  /** Stable name, e.g. 'osv-pypi', 'debian-tracker', 'alpine-secdb', 'cisa-kev', 'epss'. */
  name: string;
  /** What kind of data the source holds. */
  kind: 'advisories' | 'kev' | 'epss';
  /** Where it was read from (URL or path), for `status()` output. */
  url?: string;
  /** Newest `modified` (or catalog/score date) seen in the feed; a cursor for incremental updates. */
  lastModified?: string;
}
