/**
 * Image reading: index a large multi-layer image (many small files) cold and warm; compare
 * cold time with decompressing the same layers with zcat in the same run; show peak RSS for
 * a small and a large image (it should stay flat: layers are streamed, never held).
 * Targets (issue #2): cold ≤ 1.3× zcat, warm ≤ 0.3 s, RSS flat in image size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBigImage } from './lib/big-image.js';
import { child, fmt, timeShell } from './lib/measure.js';

export async function run(): Promise<void> {
  const root = process.env.SCOUT_BENCH_DIR ?? join(tmpdir(), 'scout-bench');
  const sizes = [
    { name: 'small', layers: 2, filesPerLayer: 10_000, avgSize: 2500 },
    { name: 'large', layers: 6, filesPerLayer: 40_000, avgSize: 2500 },
  ];
  for (const s of sizes) {
    const img = await ensureBigImage(join(root, `image-${s.name}-${s.layers}x${s.filesPerLayer}`), s);
    const zcat = timeShell(`zcat ${img.blobs.join(' ')} > /dev/null`, 2);
    const cache = mkdtempSync(join(tmpdir(), 'scout-bench-cache-'));
    try {
      const cold = child('./scan-child.mjs', [`oci-dir://${img.dir}`, cache]);
      const warm = child('./scan-child.mjs', [`oci-dir://${img.dir}`, cache]);
      console.log(
        `${s.name}: ${s.layers} layers, ${(img.uncompressed / 1e6).toFixed(0)} MB of tar (${(img.fileBytes / 1e6).toFixed(0)} MB in files), ${cold.out.files} files\n` +
          `  zcat of all layers   ${fmt(zcat)}\n` +
          `  cold index           ${fmt(cold.ms)}  (${(cold.ms / zcat).toFixed(2)}× zcat; target ≤ 1.3×)  peak RSS ${cold.maxRssMb.toFixed(0)} MB\n` +
          `  warm (cached)        ${fmt(warm.ms)}  (target ≤ 0.3 s)  peak RSS ${warm.maxRssMb.toFixed(0)} MB  layers from cache: ${warm.out.fromCache}/${s.layers}`,
      );
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }
}
