/**
 * The default `scout cves` output: findings grouped by package (Docker Scout's `packages`
 * format), worst packages first, and one summary line.
 */
import { table } from '../cli/output/text.js';
import type { Finding } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { compactCounts, countFindings, epssText, fixText, groupByPackage, locationText, paintSeverity, severityText, summaryLine, suppressionText, targetName } from './summary.js';
import { paint } from '../cli/terminal.js';
import type { ReportOptions } from './types.js';
import { layerGaps } from '../image/incomplete.js';
import { appendAll } from '../util/arrays.js';

function marks(f: Finding): string {
  const m: string[] = [];
  if (f.kev) m.push('KEV');
  if (f.suppressed) m.push(suppressionText(f)!);
  else if (f.vex) m.push(`VEX ${f.vex.status}`);
  return m.join(' ');
}

/** The table's columns: the id, severity and KEV mark are never shortened; the note first, then fix versions. */
const HEADER = ['VULNERABILITY', 'SEVERITY', 'FIXED IN', 'KEV', 'EPSS', 'NOTE'];
const SHRINK = [{ column: 5 }, { column: 2 }];
const INDENT = '    ';

export function writePackages(findings: readonly Finding[], sbom: Sbom, opts: ReportOptions): string {
  const color = opts.display?.color ?? false;
  const out: string[] = [];
  out.push(`Target: ${targetName(sbom, opts.target)}`);
  if (sbom.image?.digest) out.push(`Digest: ${sbom.image.digest}`);
  out.push('');
  for (const g of groupByPackage(findings)) {
    const p = g.package;
    out.push(`${compactCounts(g.counts).padEnd(22)}  ${paint(p.name, 'bold', color)} ${p.version} (${p.type})`);
    out.push(`  ${p.purl}`);
    if (opts.locations) for (const l of locationText(p)) out.push(`  location: ${l}`);
    const rows = g.findings.map((f) => [f.id, severityText(f), fixText(f), f.kev ? 'KEV' : '-', epssText(f), marks(f).replace(/^KEV ?/, '')]);
    const width = opts.display?.width;
    const body = table(rows, HEADER, {
      ...(width ? { maxWidth: width - INDENT.length, shrink: SHRINK } : {}),
      style: (cell, column, row) => (column === 1 ? paintSeverity(cell, g.findings[row].severity.level, color) : column === 3 && cell === 'KEV' ? paint(cell, 'red', color) : cell),
    });
    appendAll(out, body.split('\n').map((l) => `${INDENT}${l}`));
    out.push('');
  }
  out.push(summaryLine(countFindings(findings), layerGaps(sbom.warnings)));
  return out.join('\n') + '\n';
}
