/**
 * Progress events of the library turned into the run's status line (terminal.ts decides whether
 * it is drawn at all: only on a terminal, not in CI, not with --quiet, after a second).
 */
import { statusLine, terminal } from './terminal.js';

/** Downloads (layers from a registry or engine, a feed): bytes so far of all of them together. */
export function progressReporter(what = 'layers'): ((e: { layer?: string; bytes: number; total?: number; done?: boolean }) => void) | undefined {
  if (!terminal().progress) return undefined;
  const totals = new Map<string, { bytes: number; total: number }>();
  return (e) => {
    const key = e.layer ?? '';
    const t = totals.get(key) ?? { bytes: 0, total: e.total ?? 0 };
    t.bytes += e.bytes;
    if (e.total) t.total = e.total;
    totals.set(key, t);
    let bytes = 0;
    let total = 0;
    for (const v of totals.values()) {
      bytes += v.bytes;
      total += v.total;
    }
    statusLine.set(`downloading ${what} ${mb(bytes)}/${total ? mb(total) : '?'} MB`);
  };
}

/** Layer reads (cataloguing): how many layers are done. */
export function layerReporter(): ((e: { index: number; fromCache: boolean; done: boolean }) => void) | undefined {
  if (!terminal().progress) return undefined;
  let done = 0;
  statusLine.set('reading layers');
  return (e) => {
    if (e.done) statusLine.set(`reading layers: ${++done} done`);
  };
}

function mb(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}
