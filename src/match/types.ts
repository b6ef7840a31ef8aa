/** What the matcher produces: findings (package × vulnerability) and what it could not match. */
import type { Location } from '../sbom/model.js';
import type { ScanWarning } from '../util/errors.js';
import type { TraceEntry } from './osv-range.js';
import type { FindingSeverity } from './severity.js';
import type { NotMatchableCode } from './ecosystem.js';

export type FindingStatus = 'fixed' | 'unfixed' | 'not-affected';

export interface FindingPackage {
  id: string;
  name: string;
  version: string;
  purl: string;
  type: string;
  locations: Location[];
}

/** An advisory record that contributed to a finding. */
export interface FindingAdvisory {
  id: string;
  source: string;
  modified: string;
  published?: string;
}

/** A VEX statement as a finding refers to it. */
export interface VexStatementRef {
  /** File (or image path) the document was read from. */
  file: string;
  documentId?: string;
  author?: string;
  /** Statement timestamp, else the document's. */
  timestamp?: string;
  vulnerability: string;
  status: 'not_affected' | 'affected' | 'fixed' | 'under_investigation';
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
  statusNotes?: string;
}

/** The `.scoutignore` rule that suppressed a finding (see ignore-file.ts). */
export interface IgnoreRuleRef {
  file: string;
  line: number;
  /** The id the rule names. */
  id: string;
  /** Packages the rule is limited to, as written (purls or names); absent: every package. */
  packages?: string[];
  /** YYYY-MM-DD: the rule applies up to and including this day. */
  expires?: string;
  reason?: string;
}

export interface Finding {
  /** Primary vulnerability id: a CVE when the vulnerability has one, else a GHSA, else the advisory id. */
  id: string;
  /** Primary id first, then every alias of the merged advisories (CVE, GHSA, distro ids...). */
  ids: string[];
  package: FindingPackage;
  /** The OSV ecosystem and package name that were queried. */
  ecosystem: string;
  queriedName: string;
  /** The version compared (a Debian source version may differ from the binary's). */
  queriedVersion: string;
  status: FindingStatus;
  /** The distribution's triage words for an unfixed or not-affected state ('unimportant', 'no-dsa: ...', 'postponed'). */
  statusText?: string;
  /** Fix versions relevant to the installed version (the next fix above it in each matching range). */
  fixedVersions: string[];
  /** The matching ranges in readable form ('>=4.0.0, <4.17.21'). */
  affectedRanges: string[];
  severity: FindingSeverity;
  published?: string;
  modified?: string;
  summary?: string;
  /** Weakness ids the deciding advisories name (GHSA `database_specific.cwe_ids`): 'CWE-79'. */
  cwes?: string[];
  references: string[];
  kev?: { dateAdded: string; dueDate?: string; knownRansomwareUse?: boolean; vulnerabilityName?: string };
  epss?: { score: number; percentile: number; date?: string };
  advisories: FindingAdvisory[];
  /** The feed of the deciding advisory and when it was imported into the store. */
  dataSource: { name: string; importedAt?: string };
  trace: TraceEntry[];
  /**
   * A VEX not_affected statement (`statement`) or an ignore-file rule (`ignored`, justification
   * 'ignored') applies: the finding is kept, marked suppressed.
   */
  suppressed?: { justification: string; statement?: VexStatementRef; ignored?: IgnoreRuleRef };
  /** The newest VEX statement that applies, whatever its status. */
  vex?: VexStatementRef;
}

export interface NotMatchable {
  packageId: string;
  name: string;
  purl: string;
  code: NotMatchableCode;
  reason: string;
}

/** An advisory entry that could not be evaluated for a package. */
export interface SkippedAdvisory {
  advisory: string;
  source: string;
  packageId: string;
  reason: string;
  detail: string;
}

export interface MatchStats {
  packages: number;
  matchable: number;
  queries: number;
  advisoriesEvaluated: number;
  withdrawnIgnored: number;
}

export interface MatchResult {
  findings: Finding[];
  notMatchable: NotMatchable[];
  skipped: SkippedAdvisory[];
  /** Skipped entries counted by reason. */
  skippedByReason: Record<string, number>;
  warnings: ScanWarning[];
  stats: MatchStats;
}
