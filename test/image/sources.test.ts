import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openImage, parseTarget } from '../../src/image/open.js';
import { scanImage, treeOf } from '../../src/image/scan.js';
import { buildImage, writeDockerArchive, writeOciArchive, writeOciLayout, type BuiltImage } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

process.env.SCOUT_CACHE_DIR = tempDir('scout-cache-');

const ALL = { selectors: [{ globs: ['**'] }], analyzers: [] };

async function sample(arch = 'amd64', compression: 'gzip' | 'zstd' | 'none' = 'gzip'): Promise<BuiltImage> {
  return buildImage({
    architecture: arch,
    compression,
    layers: [{ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.1\n', 'bin/sh': 'sh', 'etc/a': 'a' }, { 'app/main.js': `console.log("${arch}")`, 'etc/.wh.a': '' }],
    env: ['PATH=/usr/bin', 'A=b=c'],
    labels: { 'org.opencontainers.image.source': 'https://example.com/x' },
    exposedPorts: ['8080/tcp'],
  });
}

async function readAll(ref: string, opts = {}) {
  const img = await openImage(ref, opts);
  const scan = await scanImage(img, ALL, { cache: false });
  return { img, scan, tree: treeOf(scan) };
}

test('OCI layout: layers, config and digests come through verified, squashed view applies whiteouts', async () => {
  const im = await sample();
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im], refName: 'app:1' }]);
  const { img, scan, tree } = await readAll(`oci-dir://${dir}`);
  assert.equal(img.manifestDigest, im.manifestDigest);
  assert.equal(img.configDigest, im.configDigest);
  assert.deepEqual(img.layers.map((l) => l.diffId), im.layers.map((l) => l.diffId));
  assert.deepEqual(scan.warnings, []);
  assert.equal(tree.readText('/app/main.js'), 'console.log("amd64")');
  assert.equal(tree.lstat('/etc/a'), undefined);
  assert.equal(tree.lstat('/bin/sh')!.layer.diffId, im.layers[0].diffId);
});

test('zstd and uncompressed layers read the same as gzip', async () => {
  for (const c of ['zstd', 'none'] as const) {
    const im = await sample('amd64', c);
    const dir = tempDir();
    writeOciLayout(dir, [{ images: [im] }]);
    const { tree, scan } = await readAll(dir);
    assert.deepEqual(scan.failedLayers, [], c);
    assert.equal(tree.readText('/etc/os-release'), 'ID=alpine\nVERSION_ID=3.20.1\n', c);
  }
});

test('OCI layout with several images: --ref picks by name or digest; without it the error lists them', async () => {
  const a = await sample('amd64');
  const b = await buildImage({ layers: [{ 'b.txt': 'b' }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [a], refName: 'a:1' }, { images: [b], refName: 'b:2' }]);
  await assert.rejects(openImage(dir), /holds 2 images \(a:1, b:2\); pick one with --ref/);
  assert.equal((await openImage(dir, { pick: 'b:2' })).manifestDigest, b.manifestDigest);
  assert.equal((await openImage(dir, { pick: a.manifestDigest })).manifestDigest, a.manifestDigest);
  await assert.rejects(openImage(dir, { pick: 'c:3' }), /no image named "c:3"/);
});

test('multi-platform index in a layout: --platform picks, the default is this machine, a missing one lists what exists', async () => {
  const amd = await sample('amd64');
  const arm = await sample('arm64');
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [amd, arm], refName: 'multi' }]);
  const got = await openImage(dir, { platform: { os: 'linux', architecture: 'arm64' } });
  assert.equal(got.manifestDigest, arm.manifestDigest);
  assert.ok(got.indexDigest, 'index digest is reported');
  await assert.rejects(openImage(dir, { platform: { os: 'linux', architecture: 's390x' } }), /no image for platform linux\/s390x; available: linux\/amd64, linux\/arm64/);
});

test('OCI archive and docker-archive are told apart by content and read the same image', async () => {
  const im = await sample();
  const d = tempDir();
  await writeOciArchive(join(d, 'oci.tar'), [{ images: [im], refName: 'x:1' }]);
  await writeDockerArchive(join(d, 'docker.tar'), [{ image: im, tags: ['example.com/team/x:1'] }]);
  const oci = await readAll(join(d, 'oci.tar'));
  const dock = await readAll(`archive://${join(d, 'docker.tar')}`);
  assert.equal(oci.img.source, 'oci-archive');
  assert.equal(dock.img.source, 'docker-archive');
  assert.equal(oci.img.manifestDigest, im.manifestDigest);
  assert.equal(dock.img.configDigest, im.configDigest);
  assert.deepEqual(dock.img.layers.map((l) => l.diffId), im.layers.map((l) => l.diffId));
  assert.equal(dock.img.registry, 'example.com');
  assert.equal(dock.img.repository, 'team/x');
  assert.equal(dock.tree.readText('/app/main.js'), oci.tree.readText('/app/main.js'));
});

