/**
 * Opaque whiteouts (`DIR/.wh..wh..opq`) read from real layer tars, written by GNU tar and
 * packed as a docker-archive (`docker save`: uncompressed layer.tar, Docker media types) and as
 * an OCI layout (gzip layers): the squashed tree hides what lower layers put in the opaque
 * folder, and the SBOM no longer lists the packages that lived there.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CaptureSpec } from '../../src/image/capture.js';
import { openImage } from '../../src/image/open.js';
import { scanImage, treeOf } from '../../src/image/scan.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { gnuTar, type GnuTarEntry } from '../helpers/gnu-tar.js';
import { buildImage, writeDockerArchive, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

const ALL: CaptureSpec = { selectors: [{ globs: ['**'] }], analyzers: [] };
const pkgJson = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });

const lower: [string, GnuTarEntry][] = [
  ['app', { dir: true }],
  ['app/node_modules', { dir: true }],
  ['app/node_modules/left-pad', { dir: true }],
  ['app/node_modules/left-pad/package.json', pkgJson('left-pad', '1.3.0')],
  ['app/node_modules/old-dep', { dir: true }],
  ['app/node_modules/old-dep/package.json', pkgJson('old-dep', '0.1.0')],
  ['app/package.json', pkgJson('the-app', '1.0.0')],
  ['etc', { dir: true }],
  ['etc/keep.conf', 'kept'],
  ['var/lib/x', { dir: true }],
  ['var/lib/x/old1', '1'],
  ['var/lib/x/sub/old2', '2'],
];

const upper: [string, GnuTarEntry][] = [
  // Docker writes the folder, then its marker, then what the layer adds.
  ['app/node_modules', { dir: true }],
  ['app/node_modules/.wh..wh..opq', ''],
  ['app/node_modules/new-dep', { dir: true }],
  ['app/node_modules/new-dep/package.json', pkgJson('new-dep', '2.0.0')],
  // Order inside a tar is not guaranteed: here the marker comes after the new file.
  ['var/lib/x/new', 'n'],
  ['var/lib/x/.wh..wh..opq', ''],
];

async function imageOf(flavor: 'docker' | 'oci'): Promise<string> {
  const im = await buildImage({ layers: [gnuTar(lower, 'gnu'), gnuTar(upper, 'pax')], flavor, compression: flavor === 'docker' ? 'none' : 'gzip' });
  const dir = tempDir('scout-opaque-');
  if (flavor === 'oci') {
    writeOciLayout(dir, [{ images: [im] }]);
    return dir;
  }
  const path = join(dir, 'image.tar');
  await writeDockerArchive(path, [{ image: im, tags: ['opaque:1'] }]);
  return path;
}

for (const flavor of ['docker', 'oci'] as const) {
  test(`${flavor} image: an opaque folder hides the lower layer's children in the squashed tree and the SBOM`, async () => {
    const ref = await imageOf(flavor);
    const scan = await scanImage(await openImage(ref), ALL, { cache: false });
    assert.deepEqual(scan.failedLayers, []);
    const tree = treeOf(scan);
    assert.deepEqual(tree.list('/app/node_modules').map((n) => n.path), ['/app/node_modules/new-dep']);
    assert.equal(tree.lstat('/app/node_modules/left-pad/package.json'), undefined);
    assert.equal(tree.lstat('/app/node_modules')?.type, 'dir', 'the opaque folder itself stays');
    assert.deepEqual(tree.list('/var/lib/x').map((n) => n.path), ['/var/lib/x/new']);
    assert.equal(tree.lstat('/var/lib/x/sub/old2'), undefined);
    // Outside the opaque folders, nothing changed; the markers are not files.
    assert.equal(tree.readText('/etc/keep.conf'), 'kept');
    assert.equal(tree.readText('/app/package.json'), pkgJson('the-app', '1.0.0'));
    assert.ok(![...tree.walk()].some((n) => n.path.includes('.wh.')), 'no whiteout marker in the tree');

    const { sbom } = await sbomForImage(await openImage(ref), undefined, { cache: false });
    const npm = sbom.packages.filter((p) => p.type === 'npm').map((p) => p.purl).sort();
    assert.deepEqual(npm, ['pkg:npm/new-dep@2.0.0', 'pkg:npm/the-app@1.0.0']);
  });
}
