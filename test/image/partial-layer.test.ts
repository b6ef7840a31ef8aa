/**
 * A layer whose stream fails partway keeps the entries it read whole before the failure, flagged
 * as partly read (the layer still counts as failed), but only when the whole blob still passes
 * its digest check: a blob that is not the one the manifest pins, or that never arrives whole,
 * gives nothing to the result.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { LayerCache } from '../../src/image/cache.js';
import { layerGaps, scanIncomplete } from '../../src/image/incomplete.js';
import { imageMetadata } from '../../src/image/inspect.js';
import { openImage } from '../../src/image/open.js';
import { scanImage, treeOf, type ImageScan } from '../../src/image/scan.js';
import { scout } from '../helpers/cli.js';
import { buildImage, tarOf, withLayerBlob, writeOciLayout, type BuiltImage } from '../helpers/image-builder.js';
import { listTree, tempDir } from '../helpers/tmp.js';
import { makeZip } from '../helpers/zip-writer.js';
import { importedCache } from '../report/helpers.js';

const ALL = { selectors: [{ globs: ['**'] }], analyzers: [] };
const CAPTURE = { module: new URL('./worker-capture.fixture.ts', import.meta.url).href, name: 'capture' };

/** Random bytes do not compress: a cut at 70% of the gzip lands inside this member's body. */
const BIG = randomBytes(200_000);

/** Layer 1's tar: two small files, a big one the cut falls in, one more after it. */
async function cutLayerTar(extra: Record<string, Buffer | string> = {}): Promise<Buffer> {
  return tarOf({ 'mid/one': 'one', ...extra, 'mid/two': 'two', 'mid/big.bin': BIG, 'mid/after': 'after' });
}

/** The gzip of `tar`, cut inside 'mid/big.bin'. */
function cutGzip(tar: Buffer): Buffer {
  const gz = gzipSync(tar);
  return gz.subarray(0, Math.floor(gz.length * 0.7));
}

async function baseImage(): Promise<BuiltImage> {
  // Layer 1 is replaced by each test.
  return buildImage({ layers: [{ 'base/a': 'a', 'mid/one': 'x', 'mid/two': 'old two' }, { 'mid/placeholder': 'p' }, { 'top/c': 'c' }] });
}

function layout(im: BuiltImage): string {
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  return dir;
}

