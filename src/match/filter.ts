/**
 * Docker Scout's `cves` filters over findings. Every filter left undefined lets everything
 * through, so `filterFindings(f, {})` returns all findings (not-affected and suppressed ones
 * included: hiding them is the caller's choice).
 */
import { tryParsePurl } from '../sbom/purl.js';
import type { SeverityLevel } from './severity.js';
import type { Finding } from './types.js';

export interface FindingFilters {
  /** --only-severity critical,high */
  severities?: SeverityLevel[];
  /** --only-fixed: a fix version exists. */
  onlyFixed?: boolean;
  /** --only-unfixed: no fix version exists (not-affected findings are neither). */
  onlyUnfixed?: boolean;
  /** --only-package-type apk,npm (purl types). */
  packageTypes?: string[];
  /** --only-package: package names, or purls (without version: any version). */
  packages?: string[];
  /** --only-cve-id: any of the finding's ids (CVE, GHSA, ...), case-insensitive. */
  cveIds?: string[];
  /** --only-cisa-kev */
  onlyCisaKev?: boolean;
  /** --epss-score: EPSS probability ≥ this (0..1). Findings without EPSS data are dropped. */
  epssScore?: number;
  /** --epss-percentile: EPSS percentile ≥ this (0..1). */
  epssPercentile?: number;
  /** --only-vex-affected: drop findings a VEX not_affected statement suppresses. */
  onlyVexAffected?: boolean;
}

// A purl's scheme is case-insensitive ('PKG:npm/lodash' is a purl), as tryParsePurl reads it.
const PURL_SCHEME = /^pkg:/i;

function packageMatcher(specs: string[]): (f: Finding) => boolean {
  const names = new Set<string>();
  const purls = specs.filter((s) => PURL_SCHEME.test(s)).map((s) => tryParsePurl(s)).filter((p) => p !== undefined);
  for (const s of specs) if (!PURL_SCHEME.test(s)) names.add(s);
  return (f) => {
    if (names.has(f.package.name) || names.has(f.queriedName)) return true;
    if (!purls.length) return false;
    const p = tryParsePurl(f.package.purl);
    return !!p && purls.some((q) => q.type === p.type && (q.namespace ?? '') === (p.namespace ?? '') && q.name === p.name && (q.version === undefined || q.version === p.version));
  };
}

export function filterFindings(findings: readonly Finding[], filters: FindingFilters): Finding[] {
  const tests: ((f: Finding) => boolean)[] = [];
  if (filters.severities?.length) {
    const levels = new Set(filters.severities.map((s) => s.toLowerCase()));
    tests.push((f) => levels.has(f.severity.level));
  }
  if (filters.onlyFixed) tests.push((f) => f.status === 'fixed');
  if (filters.onlyUnfixed) tests.push((f) => f.status === 'unfixed');
  if (filters.packageTypes?.length) {
    const types = new Set(filters.packageTypes.map((t) => t.toLowerCase()));
    tests.push((f) => types.has(f.package.type.toLowerCase()));
  }
  if (filters.packages?.length) tests.push(packageMatcher(filters.packages));
  if (filters.cveIds?.length) {
    const ids = new Set(filters.cveIds.map((i) => i.toUpperCase()));
    tests.push((f) => f.ids.some((i) => ids.has(i.toUpperCase())));
  }
  if (filters.onlyCisaKev) tests.push((f) => f.kev !== undefined);
  if (filters.epssScore !== undefined) {
    const min = filters.epssScore;
    tests.push((f) => f.epss !== undefined && f.epss.score >= min);
  }
  if (filters.epssPercentile !== undefined) {
    const min = filters.epssPercentile;
    tests.push((f) => f.epss !== undefined && f.epss.percentile >= min);
  }
  if (filters.onlyVexAffected) tests.push((f) => f.suppressed === undefined);
  return findings.filter((f) => tests.every((t) => t(f)));
}
