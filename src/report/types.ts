/** What every findings reporter receives besides the findings and the SBOM. */
import type { MatchResult } from '../match/types.js';
import type { SourceStatus } from '../store/advisory-store.js';

export interface ReportOptions {
  /** The scanner writing the report (name and version of this program). */
  tool: { name: string; version: string };
  /** What the user asked to scan (the CLI argument), used when the SBOM has no image metadata. */
  target?: string;
  /** ISO time the report is stamped with; default now. */
  generatedAt?: string;
  /** ISO time the scan started (GitLab's scan.start_time); default `generatedAt`. */
  startedAt?: string;
  /** Show file path and layer per package (packages/markdown formats). */
  locations?: boolean;
  /** Advisory sources the findings were matched against (json). */
  sources?: SourceStatus[];
  /** The rest of the match result, for formats that report it (json). */
  match?: Pick<MatchResult, 'notMatchable' | 'skippedByReason' | 'warnings' | 'stats'>;
  /**
   * Set only for a report going to the terminal (see cli/terminal.ts): colour, and the width
   * tables fit into. A report written to a file gets neither.
   */
  display?: Display;
}

export interface Display {
  color: boolean;
  width?: number;
}

export type FindingsFormat = 'packages' | 'json' | 'sarif' | 'markdown' | 'gitlab' | 'cyclonedx';
export const FINDINGS_FORMATS: readonly FindingsFormat[] = ['packages', 'json', 'sarif', 'markdown', 'gitlab', 'cyclonedx'];
