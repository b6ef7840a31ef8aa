/**
 * Scans an image in a process of its own and reports its peak memory: memory tests measure
 * what a scan really takes (Buffers included, which a heap limit does not see), never time.
 * Run as a child by peakOfScan(); prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScanWarning } from '../../src/util/errors.js';

export interface PeakResult {
  warnings: ScanWarning[];
  packages?: number;
  /** Peak resident set size of the scanning process, in MiB. */
  peakMiB: number;
}

/** Scan `location` (the layer pass alone with `layers`, the whole SBOM with `sbom`) in a child process. */
export function peakOfScan(location: string, mode: 'layers' | 'sbom', env: Record<string, string> = {}): PeakResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), location, mode], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`the scanning process failed (exit ${r.status}, signal ${r.signal}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as PeakResult;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [location, mode] = process.argv.slice(2);
  const { openImage } = await import('../../src/image/open.js');
  const image = await openImage(location);
  let out: Omit<PeakResult, 'peakMiB'>;
  if (mode === 'sbom') {
    const { sbomForImage } = await import('../../src/sbom/build.js');
    const { sbom } = await sbomForImage(image, undefined, { cache: false }, { catalogCache: false });
    out = { warnings: sbom.warnings, packages: sbom.packageCount };
  } else {
    const { scanImage } = await import('../../src/image/scan.js');
    const scan = await scanImage(image, { selectors: [{ globs: ['**'] }], analyzers: [] }, { cache: false });
    out = { warnings: scan.warnings };
  }
  process.stdout.write(JSON.stringify({ ...out, peakMiB: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
}
