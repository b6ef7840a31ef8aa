/** Small pieces every page uses: severity marks, loading and error states, cursor paging. */
import type { ReactNode } from 'react';
import type { Loaded } from '../use-api';
import { ApiError } from '../api';
import { setQuery } from '../router';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeverityCounts = Partial<Record<Severity, number>>;

const sevVar = (s: string) => `var(--${s === 'unknown' ? 'unspecified' : s})`;

export function SevBadge({ level, count }: { level: string; count?: number }) {
  const zero = count === 0;
  return (
    <span className={`sev${zero ? ' zero' : ''}`} style={{ ['--sev' as string]: sevVar(level) }} title={count === undefined ? level : `${count} ${level}`}>
      {count === undefined ? level : count}
    </span>
  );
}

/** Counts as four badges (C H M L), the way a row of a long table reads fastest. */
export function SevCounts({ counts }: { counts?: SeverityCounts }) {
  return (
    <span className="sevcounts" aria-label={SEVERITIES.slice(0, 4).map((s) => `${counts?.[s] ?? 0} ${s}`).join(', ')}>
      {SEVERITIES.slice(0, 4).map((s) => (
        <SevBadge key={s} level={s} count={counts?.[s] ?? 0} />
      ))}
    </span>
  );
}

export function SevCards({ counts, label }: { counts?: SeverityCounts; label?: string }) {
  return (
    <div className="cards" aria-label={label ?? 'vulnerabilities by severity'}>
      {SEVERITIES.map((s) => (
        <div className="card" key={s} style={{ ['--sev' as string]: sevVar(s) }} data-severity={s}>
          <div className="n">{(counts?.[s] ?? 0).toLocaleString('en')}</div>
          <div className="l">{s}</div>
        </div>
      ))}
    </div>
  );
}

export function SevBar({ counts }: { counts?: SeverityCounts }) {
  const total = SEVERITIES.reduce((n, s) => n + (counts?.[s] ?? 0), 0);
  return (
    <div className="sevbar" aria-hidden="true">
      {total > 0 && SEVERITIES.map((s) => <span key={s} style={{ ['--sev' as string]: sevVar(s), width: `${((counts?.[s] ?? 0) / total) * 100}%` }} />)}
    </div>
  );
}

/** What a page shows while its data loads or when loading failed. */
export function Status<T>({ r, children }: { r: Loaded<T>; children: (data: T) => ReactNode }) {
  if (r.error) {
    const e = r.error;
    return (
      <div className="error" role="alert">
        {e instanceof ApiError && e.status === 404 ? 'Not found.' : e.message}
      </div>
    );
  }
  if (r.data === undefined) return <p className="muted" aria-busy="true">Loading…</p>;
  return <>{children(r.data)}</>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/**
 * Cursor paging: the cursor lives in the URL (`cursor`), so a page can be linked; "first"
 * drops it. The browser's back button returns to the page before.
 */
export function Pager({ next, cursor, param = 'cursor', shown, total }: { next?: string; cursor?: string | null; param?: string; shown: number; total?: number }) {
  return (
    <nav className="pager" aria-label="pages">
      <button type="button" disabled={!cursor} onClick={() => setQuery({ [param]: undefined })}>
        First page
      </button>
      <button type="button" disabled={!next} onClick={() => setQuery({ [param]: next })}>
        Next page
      </button>
      <span className="muted">
        {shown} shown{total !== undefined ? ` of ${total.toLocaleString('en')}` : ''}
      </span>
    </nav>
  );
}

export function shortDigest(d?: string): string {
  if (!d) return '';
  const i = d.indexOf(':');
  return i >= 0 ? d.slice(0, i + 13) : d.slice(0, 12);
}

export function when(iso?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function bytes(n?: number): string {
  if (n === undefined || n === null) return '';
  const u = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < u.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${u[i]}`;
}
