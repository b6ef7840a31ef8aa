/**
 * `scout explain`: renders the matcher's Explanation — per candidate package the ecosystem
 * mapping, every range evaluated with each version comparison, the data source and its import
 * date, the resulting finding and the VEX statement that applied.
 */
import type { ExplainedEvaluation, ExplainedPackage, Explanation } from '../match/explain.js';
import type { TraceEntry } from '../match/osv-range.js';
import type { VexStatementRef } from '../match/types.js';
import { appendAll } from '../util/arrays.js';

/** VEX statements that applied to a package's finding, by package id (explain does not apply VEX itself). */
export type VexByPackage = Map<string, VexStatementRef>;

const SYMBOL = { '-1': '<', '0': '=', '1': '>' } as const;

function traceLine(t: TraceEntry): string {
  switch (t.kind) {
    case 'event': {
      if (t.event === 'introduced' && t.eventVersion === '0') return `introduced 0 (from the first version) → ${t.affectedAfter ? 'affected' : 'not affected'}`;
      const sym = t.comparison === undefined ? '?' : SYMBOL[String(t.comparison) as keyof typeof SYMBOL];
      return `${t.event} ${t.eventVersion}: ${t.installed} ${sym} ${t.eventVersion} → ${t.affectedAfter ? 'affected' : 'not affected'}`;
    }
    case 'range-result':
      return `range result: ${t.note ?? ''}`.trimEnd();
    default:
      return `${t.kind}${t.note ? `: ${t.note}` : ''}`;
  }
}

function evaluationLines(e: ExplainedEvaluation): string[] {
  const out: string[] = [];
  const when = e.importedAt ? `imported ${e.importedAt}` : 'import date unknown';
  out.push(`    ${e.advisory} — source ${e.source} (${when}), modified ${e.modified}`);
  out.push(`      entry: ${e.ecosystem} ${e.entryPackage} → ${e.skipped ? `skipped (${e.skipped.reason}: ${e.skipped.detail})` : e.affected ? 'affected' : 'not affected'}${e.fixed.length ? `, fixed in ${e.fixed.join(', ')}` : ''}`);
  if (e.matchedRanges.length) out.push(`      matching ranges: ${e.matchedRanges.join(' | ')}`);
  if (e.triage.notAffected || e.triage.text) out.push(`      distribution triage: ${e.triage.notAffected ? 'not affected' : ''}${e.triage.text ? ` ${e.triage.text}` : ''}`.trimEnd());
  let range: number | undefined;
  for (const t of e.trace) {
    if (t.rangeIndex !== undefined && t.rangeIndex !== range && t.kind === 'event') {
      range = t.rangeIndex;
      out.push(`      range ${t.rangeIndex} (${t.rangeType ?? '?'}):`);
    }
    out.push(`        ${traceLine(t)}`);
  }
  return out;
}

function packageLines(p: ExplainedPackage, vex: VexByPackage): string[] {
  const out: string[] = [];
  out.push(`${p.package.name} ${p.package.version} (${p.package.type})  ${p.package.purl}`);
  out.push(`  verdict: ${p.verdict} — ${p.reason}`);
  if (p.mapping.ok) {
    out.push(`  ecosystem: ${p.mapping.ecosystems.join(', ')}; queried as ${p.mapping.name} ${p.mapping.version} (${p.mapping.scheme} versions)`);
    if (p.mapping.derivation.length) out.push(`  mapping: ${p.mapping.derivation.join('; ')}`);
  } else out.push(`  ecosystem: not mapped (${p.mapping.code}: ${p.mapping.reason})`);
  if (p.evaluations.length) out.push('  advisories evaluated:');
  for (const e of p.evaluations) appendAll(out, evaluationLines(e));
  for (const w of p.withdrawn) out.push(`  withdrawn: ${w.advisory} (${w.withdrawn})`);
  const f = p.finding;
  if (f) {
    out.push(`  finding: ${f.id} ${f.status}, severity ${f.severity.level}${f.severity.score !== undefined ? ` ${f.severity.score}` : ''}${f.severity.from ? ` (from ${f.severity.from})` : ''}`);
    out.push(`  data source: ${f.dataSource.name}${f.dataSource.importedAt ? `, imported ${f.dataSource.importedAt}` : ''}`);
    if (f.kev) out.push(`  CISA KEV: added ${f.kev.dateAdded}${f.kev.dueDate ? `, due ${f.kev.dueDate}` : ''}`);
    if (f.epss) out.push(`  EPSS: ${f.epss.score} (percentile ${f.epss.percentile})`);
  }
  const v = vex.get(p.package.id);
  if (v) out.push(`  VEX: ${v.status}${v.justification ? ` (${v.justification})` : ''} from ${v.file}${v.author ? ` by ${v.author}` : ''}${v.timestamp ? ` at ${v.timestamp}` : ''}${v.impactStatement ? ` — ${v.impactStatement}` : ''}`);
  else out.push('  VEX: none applied');
  return out;
}

export function writeExplainText(x: Explanation, vex: VexByPackage = new Map()): string {
  const out: string[] = [x.vulnerability];
  const others = x.ids.filter((i) => i !== x.vulnerability);
  if (others.length) out.push(`  also known as: ${others.join(', ')}`);
  if (x.advisories.length) {
    out.push('  advisories in the database:');
    for (const a of x.advisories) {
      const pkgs = a.packages.map((p) => `${p.ecosystem}/${p.name}`);
      const shown = pkgs.slice(0, 8).join(', ') + (pkgs.length > 8 ? `, … ${pkgs.length - 8} more` : '');
      out.push(`    ${a.id} (${a.source}${a.importedAt ? `, imported ${a.importedAt}` : ''})${a.withdrawn ? ` withdrawn ${a.withdrawn}` : ''}: ${shown || 'no package named'}`);
    }
  }
  out.push('');
  for (const p of x.packages) appendAll(out, packageLines(p, vex)).push('');
  out.push(`Summary: ${x.summary}`);
  return out.join('\n') + '\n';
}

export function writeExplainJson(x: Explanation, vex: VexByPackage = new Map()): string {
  const packages = x.packages.map((p) => (vex.has(p.package.id) ? { ...p, vex: vex.get(p.package.id) } : p));
  return JSON.stringify({ schema: 'iechor-scout/explain@1', ...x, packages }, null, 2) + '\n';
}
