import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { LayerCache } from '../../src/image/cache.js';
import { openImage } from '../../src/image/open.js';
import { scanImage, treeOf } from '../../src/image/scan.js';
import { buildImage, sha256, tarOf, writeOciLayout, type BuiltImage } from '../helpers/image-builder.js';
import { listTree, tempDir } from '../helpers/tmp.js';

const ALL = { selectors: [{ globs: ['**'] }], analyzers: [] };

/** Replace one layer's blob (and, unless told otherwise, fix the digests that describe it). */
function withLayer(im: BuiltImage, i: number, blob: Buffer, o: { diffId?: string; keepManifestDigest?: boolean } = {}): BuiltImage {
  const layers = im.layers.map((l, j) => (j === i ? { ...l, blob, digest: o.keepManifestDigest ? l.digest : sha256(blob), diffId: o.diffId ?? l.diffId } : l));
  const config = { ...im.config, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = { ...im.manifest, config: { ...(im.manifest.config as object), digest: sha256(configBytes), size: configBytes.length }, layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })) };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return { ...im, layers, config, configBytes, configDigest: sha256(configBytes), manifest, manifestBytes, manifestDigest: sha256(manifestBytes) };
}

async function layout(im: BuiltImage): Promise<string> {
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  return dir;
}

async function threeLayers(): Promise<BuiltImage> {
  return buildImage({ layers: [{ 'base/a': 'a' }, { 'mid/b': 'b' }, { 'top/c': 'c' }] });
}

test('tar members that climb out with ../ are skipped with a warning naming layer and path; nothing is written anywhere', async () => {
  const root = tempDir('scout-hostile-');
  process.env.SCOUT_CACHE_DIR = join(root, 'cache');
  const work = join(root, 'work');
  const im = await buildImage({ layers: [{ 'ok.txt': 'fine', '../../escaped.txt': 'evil', './a/../../../x/escaped2': 'evil', '/etc/abs.conf': 'abs' }] });
  writeOciLayout(work, [{ images: [im] }]);
  const before = listTree(root).filter((p) => !p.startsWith('cache'));
  const img = await openImage(work);
  const scan = await scanImage(img, ALL);
  const tree = treeOf(scan);
  const escapes = scan.warnings.filter((w) => w.code === 'path-escape');
  assert.equal(escapes.length, 2);
  assert.match(escapes[0].message, /layer 0 \(sha256:[0-9a-f]{12}\): entry "\.\.\/\.\.\/escaped\.txt" climbs out of the image root/);
  assert.equal(tree.readText('/ok.txt'), 'fine');
  assert.equal(tree.readText('/etc/abs.conf'), 'abs', 'an absolute member is read inside the image root');
  assert.ok(scan.warnings.some((w) => w.code === 'absolute-path' && w.path === '/etc/abs.conf'));
  const after = listTree(root).filter((p) => !p.startsWith('cache'));
  assert.deepEqual(after, before, 'only the cache folder changed');
  assert.ok(listTree(join(root, 'cache')).some((p) => p.endsWith('.idx')), 'the layer result was cached');
});

test('a blob whose digest does not match the manifest fails that layer, names it, and the rest still scans', async () => {
  const im = await threeLayers();
  const dir = await layout(im);
  // Tamper with layer 1's blob on disk after the manifest was written.
  const p = join(dir, 'blobs/sha256', im.layers[1].digest.slice(7));
  writeFileSync(p, gzipSync(await tarOf({ 'mid/b': 'tampered' })));
  const scan = await scanImage(await openImage(dir), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [1]);
  const w = scan.warnings.find((x) => x.code === 'digest-mismatch');
  assert.ok(w);
  assert.match(w.message, new RegExp(`layer 1 \\(${im.layers[1].digest.slice(0, 19)}\\): blob digest mismatch: expected ${im.layers[1].digest}`));
  const tree = treeOf(scan);
  assert.equal(tree.readText('/base/a'), 'a');
  assert.equal(tree.readText('/top/c'), 'c');
  assert.equal(tree.lstat('/mid/b'), undefined, 'nothing of the failed layer is used');
});

