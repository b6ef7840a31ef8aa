/** Counting, grouping and ordering findings: shared by every report format. */
import { SEVERITY_LEVELS, type SeverityLevel } from '../match/severity.js';
import type { Finding, FindingPackage } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { paint, type Style } from '../cli/terminal.js';
import { gapText, type LayerGap } from '../image/incomplete.js';

export interface LevelCounts {
  total: number;
  /** A fix version exists. */
  fixed: number;
  /** No fix version (yet). */
  unfixed: number;
}

export interface FindingCounts {
  /** Findings: one per (package, vulnerability). */
  total: number;
  fixed: number;
  unfixed: number;
  /** Distinct vulnerability ids. */
  vulnerabilities: number;
  /** Distinct packages with at least one finding. */
  packages: number;
  kev: number;
  /** Findings a VEX not_affected statement or an ignore-file rule covers (still counted above). */
  suppressed: number;
  /** Of those, the ones an ignore-file rule covers. */
  ignored: number;
  bySeverity: Record<SeverityLevel, LevelCounts>;
}

export function severityRank(level: SeverityLevel): number {
  return SEVERITY_LEVELS.indexOf(level);
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const bySeverity = Object.fromEntries(SEVERITY_LEVELS.map((l) => [l, { total: 0, fixed: 0, unfixed: 0 }])) as Record<SeverityLevel, LevelCounts>;
  const c: FindingCounts = { total: 0, fixed: 0, unfixed: 0, vulnerabilities: 0, packages: 0, kev: 0, suppressed: 0, ignored: 0, bySeverity };
  const ids = new Set<string>();
  const pkgs = new Set<string>();
  for (const f of findings) {
    const level = bySeverity[f.severity.level] ?? bySeverity.unknown;
    c.total++;
    level.total++;
    if (f.status === 'fixed') {
      c.fixed++;
      level.fixed++;
    } else if (f.status === 'unfixed') {
      c.unfixed++;
      level.unfixed++;
    }
    if (f.kev) c.kev++;
    if (f.suppressed) c.suppressed++;
    if (f.suppressed?.ignored) c.ignored++;
    ids.add(f.id);
    pkgs.add(f.package.id);
  }
  c.vulnerabilities = ids.size;
  c.packages = pkgs.size;
  return c;
}

/** Worst severity first, then highest score, then id. */
export function compareFindings(a: Finding, b: Finding): number {
  return severityRank(a.severity.level) - severityRank(b.severity.level)
    || (b.severity.score ?? -1) - (a.severity.score ?? -1)
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface PackageGroup {
  package: FindingPackage;
  findings: Finding[];
  counts: FindingCounts;
}

/** Findings per package; packages with the worst findings first, then by name. */
export function groupByPackage(findings: readonly Finding[]): PackageGroup[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const g = groups.get(f.package.id);
    if (g) g.push(f);
    else groups.set(f.package.id, [f]);
  }
  const out = [...groups.values()].map((fs) => {
    const sorted = [...fs].sort(compareFindings);
    return { package: sorted[0].package, findings: sorted, counts: countFindings(sorted) };
  });
  const key = (g: PackageGroup) => SEVERITY_LEVELS.map((l) => g.counts.bySeverity[l].total);
  return out.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i] - ka[i];
    return a.package.name < b.package.name ? -1 : a.package.name > b.package.name ? 1 : a.package.version < b.package.version ? -1 : 1;
  });
}