function assertKeptPartly(scan: ImageScan, label: string): void {
  assert.deepEqual(scan.failedLayers, [1], 'the layer still counts as failed');
  assert.ok(scanIncomplete(scan.warnings), 'every command exits 3 on it');
  const tree = treeOf(scan);
  assert.equal(tree.readText('/mid/one'), 'one', 'a file read whole before the failure is kept, contents too');
  assert.equal(tree.readText('/mid/two'), 'two', 'and it replaces the file below it, as the layer says');
  assert.equal(tree.lstat('/mid/big.bin'), undefined, 'the member the stream stopped in is not listed');
  assert.equal(tree.lstat('/mid/after'), undefined, 'nothing after the failure is listed');
  assert.equal(tree.readText('/base/a'), 'a');
  assert.equal(tree.readText('/top/c'), 'c');
  const w = scan.warnings.find((x) => x.layer === label && x.layerFailed);
  assert.ok(w, JSON.stringify(scan.warnings));
  assert.equal(w.code, 'truncated-layer');
  assert.deepEqual(w.partlyRead, { stoppedAt: '/mid/big.bin', reason: 'layer is truncated (gzip ended early)', filesBefore: 2, filesAfter: -1 });
  assert.match(w.message, /the 2 entries read whole before it are kept \(the blob's digest checks out\)/);
  assert.deepEqual(layerGaps(scan.warnings), [{ layer: label, read: 'partly', reason: 'layer is truncated (gzip ended early)', stoppedAt: '/mid/big.bin', filesBefore: 2, otherStops: 0 }]);
}

test('a gzip layer cut off partway (the blob the manifest pins) keeps the entries read whole before the cut, flagged as partly read; it is not cached', async () => {
  const base = await baseImage();
  const im = withLayerBlob(base, 1, cutGzip(await cutLayerTar()));
  const label = `layer 1 (${im.layers[1].digest.slice(0, 19)})`;
  const cacheDir = tempDir();
  const scan = await scanImage(await openImage(layout(im)), ALL, { cache: new LayerCache(cacheDir) });
  assertKeptPartly(scan, label);
  assert.equal(imageMetadata(scan.image, scan).size.uncompressed, undefined, 'no image size is claimed from a layer read in part');
  assert.equal(listTree(cacheDir).filter((p) => p.endsWith('.idx')).length, 2, 'only the two whole layers were cached');
});

test('in a worker thread, a cut-off layer keeps the same entries as on the main thread', async () => {
  const { capture } = await import('./worker-capture.fixture.js');
  // The fixture's capture wants /etc/os-release and package.json files: give the cut layer one.
  const im = withLayerBlob(await baseImage(), 1, cutGzip(await cutLayerTar({ 'app/package.json': '{"name":"kept"}' })));
  const dir = layout(im);
  const here = await scanImage(await openImage(dir), capture, { cache: false });
  const threaded = await scanImage(await openImage(dir), capture, { cache: false, workerCapture: CAPTURE, workerThresholdBytes: 0, concurrency: 2 });
  for (const scan of [here, threaded]) {
    assert.deepEqual(scan.failedLayers, [1]);
    assert.equal(treeOf(scan).readText('/app/package.json'), '{"name":"kept"}');
    assert.equal(treeOf(scan).lstat('/mid/after'), undefined);
  }
  assert.deepEqual(threaded.layers[1].index!.entries, here.layers[1].index!.entries);
  assert.deepEqual(threaded.warnings, here.warnings);
});

test('a layer stopped by a cap (too many entries) keeps the entries before it once the rest of the blob checks out', async () => {
  const im = withLayerBlob(await baseImage(), 1, gzipSync(await cutLayerTar()));
  // Layer 0 has three entries, layer 1 four.
  process.env.SCOUT_MAX_LAYER_ENTRIES = '3';
  try {
    const scan = await scanImage(await openImage(layout(im)), ALL, { cache: false });
    assert.deepEqual(scan.failedLayers, [1]);
    const tree = treeOf(scan);
    assert.equal(tree.readText('/mid/one'), 'one');
    assert.equal(tree.readText('/mid/two'), 'two');
    assert.equal(tree.lstat('/mid/big.bin')?.size, BIG.length);
    assert.equal(tree.lstat('/mid/after'), undefined);
    const w = scan.warnings.find((x) => x.code === 'too-many-entries');
    assert.equal(w?.partlyRead?.stoppedAt, 'the member after /mid/big.bin');
    assert.equal(w.layerFailed, true);
  } finally {
    delete process.env.SCOUT_MAX_LAYER_ENTRIES;
  }
});

test('a blob whose digest does not match keeps nothing, even what was read before its data went bad', async () => {
  const base = await baseImage();
  const im = withLayerBlob(base, 1, gzipSync(await cutLayerTar()));
  const dir = layout(im);
  // Same length, same first files; the gzip data goes bad inside the big member. The blob is no
  // longer the one the manifest pins: what it says about mid/one is nobody's word.
  const path = join(dir, 'blobs/sha256', im.layers[1].digest.slice(7));
  const blob = readFileSync(path);
  const at = Math.floor(blob.length * 0.7);
  blob.fill(0xee, at, at + 64);
  writeFileSync(path, blob);
  const scan = await scanImage(await openImage(dir), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [1]);
  const tree = treeOf(scan);
  assert.equal(scan.layers[1].index, undefined, 'nothing of the layer is in the result');
  assert.equal(tree.readText('/mid/one'), 'x', 'the file below it shows, as if the layer were absent');
  assert.equal(tree.readText('/mid/two'), 'old two');
  assert.deepEqual(layerGaps(scan.warnings).map((g) => g.read), ['none']);
});

test('a blob cut short of its descriptor keeps nothing: a cut download cannot be told from a substitute', async () => {
  const base = await baseImage();
  const im = withLayerBlob(base, 1, gzipSync(await cutLayerTar()));
  const dir = layout(im);
  const path = join(dir, 'blobs/sha256', im.layers[1].digest.slice(7));
  const blob = readFileSync(path);
  writeFileSync(path, blob.subarray(0, Math.floor(blob.length * 0.7)));
  const scan = await scanImage(await openImage(dir), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [1]);
  assert.equal(scan.layers[1].index, undefined);
  assert.equal(treeOf(scan).readText('/mid/one'), 'x');
});

test('a layer that fails before any entry is read whole is "could not be read", not partly read', async () => {
  const tar = await tarOf({ 'mid/big.bin': BIG, 'mid/after': 'after' });
  const im = withLayerBlob(await baseImage(), 1, cutGzip(tar));
  const scan = await scanImage(await openImage(layout(im)), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [1]);
  assert.equal(scan.layers[1].index, undefined);
  assert.deepEqual(layerGaps(scan.warnings).map((g) => g.read), ['none']);
});

test('sbom and cves on a cut-off layer: the packages read before the cut are listed, the summary says where it stopped, exit 3', async () => {
  const jar = makeZip([{ name: 'META-INF/maven/org.kept/kept/pom.properties', data: 'groupId=org.kept\nartifactId=kept\nversion=1.2\n' }]);
  const lost = makeZip([{ name: 'META-INF/maven/org.lost/lost/pom.properties', data: 'groupId=org.lost\nartifactId=lost\nversion=3.4\n' }]);
  const tar = await tarOf({ 'app/kept.jar': jar, 'mid/big.bin': BIG, 'app/lost.jar': lost });
  const im = withLayerBlob(await buildImage({ layers: [{ 'etc/base': 'b' }, { 'etc/x': 'x' }] }), 1, cutGzip(tar));
  const dir = layout(im);
  const l1 = `layer 1 (${im.layers[1].digest.slice(0, 19)})`;
  const env = { SCOUT_CACHE_DIR: importedCache() };
  const out = join(tempDir(), 'sbom.json');
  const sbom = scout(['sbom', dir, '--no-cache', '--format', 'json', '-o', out], env);
  assert.equal(sbom.code, 3, sbom.stderr);
  const names = (JSON.parse(readFileSync(out, 'utf8')) as { packages: { name: string }[] }).packages.map((p) => p.name);
  assert.ok(names.some((n) => n.includes('kept')), names.join(', '));
  assert.ok(!names.some((n) => n.includes('lost')), names.join(', '));
  const cves = scout(['cves', dir, '--no-cache', '--exit-code'], env);
  assert.equal(cves.code, 3, cves.stderr);
  assert.equal(cves.stdout.trim().split('\n').at(-1), `No vulnerabilities found in what could be read; incomplete: ${l1} partly read: stopped at /mid/big.bin: layer is truncated (gzip ended early); 1 file read before`);
});
