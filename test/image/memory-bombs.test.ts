/**
 * Decompression and capture bombs, measured by the peak memory of a real scan in a process
 * of its own (Buffers count; a heap limit would not see them). No timing assertions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildImage, sha256, withLayerBlob, writeOciLayout } from '../helpers/image-builder.js';
import { peakOfScan } from '../helpers/scan-peak.js';
import { tempDir } from '../helpers/tmp.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'hostile');

test('a 33 KB zstd layer that inflates to 1 GiB stops at the ratio cap with little memory, naming the layer', async () => {
  const bomb = readFileSync(join(FIXTURES, 'zstd-bomb-1g.tar.zst'));
  const base = await buildImage({ layers: [{ 'etc/hostname': 'box' }, { x: 'x' }], compression: 'zstd' });
  const im = withLayerBlob(base, 1, bomb, { diffId: sha256('not checked: the cap stops it first') });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const r = peakOfScan(dir, 'layers');
  const failed = r.warnings.filter((w) => w.layerFailed);
  assert.equal(failed.length, 1, JSON.stringify(r.warnings));
  assert.equal(failed[0].code, 'compression-ratio');
  assert.match(failed[0].message, new RegExp(`^layer 1 \\(${im.layers[1].digest.slice(0, 19)}`));
  // The layer pass of a small image takes well under 200 MiB; inflating one 1 MiB read of this
  // blob whole took over 1 GiB.
  assert.ok(r.peakMiB < 300, `peak RSS ${r.peakMiB} MiB`);
});

test('files kept from one image share a budget: past it, each skipped file is named', async () => {
  // Sixteen 12 MiB embedded SBOMs (each under the 64 MiB per-file cap) would keep 192 MiB.
  const big = Buffer.alloc(12 * 1024 * 1024, 0x20);
  const layers = [0, 1].map((l) => Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`sboms/${l}-${i}.spdx.json`, big])));
  const im = await buildImage({ layers, compression: 'none' });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const r = peakOfScan(dir, 'sbom', { SCOUT_MAX_CAPTURED_BYTES: String(30 * 1024 * 1024) });
  const skipped = r.warnings.filter((w) => w.code === 'capture-budget');
  // 30 MiB holds two of them: the other fourteen are named.
  assert.equal(skipped.length, 14, JSON.stringify(r.warnings.map((w) => w.code)));
  assert.ok(skipped.every((w) => w.path && w.message.includes(w.path) && /SCOUT_MAX_CAPTURED_BYTES/.test(w.message)));
  assert.ok(!r.warnings.some((w) => w.layerFailed), 'a budget skips files, it does not fail layers');
});