/** '2C 5H 3M 1L 0N 0?' — the compact count Docker Scout prints. */
export function compactCounts(c: FindingCounts): string {
  const letter: Record<SeverityLevel, string> = { critical: 'C', high: 'H', medium: 'M', low: 'L', negligible: 'N', unknown: '?' };
  return SEVERITY_LEVELS.map((l) => `${c.bySeverity[l].total}${letter[l]}`).join(' ');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Why a finding is suppressed, in a few words: 'VEX not_affected (…)' or 'ignored (.scoutignore:3, until 2027-01-31: reason)'. */
export function suppressionText(f: Finding): string | undefined {
  const s = f.suppressed;
  if (!s) return undefined;
  if (s.ignored) {
    const i = s.ignored;
    return `ignored (${i.file}:${i.line}${i.expires ? `, until ${i.expires}` : ''}${i.reason ? `: ${i.reason}` : ''})`;
  }
  return `VEX not_affected (${s.justification})`;
}

/** '44 vulnerabilities in 19 packages: 7 critical, …; 40 fixable, 4 not fixed'. */
export function summaryLine(c: FindingCounts, gaps: readonly LayerGap[] = []): string {
  // A layer not read whole may hold the vulnerable packages: never an all-clear then.
  const gap = gaps.length ? `; incomplete: ${incompleteText(gaps)}` : '';
  if (c.total === 0) {
    if (!gaps.length) return 'No vulnerabilities found';
    return `No vulnerabilities found in ${gaps.some((g) => g.read === 'partly') ? 'what could be read' : 'the layers that could be read'}${gap}`;
  }
  const levels = SEVERITY_LEVELS.map((l) => `${c.bySeverity[l].total} ${l}`).join(', ');
  const extra = [`${c.fixed} fixable`, `${c.unfixed} not fixed`];
  if (c.kev) extra.push(`${c.kev} known exploited (CISA KEV)`);
  if (c.suppressed > c.ignored) extra.push(`${c.suppressed - c.ignored} not affected per VEX`);
  if (c.ignored) extra.push(`${c.ignored} ignored (${plural(c.ignored, 'rule', 'rules').replace(/^\d+ /, '')} of an ignore file)`);
  return `${plural(c.total, 'vulnerability', 'vulnerabilities')} (${c.vulnerabilities} distinct) in ${plural(c.packages, 'package')}: ${levels}; ${extra.join(', ')}${gap}`;
}

/**
 * The layers missing from a result, in words: those not read at all together ('2 layers could
 * not be read (layer 0 (…), layer 3 (…))'), then each partly read one with where and why it
 * stopped (see gapText).
 */
export function incompleteText(gaps: readonly LayerGap[]): string {
  const none = gaps.filter((g) => g.read === 'none').map((g) => g.layer);
  const parts = none.length ? [`${plural(none.length, 'layer')} could not be read (${none.join(', ')})`] : [];
  for (const g of gaps) if (g.read === 'partly') parts.push(gapText(g));
  return parts.join('; ');
}

/** The image reference, or what the user pointed at. */
export function targetName(sbom: Sbom, fallback?: string): string {
  return sbom.image?.reference ?? fallback ?? 'sbom';
}

/** Readable 'where' of a package: each evidence path with its layer. */
export function locationText(p: FindingPackage): string[] {
  return p.locations.map((l) => (l.layer ? `${l.path} (layer ${l.layer.index} ${l.layer.diffId.slice(0, 19)})` : l.path));
}

/** A URL to read about a vulnerability id. */
export function vulnerabilityUrl(id: string): string {
  if (/^CVE-\d{4}-\d+$/.test(id)) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${encodeURIComponent(id)}`;
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

export function fixText(f: Finding): string {
  if (f.status === 'not-affected') return 'not affected';
  return f.fixedVersions.length ? f.fixedVersions.join(', ') : 'not fixed';
}

const SEVERITY_STYLE: Record<SeverityLevel, Style> = { critical: 'brightRed', high: 'red', medium: 'yellow', low: 'blue', negligible: 'dim', unknown: 'dim' };

/** A severity level's colour on a terminal (`level` may be followed by a score: 'high 7.5'). */
export function paintSeverity(text: string, level: SeverityLevel, on: boolean): string {
  return paint(text, SEVERITY_STYLE[level] ?? 'dim', on);
}

export function severityText(f: Finding): string {
  return f.severity.score !== undefined ? `${f.severity.level} ${f.severity.score.toFixed(1)}` : f.severity.level;
}

export function epssText(f: Finding): string {
  return f.epss ? `${(f.epss.score * 100).toFixed(2)}% (p${Math.round(f.epss.percentile * 100)})` : '-';
}
