/**
 * The organisation-wide views the dashboard shows (and the API serves under /v1): the overview,
 * every vulnerability, every package name and every base image in use. A role of `OrgStore`
 * (`org.dashboard`), so every query is opened for one organisation, as the rest of the store.
 * Aggregates never answer from shared tables alone: each goes through org-owned rows.
 */
import type { SeverityLevel } from '../match/severity.js';
import type { ScoutEvent } from '../notify/events.js';
import type { BaseImageMatch, Page, PageRequest, SeverityCounts, VexStatusFilter } from './platform-store.js';

export interface TrendPoint {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** Findings open at the end of that day, by severity. */
  counts: SeverityCounts;
}

export interface ImageRef {
  digest: string;
  repository?: string;
  tags: string[];
}

export interface OverviewData {
  images: number;
  repositories: number;
  /** Open findings (one per image, package and vulnerability) by severity. */
  vulnerabilities: SeverityCounts;
  /** From the first day a finding was seen (at most `days` back) to today. */
  trend: TrendPoint[];
  /** The images with the most open critical and high findings that have a fix. */
  topImages: (ImageRef & { fixable: { critical: number; high: number }; vulnerabilities: SeverityCounts })[];
  /** Each environment with the stored images running there now, and their open findings summed. */
  environments: { name: string; images: number; vulnerabilities: SeverityCounts }[];
  /** The latest events, newest first. */
  events: ScoutEvent[];
}

export interface VulnerabilityFilter {
  /** Text in the vulnerability id, any alias, or a package URL (case-insensitive). */
  q?: string;
  severity?: SeverityLevel;
  fixable?: boolean;
  kev?: boolean;
  /**
   * Keep the findings whose VEX status is one of these (`none`: no statement applies), as an
   * image's findings take `?vex=`: a vulnerability is listed when one of its open findings is
   * kept, and its row counts those. `affected, fixed, under_investigation, none` hides the
   * vulnerabilities whose every open finding a statement says is not_affected.
   */
  vex?: readonly VexStatusFilter[];
}

/** Open findings by the VEX status that decides them (`none`: no statement applies). */
export type VexCounts = Record<VexStatusFilter, number>;

export interface VulnerabilitySummary {
  id: string;
  /** The worst severity any of its findings has. */
  severity: SeverityLevel;
  cvssScore?: number;
  kev: boolean;
  epss?: { score: number; percentile: number };
  summary?: string;
  /** Some affected package has a fix version. */
  fixable: boolean;
  /** Images with an open finding of it. */
  images: number;
  /** Environments where one of those images runs now. */
  environments: number;
  /** Workloads (cluster, namespace, type and name in an environment) running one of those images now. */
  workloads: number;
  /** Names of the affected packages (at most 10). */
  packages: string[];
  /**
   * Its open findings that the other filters keep (all but `vex`), by VEX status: how much of
   * it statements have settled, whatever the `vex` filter shows.
   */
  vex: VexCounts;
}

export interface PackageNameFilter {
  /** Text in the package name or namespace (case-insensitive). */
  q?: string;
  /** A purl type: deb, npm, … */
  type?: string;
}

export interface PackageName {
  /** The package URL without version. */
  purl: string;
  type: string;
  namespace?: string;
  name: string;
  /** Versions held by the organisation's images (at most 20, sorted as text). */
  versions: string[];
  images: number;
}

/** A base image the organisation's images share layers with (the layer match: it holds them all). */
export interface BaseImageUse extends Omit<BaseImageMatch, 'from' | 'name' | 'layers'> {
  layers: number;
  /** How many of the organisation's images are built on it. */
  images: number;
  /** Some of those images (at most 5). */
  children: ImageRef[];
  /** Its own open findings, when it is one of the organisation's images. */
  vulnerabilities?: SeverityCounts;
}

export interface DashboardReader {
  overview(now?: Date, days?: number): Promise<OverviewData>;
  /** Vulnerabilities with open findings, worst first, then by id. */
  vulnerabilities(filter: VulnerabilityFilter, page: PageRequest): Promise<Page<VulnerabilitySummary>>;
  /** Package names (type, namespace, name) held by the organisation's images, by name. */
  packageNames(filter: PackageNameFilter, page: PageRequest): Promise<Page<PackageName>>;
  /** Base images of the organisation's images, most used first. */
  baseImages(page: PageRequest): Promise<Page<BaseImageUse>>;
}
