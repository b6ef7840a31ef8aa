/**
 * A one-line progress bar on stderr while blobs download, shown only on a terminal so piped
 * output and CI logs stay clean.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ((e: { layer?: string; bytes: number; total?: number; done?: boolean }) => void) | undefined {
  if (!stream.isTTY || process.env.CI) return undefined;
  const totals = new Map<string, { bytes: number; total: number }>();
  let last = 0;
  return (e) => {
    const key = e.layer ?? '';
    const t = totals.get(key) ?? { bytes: 0, total: e.total ?? 0 };
    t.bytes += e.bytes;
    if (e.total) t.total = e.total;
    totals.set(key, t);
    const now = Date.now();
    if (!e.done && now - last < 100) return;
    last = now;
    let bytes = 0;
    let total = 0;
    for (const v of totals.values()) {
      bytes += v.bytes;
      total += v.total;
    }
    const frac = total ? Math.min(1, bytes / total) : 0;
    const width = 30;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '░');
    stream.write(`\r${bar} ${mb(bytes)}/${total ? mb(total) : '?'} MB`);
    if (total && bytes >= total) stream.write('\r\x1b[K');
  };
}

function mb(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}
