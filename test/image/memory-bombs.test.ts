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
import { scout } from '../helpers/cli.js';
import { importedCache } from '../report/helpers.js';
import type { ScanWarning } from '../../src/util/errors.js';

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
  // Each was an embedded SBOM a cataloger wanted: its layer is partly read, stopped at that file.
  assert.ok(skipped.every((w) => w.layerFailed === true && w.partlyRead?.stoppedAt === w.path && w.partlyRead?.reason === 'captured-bytes budget exceeded'), JSON.stringify(skipped[0]));
});

test('a package database the budget left unread makes the scan incomplete (exit 3, not cached); with room for it, its packages are there', async () => {
  // A real dpkg status (90 installed packages, 86 KB) from Trivy's tests, beside a file no
  // cataloger wants. A gate must not pass on a scan that silently lost every deb.
  const fixture = join(import.meta.dirname, '..', 'fixtures', 'catalogers', 'dpkg', 'trivy-ubuntu-status');
  const status = readFileSync(join(fixture, 'var', 'lib', 'dpkg', 'status'));
  const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as { packages: { name: string }[] };
  const im = await buildImage({ layers: [{ 'etc/os-release': 'ID=ubuntu\nVERSION_ID="18.04"\n', 'srv/data.bin': Buffer.alloc(200 * 1024, 7), 'var/lib/dpkg/status': status, 'etc/hostname': 'box' }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const l0 = `layer 0 (${im.layers[0].digest.slice(0, 19)})`;
  // The layer cache is on: an incomplete layer must not be cached for the run with a bigger budget.
  const cache = importedCache();
  const small = { SCOUT_CACHE_DIR: cache, SCOUT_MAX_CAPTURED_BYTES: String(64 * 1024) };

  const cut = scout(['sbom', dir, '--format', 'json'], small);
  assert.equal(cut.code, 3, cut.stderr);
  assert.ok(cut.stderr.includes(`${l0}: /var/lib/dpkg/status (${status.length} bytes) not read: `) && cut.stderr.includes(`of its ${64 * 1024}-byte budget (SCOUT_MAX_CAPTURED_BYTES)`), cut.stderr);
  const cutDoc = JSON.parse(cut.stdout) as { packages: { type: string }[]; warnings: ScanWarning[] };
  assert.equal(cutDoc.packages.filter((p) => p.type === 'deb').length, 0);
  // The 200 KB file no cataloger wants was never kept, so never charged nor named.
  assert.deepEqual(cutDoc.warnings.filter((w) => w.code === 'capture-budget').map((w) => w.path), ['/var/lib/dpkg/status']);

  // cves says where the layer stopped and why, and fails the gate with 3, not 0.
  const gate = scout(['cves', dir, '--exit-code'], small);
  assert.equal(gate.code, 3, gate.stderr);
  assert.equal(gate.stdout.trim().split('\n').at(-1), `No vulnerabilities found in what could be read; incomplete: ${l0} partly read: stopped at /var/lib/dpkg/status: captured-bytes budget exceeded; 2 files read before, 1 after`);

  const whole = scout(['sbom', dir, '--format', 'json'], { SCOUT_CACHE_DIR: cache, SCOUT_MAX_CAPTURED_BYTES: String(1024 * 1024) });
  assert.equal(whole.code, 0, whole.stderr);
  const doc = JSON.parse(whole.stdout) as { packages: { type: string; name: string }[]; warnings: ScanWarning[] };
  assert.deepEqual(doc.packages.filter((p) => p.type === 'deb').map((p) => p.name).sort(), expected.packages.map((p) => p.name).sort());
  assert.ok(!doc.warnings.some((w) => w.code === 'capture-budget'), JSON.stringify(doc.warnings));
});
