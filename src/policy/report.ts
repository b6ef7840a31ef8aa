/** A policy report as text (each policy, its violations and how to fix them, the health score) and JSON. */
import type { HealthScore, PolicyReport } from './evaluate.js';
import type { PolicyResult } from './types.js';

const MARK: Record<PolicyResult['status'], string> = { pass: '✓ pass   ', fail: '✗ FAIL   ', unknown: '? unknown', error: '! ERROR  ' };
/** Violations listed per policy in text; JSON has them all. */
const SHOWN = 10;

export function healthLine(h: HealthScore): string {
  const counts = `${h.passed} passed, ${h.failed} failed${h.unknown ? `, ${h.unknown} unknown` : ''}${h.errors ? `, ${h.errors} errors` : ''}`;
  return h.grade ? `Health score: ${h.grade} (${h.score}% of the weighted policies pass; ${counts})` : `Health score: none (no policy could be evaluated; ${counts})`;
}

export function writePolicyText(r: PolicyReport): string {
  const out = [`Policies for ${r.target}${r.digest ? ` (${r.digest.slice(0, 19)})` : ''}`, ''];
  for (const p of r.results) {
    out.push(`${MARK[p.status]}  ${p.title}  [${p.id}]${p.violations.length ? `  ${p.violations.length} violation${p.violations.length === 1 ? '' : 's'}` : ''}`);
    if (p.reason) out.push(`            ${p.reason}`);
    for (const v of p.violations.slice(0, SHOWN)) out.push(`            - ${v.subject}: ${v.detail}${v.fix ? ` → ${v.fix}` : ''}`);
    if (p.violations.length > SHOWN) out.push(`            … and ${p.violations.length - SHOWN} more (--format json lists them all)`);
    if (p.status === 'fail') out.push(`            fix: ${p.fix}`);
  }
  out.push('', healthLine(r.health));
  return out.join('\n') + '\n';
}

export function writePolicyJson(r: PolicyReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
