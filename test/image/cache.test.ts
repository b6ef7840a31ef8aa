import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fullCapture } from '../../src/catalog/index.js';
import { covers, LayerCache } from '../../src/image/cache.js';
import { CompiledCapture } from '../../src/image/capture.js';
import { INSPECT_CAPTURE } from '../../src/image/inspect.js';
import { openImage } from '../../src/image/open.js';
import { scanImage, type ImageScan } from '../../src/image/scan.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

const WAR = readFileSync(new URL('../fixtures/catalogers/java/trivy-war-maven/maven.war', import.meta.url));

async function image(): Promise<string> {
  const im = await buildImage({
    layers: [
      { 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'var/lib/dpkg/status': 'Package: a\nStatus: install ok installed\nVersion: 1\n\n' },
      { 'app/node_modules/x/package.json': '{"name":"x","version":"1.0.0"}', 'opt/app.war': WAR },
      { 'usr/lib/os-release': 'ID=debian\n', 'etc/.wh.os-release': '' },
    ],
  });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  return dir;
}

function comparable(scan: ImageScan) {
  return scan.layers.map((l) => ({ entries: l.index!.entries, captured: [...l.index!.captured], analyses: [...l.index!.analyses], warnings: l.index!.warnings }));
}

test('a layer cached for the full SBOM capture serves image inspect\'s smaller one, narrowed to what it would have kept', async () => {
  const dir = await image();
  const cache = new LayerCache(tempDir());
  const full = await scanImage(await openImage(dir), fullCapture, { cache });
  assert.ok(full.layers.every((l) => !l.fromCache));
  assert.ok(full.layers[1].index!.analyses.size > 0, 'the war was analyzed for the full capture');

  const fromFull = await scanImage(await openImage(dir), INSPECT_CAPTURE, { cache });
  assert.deepEqual(fromFull.layers.map((l) => l.fromCache), [true, true, true], 'no layer read again');
  const fresh = await scanImage(await openImage(dir), INSPECT_CAPTURE, { cache: false });
  assert.deepEqual(comparable(fromFull), comparable(fresh));
});

test('a smaller capture never serves a bigger one', async () => {
  const dir = await image();
  const cache = new LayerCache(tempDir());
  await scanImage(await openImage(dir), INSPECT_CAPTURE, { cache });
  const full = await scanImage(await openImage(dir), fullCapture, { cache });
  assert.deepEqual(full.layers.map((l) => l.fromCache), [false, false, false]);
});

test('covers: every glob and analyzer with the same limit', () => {
  const a = new CompiledCapture({ selectors: [{ globs: ['/etc/os-release', '**/METADATA'], maxSize: 10 }], analyzers: [] }).fingerprint;
  const b = new CompiledCapture({ selectors: [{ globs: ['/etc/os-release'], maxSize: 10 }], analyzers: [] }).fingerprint;
  const c = new CompiledCapture({ selectors: [{ globs: ['/etc/os-release'], maxSize: 20 }], analyzers: [] }).fingerprint;
  assert.ok(covers(a, b));
  assert.ok(!covers(b, a));
  assert.ok(!covers(a, c), 'a different limit skips different files');
  assert.ok(!covers('not json', b));
  assert.ok(covers(new CompiledCapture(fullCapture).fingerprint, new CompiledCapture(INSPECT_CAPTURE).fingerprint));
});

test('a cache entry whose capture record is corrupt is not used for another capture', async () => {
  const dir = await image();
  const root = tempDir();
  const cache = new LayerCache(root);
  await scanImage(await openImage(dir), fullCapture, { cache });
  const { readdirSync, writeFileSync } = await import('node:fs');
  for (const shard of readdirSync(join(root, 'layers'))) {
    for (const f of readdirSync(join(root, 'layers', shard))) if (f.endsWith('.capture.json')) writeFileSync(join(root, 'layers', shard, f), '{');
  }
  const again = await scanImage(await openImage(dir), INSPECT_CAPTURE, { cache });
  assert.deepEqual(again.layers.map((l) => l.fromCache), [false, false, false]);
});

test('a cache that cannot be written costs no layer: the SBOM is whole and one warning names the directory', async () => {
  const dir = await image();
  // A directory below a regular file can never be made, whoever runs the test.
  const blocker = join(tempDir(), 'not-a-dir');
  writeFileSync(blocker, '');
  const stuck = new LayerCache(join(blocker, 'cache'));
  const fresh = new LayerCache(tempDir());
  const unwritable = await sbomForImage(await openImage(dir), undefined, { cache: stuck });
  const writable = await sbomForImage(await openImage(dir), undefined, { cache: fresh });
  assert.deepEqual(unwritable.scan?.failedLayers, []);
  assert.deepEqual(unwritable.sbom.packages.map((p) => [p.purl, p.introducedLayer?.index]), writable.sbom.packages.map((p) => [p.purl, p.introducedLayer?.index]));
  assert.ok(unwritable.sbom.packages.length >= 3, 'deb, npm and the war\'s artifacts');
  const warned = unwritable.sbom.warnings.filter((w) => w.code === 'cache-write-failed');
  assert.equal(warned.length, 1, 'one warning for the scan, not one per layer');
  assert.match(warned[0].message, new RegExp(`cannot write the layer cache at ${stuck.dir.replace(/[/.]/g, '\\$&')}`));
  // It names the layer whose entry failed, and says what to do about a directory that cannot be made.
  assert.match(warned[0].message, /\(the entry of layer \d+ \(sha256:[0-9a-f]+/);
  assert.match(warned[0].message, /SCOUT_CACHE_DIR names a writable directory/);
  assert.ok(!writable.sbom.warnings.some((w) => w.code === 'cache-write-failed'));
});
