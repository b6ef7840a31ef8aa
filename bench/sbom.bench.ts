/**
 * SBOM: catalog a large image (Debian root file system, thousands of npm packages, a Python
 * tree, jars) cold and warm; wall time, peak RSS, packages found, ratio to zcat of its layers.
 * Targets (issue #3): cold ≤ 1.3× zcat, warm ≤ 0.3 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { child, fmt, timeShell } from './lib/measure.js';
import { ensureSbomImage } from './lib/sbom-image.js';

export async function run(): Promise<void> {
  const root = process.env.SCOUT_BENCH_DIR ?? join(tmpdir(), 'scout-bench');
  const spec = { debs: 400, rootFiles: 60_000, pythonPackages: 300, npmPackages: 3000, jarCopies: 10 };
  const img = await ensureSbomImage(join(root, 'sbom-image-v1'), spec);
  const zcat = timeShell(`zcat ${img.blobs.join(' ')} > /dev/null`, 2);
  const cache = mkdtempSync(join(tmpdir(), 'scout-bench-cache-'));
  try {
    const cold = child('./sbom-child.mjs', [`oci-dir://${img.dir}`, cache]);
    const warmLayers = child('./sbom-child.mjs', [`oci-dir://${img.dir}`, cache], { SCOUT_BENCH_CATALOG_CACHE: '0' });
    const warm = child('./sbom-child.mjs', [`oci-dir://${img.dir}`, cache]);
    console.log(
      `image: ${img.blobs.length} layers, ${(img.uncompressed / 1e6).toFixed(0)} MB uncompressed; packages found: ${cold.out.packages} ${JSON.stringify(cold.out.byType)}\n` +
        `  zcat of all layers   ${fmt(zcat)}\n` +
        `  cold SBOM            ${fmt(cold.ms)}  (${(cold.ms / zcat).toFixed(2)}× zcat; target ≤ 1.3×)  peak RSS ${cold.maxRssMb.toFixed(0)} MB\n` +
        `  warm, layer cache    ${fmt(warmLayers.ms)}  (layers from cache, catalogers run again)  peak RSS ${warmLayers.maxRssMb.toFixed(0)} MB\n` +
        `  warm, image cache    ${fmt(warm.ms)}  (target ≤ 0.3 s; same layer stack seen before)  peak RSS ${warm.maxRssMb.toFixed(0)} MB`,
    );
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}
