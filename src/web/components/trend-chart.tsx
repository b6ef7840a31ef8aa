/**
 * Open findings per severity over time, as an SVG line chart (no chart library, nothing
 * fetched), with the same figures as a table under it (for screen readers, and to read a
 * day's exact counts).
 */
import { SEVERITIES } from './common';
import type { TrendPoint } from '../types';

const SHOWN = SEVERITIES.slice(0, 4);

export function TrendChart({ points }: { points: TrendPoint[] }) {
  const W = 640;
  const H = 200;
  const L = 40;
  const B = 22;
  // A loop, not Math.max(...): a spread puts every value on the stack.
  let max = 1;
  for (const p of points) for (const s of SHOWN) max = Math.max(max, p.counts[s] ?? 0);
  const x = (i: number) => L + (points.length <= 1 ? 0 : (i * (W - L - 10)) / (points.length - 1));
  const y = (v: number) => H - B - (v / max) * (H - B - 10);
  const ticks = [0, Math.round(max / 2), max];
  const labelEvery = Math.max(1, Math.ceil(points.length / 6));
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`open vulnerabilities per day over ${points.length} days`}>
        {ticks.map((t) => (
          <g key={t}>
            <line className="axis" x1={L} x2={W - 10} y1={y(t)} y2={y(t)} />
            <text x={L - 6} y={y(t) + 4} textAnchor="end">
              {t}
            </text>
          </g>
        ))}
        {points.map((p, i) =>
          i % labelEvery === 0 || i === points.length - 1 ? (
            <text key={p.date} x={x(i)} y={H - 6} textAnchor="middle">
              {p.date.slice(5)}
            </text>
          ) : null,
        )}
        {SHOWN.map((s) => (
          <polyline
            key={s}
            data-severity={s}
            fill="none"
            strokeWidth={2}
            style={{ stroke: `var(--${s})` }}
            points={points.map((p, i) => `${x(i)},${y(p.counts[s] ?? 0)}`).join(' ')}
          />
        ))}
      </svg>
      <figcaption className="muted">
        {SHOWN.map((s) => (
          <span key={s} style={{ marginRight: 12 }}>
            <span style={{ color: `var(--${s})` }}>■</span> {s}
          </span>
        ))}
      </figcaption>
      <details>
        <summary>As a table</summary>
        <table aria-label="open vulnerabilities per day">
          <thead>
            <tr>
              <th>Day</th>
              {SHOWN.map((s) => (
                <th key={s} className="num">
                  {s}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.date}>
                <td>{p.date}</td>
                {SHOWN.map((s) => (
                  <td key={s} className="num">
                    {p.counts[s] ?? 0}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