test('a diff_id that does not match the uncompressed tar is an error; such a layer is never cached', async () => {
  const im = await threeLayers();
  const bad = withLayer(im, 2, im.layers[2].blob, { diffId: sha256('something else') });
  const cacheDir = tempDir();
  const cache = new LayerCache(cacheDir);
  const scan = await scanImage(await openImage(await layout(bad)), ALL, { cache });
  assert.deepEqual(scan.failedLayers, [2]);
  assert.match(scan.warnings.find((w) => w.code === 'digest-mismatch')!.message, /diff_id digest mismatch/);
  assert.equal(await cache.get(sha256('something else'), JSON.stringify(ALL)), undefined);
  assert.equal(listTree(cacheDir).filter((p) => p.endsWith('.idx')).length, 2, 'the two good layers were cached');
});

test('a truncated gzip layer is reported as truncated, by layer', async () => {
  const im = await threeLayers();
  const full = gzipSync(await tarOf({ 'mid/big': Buffer.alloc(200_000, 7) }));
  const cut = full.subarray(0, Math.floor(full.length / 2));
  const scan = await scanImage(await openImage(await layout(withLayer(im, 1, cut))), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [1]);
  const w = scan.warnings.find((x) => x.layer?.startsWith('layer 1'));
  assert.equal(w?.code, 'truncated-layer', JSON.stringify(scan.warnings));
  assert.match(w.message, /layer 1 .* truncated/);
});

test('an uncompressed tar cut mid-member is reported as truncated', async () => {
  const im = await threeLayers();
  const tar = await tarOf({ 'x/big': Buffer.alloc(10_000, 1) });
  const cut = tar.subarray(0, 3000);
  const scan = await scanImage(await openImage(await layout(withLayer(im, 0, cut, { diffId: sha256(cut) }))), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [0]);
  assert.equal(scan.warnings[0].code, 'truncated-layer', JSON.stringify(scan.warnings));
});

test('corrupt compressed data is reported as corrupt', async () => {
  const im = await threeLayers();
  const blob = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(100, 0xee)]);
  const scan = await scanImage(await openImage(await layout(withLayer(im, 0, blob))), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [0]);
  assert.match(scan.warnings[0].code, /corrupt-layer|truncated-layer/);
  assert.match(scan.warnings[0].message, /^layer 0 /);
});

test('a decompression bomb stops at the ratio cap with an error naming the layer', async () => {
  const im = await threeLayers();
  const bombTar = await tarOf({ 'zeros.bin': Buffer.alloc(24 * 1024 * 1024) });
  const bomb = gzipSync(bombTar, { level: 9 });
  assert.ok(bombTar.length / bomb.length > 500, 'the fixture is a real bomb');
  process.env.SCOUT_RATIO_GRACE_BYTES = String(1024 * 1024);
  process.env.SCOUT_MAX_COMPRESSION_RATIO = '100';
  try {
    const scan = await scanImage(await openImage(await layout(withLayer(im, 1, bomb, { diffId: sha256(bombTar) }))), ALL, { cache: false });
    assert.deepEqual(scan.failedLayers, [1]);
    assert.equal(scan.warnings[0].code, 'compression-ratio');
    assert.match(scan.warnings[0].message, /layer 1 .*ratio over 100:1 .*SCOUT_MAX_COMPRESSION_RATIO/);
  } finally {
    delete process.env.SCOUT_RATIO_GRACE_BYTES;
    delete process.env.SCOUT_MAX_COMPRESSION_RATIO;
  }
});

test('a layer over the uncompressed size cap is stopped', async () => {
  const im = await threeLayers();
  process.env.SCOUT_MAX_LAYER_BYTES = String(64 * 1024);
  try {
    const tar = await tarOf({ 'big.bin': Buffer.alloc(256 * 1024, 3) });
    const scan = await scanImage(await openImage(await layout(withLayer(im, 0, gzipSync(tar), { diffId: sha256(tar) }))), ALL, { cache: false });
    assert.equal(scan.warnings[0].code, 'layer-too-large');
  } finally {
    delete process.env.SCOUT_MAX_LAYER_BYTES;
  }
});