test('docker-archive with several images needs --ref', async () => {
  const a = await sample('amd64');
  const b = await buildImage({ layers: [{ 'b.txt': 'b' }] });
  const p = join(tempDir(), 'two.tar');
  await writeDockerArchive(p, [{ image: a, tags: ['a:1'] }, { image: b, tags: ['docker.io/library/b:2'] }]);
  await assert.rejects(openImage(p), /holds 2 images/);
  assert.equal((await openImage(p, { pick: 'b:2' })).configDigest, b.configDigest, 'b:2 matches docker.io/library/b:2 after normalisation');
});

test('a gzipped docker-archive is unpacked inside the cache and read', async () => {
  const im = await sample();
  const d = tempDir();
  await writeDockerArchive(join(d, 'img.tar'), [{ image: im, tags: ['x:1'] }]);
  const { gzipSync } = await import('node:zlib');
  const { readFileSync } = await import('node:fs');
  writeFileSync(join(d, 'img.tar.gz'), gzipSync(readFileSync(join(d, 'img.tar'))));
  const { img } = await readAll(join(d, 'img.tar.gz'));
  assert.equal(img.configDigest, im.configDigest);
});

test('a plain directory is a one-layer image; symlinks inside stay links, not followed to the host', async () => {
  const d = tempDir();
  mkdirSync(join(d, 'etc'));
  writeFileSync(join(d, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  symlinkSync('/etc/passwd', join(d, 'etc/host-passwd'));
  const { img, tree } = await readAll(`fs://${d}`);
  assert.equal(img.source, 'directory');
  assert.equal(img.layers.length, 1);
  assert.equal(tree.readText('/etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  assert.equal(tree.lstat('/etc/host-passwd')!.type, 'symlink');
  assert.equal(tree.read('/etc/host-passwd'), undefined, 'the host file is never read through an image link');
});

test('a directory walk lets the event loop run (the progress line\'s timer) every few hundred entries', async () => {
  // fs:/// walks hundreds of thousands of entries with blocking calls; without pauses the
  // progress line's timer could not fire until the walk ended. Seen from outside: a callback
  // queued before the walk runs while it is under way, so a file it adds to a folder the walk
  // has not reached yet (z/, after a/'s 2,000 files) is in the index.
  const root = tempDir();
  mkdirSync(join(root, 'a'));
  mkdirSync(join(root, 'z'));
  for (let i = 0; i < 2000; i++) writeFileSync(join(root, 'a', `f${i}`), '');
  const img = await openImage(`fs://${root}`);
  let ranDuringWalk = false;
  setImmediate(() => {
    ranDuringWalk = true;
    writeFileSync(join(root, 'z', 'late'), '');
  });
  const scan = await scanImage(img, { selectors: [], analyzers: [] }, { cache: false });
  assert.ok(ranDuringWalk);
  assert.ok(treeOf(scan).lstat('/z/late'), 'the walk reached z/ after the callback ran');
});

test('a bare path chooses archive, OCI layout or directory by looking at it', async () => {
  const d = tempDir();
  const im = await sample();
  writeOciLayout(join(d, 'layout'), [{ images: [im] }]);
  await writeOciArchive(join(d, 'a.tar'), [{ images: [im] }]);
  mkdirSync(join(d, 'plain'));
  assert.equal((await parseTarget(join(d, 'layout'))).kind, 'oci-layout');
  assert.equal((await parseTarget(join(d, 'a.tar'))).kind, 'docker-archive');
  assert.equal((await parseTarget(join(d, 'plain'))).kind, 'directory');
  // A bare name is looked for in the local image store, then its registry (image://).
  assert.deepEqual(await parseTarget('alpine:3.19'), { kind: 'image', location: 'alpine:3.19' });
  assert.deepEqual(await parseTarget('image://alpine:3.19'), { kind: 'image', location: 'alpine:3.19' });
  assert.deepEqual(await parseTarget('local://sha256:abc'), { kind: 'docker-engine', location: 'sha256:abc' });
  assert.deepEqual(await parseTarget('registry://localhost:5000/x:1'), { kind: 'registry', location: 'localhost:5000/x:1' });
  await assert.rejects(parseTarget('./does-not-exist.tar'), /no such file or directory/);
});

test('a capture set keeps only the files it names', async () => {
  const im = await sample();
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const img = await openImage(dir);
  const tree = treeOf(await scanImage(img, { selectors: [{ globs: ['/etc/os-release'] }], analyzers: [] }, { cache: false }));
  assert.ok(tree.read('/etc/os-release'));
  assert.equal(tree.read('/app/main.js'), undefined, 'files nobody asked for are listed but not kept');
  assert.ok(tree.lstat('/app/main.js'));
});
