/** Plain-text helpers for readable terminal output. */

export interface TableOptions {
  /**
   * Columns the table may use (the terminal's width, see terminal.ts); undefined: no limit.
   * Only the columns in `shrink` are shortened, so ids, names and versions stay whole even
   * when the table then stays wider than this.
   */
  maxWidth?: number;
  /** Columns that may be shortened, first shortened first; `end` keeps a cell's end (paths). */
  shrink?: { column: number; keep?: 'start' | 'end' }[];
  /** Styles a cell's text (colour) after its width is worked out; never changes the text. */
  style?: (cell: string, column: number, row: number) => string;
}

/** Narrowest a shortened column gets: a few characters and the ellipsis still say something. */
const MIN_SHRUNK = 6;

export function table(rows: string[][], header?: string[], opts: TableOptions = {}): string {
  const all = header ? [header, ...rows] : rows;
  const widths: number[] = [];
  for (const r of all) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const cut = new Map<number, 'start' | 'end'>();
  if (opts.maxWidth !== undefined) {
    let excess = widths.reduce((s, w) => s + w, 0) + 2 * (widths.length - 1) - opts.maxWidth;
    for (const { column, keep } of opts.shrink ?? []) {
      if (excess <= 0) break;
      const floor = Math.min(widths[column] ?? 0, Math.max(MIN_SHRUNK, header?.[column]?.length ?? 0));
      const take = Math.min(excess, (widths[column] ?? 0) - floor);
      if (take <= 0) continue;
      widths[column] -= take;
      excess -= take;
      cut.set(column, keep ?? 'start');
    }
  }
  const fit = (c: string, i: number): string => {
    const w = widths[i];
    if (!cut.has(i) || c.length <= w) return c;
    return cut.get(i) === 'end' ? '…' + c.slice(c.length - w + 1) : c.slice(0, w - 1) + '…';
  };
  const line = (r: string[], row: number) =>
    r
      .map((c, i) => {
        const text = fit(c, i);
        const pad = i === r.length - 1 ? '' : ' '.repeat(widths[i] - text.length);
        // The header is not styled: only data cells carry meaning by colour.
        const isHeader = !!header && row === 0;
        return (opts.style && !isHeader ? opts.style(text, i, header ? row - 1 : row) : text) + pad;
      })
      .join('  ')
      .trimEnd();
  const out = all.map(line);
  if (header) out.splice(1, 0, widths.map((w) => '─'.repeat(w)).join('  '));
  return out.join('\n');
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '-';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export function short(digest: string, n = 12): string {
  const [algo, hex] = digest.split(':');
  return hex ? `${algo}:${hex.slice(0, n)}` : digest;
}