test('malformed index.json, manifest and config give clear errors', async () => {
  const im = await threeLayers();
  const dir = await layout(im);
  writeFileSync(join(dir, 'index.json'), '{"manifests": [');
  await assert.rejects(openImage(dir), /index\.json is not valid JSON/);

  const broken = async (manifest: object, config?: object) => {
    const d = tempDir();
    const cfg = Buffer.from(JSON.stringify(config ?? im.config));
    const m = Buffer.from(JSON.stringify({ ...manifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length } }));
    const fake = { ...im, configBytes: cfg, configDigest: sha256(cfg), manifestBytes: m, manifestDigest: sha256(m) };
    writeOciLayout(d, [{ images: [fake] }]);
    return openImage(d);
  };
  await assert.rejects(broken({ schemaVersion: 2 }), /manifest has no layers array/);
  await assert.rejects(broken({ schemaVersion: 1 }), /schema 1 manifests are not supported/);
  await assert.rejects(broken({ schemaVersion: 2, layers: [{ digest: 'sha256:xyz', size: 1 }] }), /descriptor without a valid digest/);
  await assert.rejects(broken(im.manifest, { ...im.config, rootfs: { diff_ids: ['nope'] } }), /rootfs\.diff_ids holds an invalid digest "nope"/);
  await assert.rejects(broken(im.manifest, { ...im.config, rootfs: { type: 'layers', diff_ids: [im.layers[0].diffId] } }), /manifest lists 3 layers but the config has 1 diff_ids/);
});

test('a manifest blob that does not match its descriptor digest is refused', async () => {
  const im = await threeLayers();
  const dir = await layout(im);
  writeFileSync(join(dir, 'blobs/sha256', im.manifestDigest.slice(7)), Buffer.from(JSON.stringify({ ...im.manifest, annotations: { x: 'y' } })));
  await assert.rejects(openImage(dir), /manifest: digest mismatch: expected sha256:/);
});

test('a symlinked blob that points outside the layout folder is refused', async () => {
  const im = await threeLayers();
  const dir = await layout(im);
  const outside = join(tempDir(), 'outside');
  writeFileSync(outside, readFileSync(join(dir, 'blobs/sha256', im.layers[0].digest.slice(7))));
  const { rmSync, symlinkSync } = await import('node:fs');
  const p = join(dir, 'blobs/sha256', im.layers[0].digest.slice(7));
  rmSync(p);
  symlinkSync(outside, p);
  const scan = await scanImage(await openImage(dir), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [0]);
  assert.match(scan.warnings[0].message, /points outside the layout/);
});

test('a symlink loop inside a layer does not hang the scan', async () => {
  const im = await buildImage({ layers: [{ a: { symlink: 'b' }, b: { symlink: 'a' }, 'etc/os-release': { symlink: 'os-release' } }] });
  const tree = treeOf(await scanImage(await openImage(await layout(im)), ALL, { cache: false }));
  assert.equal(tree.read('/a'), undefined);
  assert.equal(tree.read('/etc/os-release'), undefined);
});

test('the cache serves every layer on a second scan, and a base layer shared by two images is read once', async () => {
  const base = { 'usr/lib/os-release': 'ID=debian', 'bin/bash': 'bash' };
  const a = await buildImage({ layers: [base, { 'app/a': 'a' }] });
  const b = await buildImage({ layers: [base, { 'app/b': 'b' }] });
  assert.equal(a.layers[0].diffId, b.layers[0].diffId);
  const cache = new LayerCache(tempDir());
  const first = await scanImage(await openImage(await layout(a)), ALL, { cache });
  assert.deepEqual(first.layers.map((l) => l.fromCache), [false, false]);
  const again = await scanImage(await openImage(await layout(a)), ALL, { cache });
  assert.deepEqual(again.layers.map((l) => l.fromCache), [true, true]);
  const other = await scanImage(await openImage(await layout(b)), ALL, { cache });
  assert.deepEqual(other.layers.map((l) => l.fromCache), [true, false]);
  assert.equal(treeOf(other).readText('/usr/lib/os-release'), 'ID=debian', 'captured content survives the cache');
  // A different capture set must not reuse results made for another.
  const narrow = await scanImage(await openImage(await layout(a)), { selectors: [{ globs: ['/bin/*'] }], analyzers: [] }, { cache });
  assert.deepEqual(narrow.layers.map((l) => l.fromCache), [false, false]);
});
