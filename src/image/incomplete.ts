import type { ScanWarning } from '../util/errors.js';

/**
 * The one rule that decides whether a scan is incomplete: some layer could not be read, so
 * packages and files from it are missing from the result. Every command that reads an image
 * (image inspect, sbom, cves, quickview, explain) asks this, and exits 3 when it says so.
 *
 * scanImage marks the warning of every layer it gave up on (`layerFailed`), whatever the cause:
 * a size or ratio cap, too many entries, a registry error, a blob outside the layout, a digest
 * that does not match. The codes below are how SBOMs written before that mark said the same.
 */
const OLD_FAILURE_CODES = new Set(['layer-failed', 'digest-mismatch', 'truncated-layer', 'corrupt-layer']);

export function isLayerFailure(w: ScanWarning): boolean {
  return w.layerFailed === true || OLD_FAILURE_CODES.has(w.code);
}

/** The layers (their labels) not read whole, partly read ones included; empty when the scan is complete. */
export function failedLayers(warnings: readonly ScanWarning[]): string[] {
  const layers = new Set<string>();
  for (const w of warnings) if (isLayerFailure(w)) layers.add(w.layer ?? w.message);
  return [...layers];
}

/** A layer missing from the result in part or in whole, and why: what summaries say about it. */
export interface LayerGap {
  layer: string;
  /** 'none': none of its files are in the result. 'partly': all are but what `stoppedAt` says. */
  read: 'none' | 'partly';
  /** Why: the failure (read 'none'), or the limit in a few words (read 'partly'). */
  reason: string;
  /** Partly read: the file or nested archive (`/app/a.jar:lib/b.jar`) where the first limit stopped the reading. */
  stoppedAt?: string;
  /** Partly read: the layer's regular files read before that place, and after it. */
  filesBefore?: number;
  filesAfter?: number;
  /** Partly read: other places in the layer where a limit stopped the reading. */
  otherStops?: number;
}

/**
 * Each layer not read whole, in the order first warned about. A layer whose warnings say where
 * a limit stopped it (`partlyRead`) was otherwise read: its files are in the result. Any other
 * failure left the layer out entirely (and SBOMs from before `partlyRead` say only that).
 */
export function layerGaps(warnings: readonly ScanWarning[]): LayerGap[] {
  const byLayer = new Map<string, ScanWarning[]>();
  for (const w of warnings) {
    if (!isLayerFailure(w)) continue;
    const key = w.layer ?? w.message;
    const list = byLayer.get(key);
    if (list) list.push(w);
    else byLayer.set(key, [w]);
  }
  return [...byLayer].map(([layer, ws]) => {
    const stops = ws.filter((w) => w.partlyRead);
    const first = stops[0]?.partlyRead;
    if (!first) return { layer, read: 'none', reason: withoutLabel(ws[0].message, layer) };
    return {
      layer,
      read: 'partly',
      reason: first.reason,
      stoppedAt: first.stoppedAt,
      filesBefore: first.filesBefore,
      ...(first.filesAfter >= 0 ? { filesAfter: first.filesAfter } : {}),
      // Past the first 20 the layer counts the rest in one warning ("N more files cut short").
      otherStops: stops.length - 1 + ws.filter((w) => !w.partlyRead).reduce((n, w) => n + (Number(/(\d+) more files cut short/.exec(w.message)?.[1]) || 0), 0),
    };
  });
}

function withoutLabel(message: string, layer: string): string {
  return message.startsWith(`${layer}: `) ? message.slice(layer.length + 2) : message;
}

function files(n: number): string {
  return `${n} ${n === 1 ? 'file' : 'files'}`;
}

/**
 * One gap in words: 'layer 2 (sha256:…) partly read: stopped at /app/a.jar:lib/b.jar: nested
 * archive budget (time) exceeded; 12 files read before, 3 after' or 'layer 1 (sha256:…) could
 * not be read: <why>'.
 */
export function gapText(g: LayerGap): string {
  if (g.read === 'none') return `${g.layer} could not be read: ${g.reason}`;
  const after = g.filesAfter ? `, ${g.filesAfter} after` : '';
  const more = g.otherStops ? `; stopped at ${g.otherStops} other ${g.otherStops === 1 ? 'place' : 'places'} too` : '';
  return `${g.layer} partly read: stopped at ${g.stoppedAt}: ${g.reason}; ${files(g.filesBefore ?? 0)} read before${after}${more}`;
}

export function scanIncomplete(warnings: readonly ScanWarning[]): boolean {
  return warnings.some(isLayerFailure);
}
