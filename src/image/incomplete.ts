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

/** The layers (their labels) that could not be read; empty when the scan is complete. */
export function failedLayers(warnings: readonly ScanWarning[]): string[] {
  const layers = new Set<string>();
  for (const w of warnings) if (isLayerFailure(w)) layers.add(w.layer ?? w.message);
  return [...layers];
}

export function scanIncomplete(warnings: readonly ScanWarning[]): boolean {
  return warnings.some(isLayerFailure);
}
