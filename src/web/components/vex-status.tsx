/**
 * A finding's VEX status (`vex` on findings and vulnerability usage): the deciding statement's
 * status as a pill, its justification or impact statement beside it, and where it came from
 * (the stored document, its author) on hover. No statement: a dash.
 */
import type { Finding, VulnerabilitySummary } from '../types';

type FindingVex = NonNullable<Finding['vex']>;

const LABEL: Record<FindingVex['status'], string> = { not_affected: 'not affected', affected: 'affected', fixed: 'fixed', under_investigation: 'under investigation' };

/** The `vex` URL values the Vulnerabilities tab offers, and the statuses each asks the API for. */
export const VEX_FILTERS: [string, string, string[]][] = [
  ['', 'Any VEX status', []],
  ['hide-not-affected', 'Hide not affected', ['affected', 'fixed', 'under_investigation', 'none']],
  ['not_affected', 'VEX: not affected', ['not_affected']],
  ['affected', 'VEX: affected', ['affected']],
  ['under_investigation', 'VEX: under investigation', ['under_investigation']],
  ['fixed', 'VEX: fixed', ['fixed']],
  ['none', 'No VEX statement', ['none']],
];

/** `&vex=…` for the findings API (repeated), from the URL's `vex` value. */
export function vexQuery(value: string): string {
  return (VEX_FILTERS.find(([v]) => v === value)?.[2] ?? []).map((s) => `&vex=${s}`).join('');
}

export function VexStatus({ vex }: { vex?: FindingVex }) {
  if (!vex) return <span className="muted" aria-label="no VEX statement">–</span>;
  const why = vex.justification ?? vex.impactStatement;
  const from = [vex.document.author, vex.document.documentId ?? vex.document.file, vex.timestamp].filter(Boolean).join(', ');
  return (
    <span title={from ? `VEX statement from ${from}` : undefined}>
      <span className={`pill vex vex-${vex.status}`}>{LABEL[vex.status]}</span>
      {why && <div className="muted">{why.replaceAll('_', ' ')}</div>}
      {vex.actionStatement && <div className="muted">{vex.actionStatement}</div>}
    </span>
  );
}

/**
 * A vulnerability's open findings by VEX status (the Vulnerabilities page): a pill per status
 * some finding has, with how many; findings no statement decides are counted as "no VEX".
 */
export function VexCounts({ counts }: { counts: VulnerabilitySummary['vex'] }) {
  const decided = (Object.keys(LABEL) as FindingVex['status'][]).filter((s) => counts[s] > 0);
  if (!decided.length) return <span className="muted" aria-label="no VEX statement">–</span>;
  return (
    <span className="vex-counts">
      {decided.map((s) => (
        <span key={s} className={`pill vex vex-${s}`}>
          {counts[s]} {LABEL[s]}
        </span>
      ))}
      {counts.none > 0 && <span className="muted"> {counts.none} no VEX</span>}
    </span>
  );
}
