/**
 * `scout quickview`: one screen about an image — reference, digest, package count and
 * vulnerability counts by severity, fixed and unfixed.
 *
 * Base image comparison is not done yet. The seam is `QuickviewInput.base`: when a base image is
 * detected and scanned, the command passes its reference and findings, and both renderers show
 * it as a second row beside the target, without other changes.
 */
import { table } from '../cli/output/text.js';
import { SEVERITY_LEVELS } from '../match/severity.js';
import type { Finding } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { countFindings, type FindingCounts, incompleteText, paintSeverity, plural, targetName } from './summary.js';
import type { Display, ReportOptions } from './types.js';
import { failedLayers, layerGaps, type LayerGap } from '../image/incomplete.js';
import type { HealthScore, PolicyReport } from '../policy/evaluate.js';
import type { PolicyStatus } from '../policy/types.js';
import { healthLine } from '../policy/report.js';

export interface QuickviewInput {
  sbom: Sbom;
  findings: readonly Finding[];
  /** The base image and its findings, once base image detection exists. */
  base?: { reference: string; digest?: string; findings: readonly Finding[] };
  /** The policy evaluation of the same image (scout policy). */
  policies?: PolicyReport;
}

export interface Quickview {
  schema: 'iechor-scout/quickview@1';
  target: { reference: string; digest?: string; platform?: string; os?: string; packages: number };
  vulnerabilities: FindingCounts;
  base?: { reference: string; digest?: string; vulnerabilities: FindingCounts };
  /** Why there is no base row (until base image comparison exists). */
  baseNote?: string;
  /** Layers not read whole (labels; partly read ones too): the counts above may miss their packages' vulnerabilities. */
  failedLayers?: string[];
  /** The same layers, each with whether it was read at all, and where and why a partly read one stopped. */
  incomplete?: LayerGap[];
  /** Each policy's status and violation count, and the health score (details: scout policy). */
  policies?: { health: HealthScore; results: { id: string; title: string; status: PolicyStatus; violations: number }[] };
}

export function quickview(input: QuickviewInput, opts: Pick<ReportOptions, 'target'>): Quickview {
  const { sbom } = input;
  const img = sbom.image;
  const q: Quickview = {
    schema: 'iechor-scout/quickview@1',
    target: {
      reference: targetName(sbom, opts.target),
      ...(img?.digest ? { digest: img.digest } : {}),
      ...(img ? { platform: [img.platform.os, img.platform.architecture, img.platform.variant].filter(Boolean).join('/') } : {}),
      ...(sbom.distro?.prettyName || img?.os.prettyName ? { os: sbom.distro?.prettyName ?? img?.os.prettyName } : {}),
      packages: sbom.packageCount,
    },
    vulnerabilities: countFindings(input.findings),
  };
  if (input.base) q.base = { reference: input.base.reference, ...(input.base.digest ? { digest: input.base.digest } : {}), vulnerabilities: countFindings(input.base.findings) };
  else q.baseNote = 'base image comparison is not available yet';
  if (input.policies) q.policies = { health: input.policies.health, results: input.policies.results.map((r) => ({ id: r.id, title: r.title, status: r.status, violations: r.violations.length })) };
  const failed = failedLayers(sbom.warnings);
  if (failed.length) {
    q.failedLayers = failed;
    q.incomplete = layerGaps(sbom.warnings);
  }
  return q;
}

export function writeQuickviewJson(q: Quickview): string {
  return JSON.stringify(q, null, 2) + '\n';
}

export function writeQuickviewText(q: Quickview, display?: Display): string {
  const t = q.target;
  const v = q.vulnerabilities;
  const out: string[] = [];
  const info: string[][] = [['Target', t.reference]];
  if (t.digest) info.push(['  digest', t.digest]);
  if (t.platform) info.push(['  platform', t.platform]);
  if (t.os) info.push(['  os', t.os]);
  info.push(['  packages', String(t.packages)]);
  if (q.base) info.push(['Base image', `${q.base.reference}${q.base.digest ? ` (${q.base.digest})` : ''}`]);
  out.push(table(info), '');
  const header = ['SEVERITY', 'TOTAL', 'FIXED', 'NOT FIXED'];
  if (q.base) header.push('BASE IMAGE');
  const rows = SEVERITY_LEVELS.map((l) => {
    const r = [l, String(v.bySeverity[l].total), String(v.bySeverity[l].fixed), String(v.bySeverity[l].unfixed)];
    if (q.base) r.push(String(q.base.vulnerabilities.bySeverity[l].total));
    return r;
  });
  const all = ['all', String(v.total), String(v.fixed), String(v.unfixed)];
  if (q.base) all.push(String(q.base.vulnerabilities.total));
  rows.push(all);
  const color = display?.color ?? false;
  out.push(table(rows, header, { style: (cell, column, row) => (column === 0 && row < SEVERITY_LEVELS.length ? paintSeverity(cell, SEVERITY_LEVELS[row], color) : cell) }), '');
  out.push(`${plural(v.total, 'vulnerability', 'vulnerabilities')} (${v.vulnerabilities} distinct) in ${v.packages} of ${plural(t.packages, 'package')}${v.kev ? `; ${v.kev} known exploited (CISA KEV)` : ''}`);
  if (q.incomplete?.length) out.push(`Incomplete: ${incompleteText(q.incomplete)}; the counts above leave out the packages not read`);
  else if (q.failedLayers) out.push(`Incomplete: ${plural(q.failedLayers.length, 'layer')} could not be read (${q.failedLayers.join(', ')}); the counts above leave out their packages`);
  if (q.baseNote) out.push(`Base image: ${q.baseNote}`);
  if (q.policies) {
    out.push('', table(q.policies.results.map((r) => [r.status === 'fail' ? 'FAIL' : r.status, r.title, r.violations ? String(r.violations) : '']), ['STATUS', 'POLICY', 'VIOLATIONS']), '', healthLine(q.policies.health));
  }
  out.push(`Details: scout cves ${t.reference}${q.policies ? `; scout policy ${t.reference}` : ''}`);
  return out.join('\n') + '\n';
}
