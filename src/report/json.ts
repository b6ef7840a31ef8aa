/**
 * `scout cves --format json`: our own document. Findings keep every field the matcher gives
 * except the range trace (that is what `scout explain` is for).
 */
import type { Finding } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { countFindings, targetName } from './summary.js';
import { layerGaps } from '../image/incomplete.js';
import type { ReportOptions } from './types.js';

export const CVES_JSON_SCHEMA = 'iechor-scout/cves@1';

export function writeJson(findings: readonly Finding[], sbom: Sbom, opts: ReportOptions): string {
  const doc: Record<string, unknown> = {
    schema: CVES_JSON_SCHEMA,
    generatedAt: opts.generatedAt ?? new Date().toISOString(),
    tool: opts.tool,
    target: {
      reference: targetName(sbom, opts.target),
      ...(sbom.image ? { digest: sbom.image.digest, platform: sbom.image.platform } : {}),
      ...(sbom.distro ? { distro: sbom.distro } : {}),
      packages: sbom.packageCount,
    },
    summary: countFindings(findings),
    findings: findings.map(withoutTrace),
  };
  if (opts.sources) doc.sources = opts.sources.map((s) => ({ name: s.name, kind: s.kind, importedAt: s.importedAt, count: s.count }));
  if (opts.match) {
    doc.notMatchable = opts.match.notMatchable;
    doc.skippedByReason = opts.match.skippedByReason;
    doc.stats = opts.match.stats;
  }
  const warnings = [...sbom.warnings, ...(opts.match?.warnings ?? [])];
  if (warnings.length) doc.warnings = warnings;
  // Layers not read whole, and how: the summary above may leave out their packages.
  const gaps = layerGaps(sbom.warnings);
  if (gaps.length) doc.incomplete = gaps;
  return JSON.stringify(doc, null, 2) + '\n';
}

/**
 * A finding without its trace, copied key by key: the trace is built when first read, and
 * destructuring it away would read (and build) it for nothing.
 */
function withoutTrace(f: Finding): Omit<Finding, 'trace'> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(f)) if (k !== 'trace') out[k] = (f as unknown as Record<string, unknown>)[k];
  return out as Omit<Finding, 'trace'>;
}
