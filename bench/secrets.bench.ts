/**
 * Secrets: what the secret scan adds to a cold SBOM of the SBOM benchmark's image (the same
 * layer pass, every text file searched). Runs alternate with and without it, fresh caches each
 * time, and the figure is the median of the pairs' ratios. Target (issue #14): ≤ 1.3×. The
 * processes' CPU time is given too: on a shared machine it moves far less than wall time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { child, fmt, median } from './lib/measure.js';
import { ensureSbomImage } from './lib/sbom-image.js';

export async function run(): Promise<void> {
  const root = process.env.SCOUT_BENCH_DIR ?? join(tmpdir(), 'scout-bench');
  const img = await ensureSbomImage(join(root, 'sbom-image-v1'), { debs: 400, rootFiles: 60_000, pythonPackages: 300, npmPackages: 3000, jarCopies: 10 });
  const PAIRS = 5;
  const caches: string[] = [];
  const fresh = () => {
    const c = mkdtempSync(join(tmpdir(), 'scout-bench-cache-'));
    caches.push(c);
    return c;
  };
  try {
    const pairs = Array.from({ length: PAIRS }, () => {
      const plain = child('./secrets-child.mjs', [`oci-dir://${img.dir}`, fresh(), '0']);
      const scanned = child('./secrets-child.mjs', [`oci-dir://${img.dir}`, fresh(), '1']);
      return { plain, scanned, ratio: scanned.ms / plain.ms, cpuRatio: (scanned.out.cpuMs as number) / (plain.out.cpuMs as number) };
    });
    const last = pairs[pairs.length - 1].scanned.out;
    console.log(
      `image: ${img.blobs.length} layers, ${(img.uncompressed / 1e6).toFixed(0)} MB of tar; ${last.packages} packages; secrets found: ${last.secrets}; skipped ${JSON.stringify(last.skipped)}\n` +
        `  cold SBOM                 ${fmt(median(pairs.map((p) => p.plain.ms)))}  (median of ${PAIRS})\n` +
        `  cold SBOM + secret scan   ${fmt(median(pairs.map((p) => p.scanned.ms)))}  median ${median(pairs.map((p) => p.ratio)).toFixed(2)}× the SBOM alone (target ≤ 1.30×; pairs: ${pairs.map((p) => `${p.ratio.toFixed(2)}×`).join(' ')}); load average ${loadavg()[0].toFixed(1)}\n` +
        `  CPU time (every thread)   ${fmt(median(pairs.map((p) => p.plain.out.cpuMs as number)))} → ${fmt(median(pairs.map((p) => p.scanned.out.cpuMs as number)))}  median ${median(pairs.map((p) => p.cpuRatio)).toFixed(2)}× (pairs: ${pairs.map((p) => `${p.cpuRatio.toFixed(2)}×`).join(' ')}; steadier than wall time under load)`,
    );
  } finally {
    for (const c of caches) rmSync(c, { recursive: true, force: true });
  }
}
