/**
 * One image, four ways in: pushed to a real registry, written as an OCI layout, an OCI archive
 * and a docker-archive. `scout image inspect` must describe it identically, except for what a
 * docker-archive cannot keep (the manifest and compressed blobs it never had).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { INSPECT_CAPTURE, imageMetadata } from '../../../src/image/inspect.js';
import type { ImageMetadata } from '../../../src/image/metadata.js';
import { scanImage, treeOf } from '../../../src/image/scan.js';
import { archiveSource } from '../../../src/image/sources/archive.js';
import { ociLayoutSource } from '../../../src/image/sources/oci-layout.js';
import { registrySource } from '../../../src/image/sources/registry.js';
import type { Image } from '../../../src/image/types.js';
import { buildImage, writeDockerArchive, writeOciArchive, writeOciLayout, type BuiltImage } from '../../helpers/image-builder.js';
import { startRegistry, type RegistryServer } from '../../helpers/registry-server.js';
import { tempDir } from '../../helpers/tmp.js';

process.env.DOCKER_CONFIG = tempDir('scout-docker-config-');
process.env.SCOUT_CACHE_DIR = tempDir('scout-cache-');
delete process.env.SCOUT_REGISTRY_USER;
delete process.env.SCOUT_REGISTRY_PASSWORD;

let reg: RegistryServer;
let built: BuiltImage;
const meta: Record<'registry' | 'layout' | 'ociArchive' | 'dockerArchive', ImageMetadata> = {} as never;

async function inspect(img: Image): Promise<ImageMetadata> {
  const scan = await scanImage(img, INSPECT_CAPTURE, { cache: false });
  assert.deepEqual(scan.failedLayers, [], `${img.source}: every layer reads`);
  return imageMetadata(img, scan, treeOf(scan));
}

before(async () => {
  reg = await startRegistry();
  built = await buildImage({
    created: '2024-03-04T05:06:07Z',
    layers: [
      { 'etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n', 'bin/sh': { content: 'sh', mode: 0o755 } },
      { 'srv/app.py': 'print("hi")\n', 'srv/big.bin': Buffer.alloc(40_000, 1) },
    ],
    env: ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8', 'OPTS=-a=b'],
    labels: { 'org.opencontainers.image.title': 'agree', team: 'scan' },
    exposedPorts: ['80/tcp', '53/udp'],
    user: 'www-data',
    workingDir: '/srv',
    entrypoint: ['python3'],
    cmd: ['app.py'],
    emptyHistoryBefore: { 1: 'WORKDIR /srv' },
  });
  const dir = tempDir();
  const layout = join(dir, 'layout');
  writeOciLayout(layout, [{ images: [built], refName: 'v1' }]);
  await writeOciArchive(join(dir, 'oci.tar'), [{ images: [built], refName: 'v1' }]);
  await writeDockerArchive(join(dir, 'docker.tar'), [{ image: built, tags: [`${reg.host}/scout/agree:v1`] }]);
  reg.push(layout, 'v1', 'scout/agree:v1');

  meta.registry = await inspect(await registrySource.open(`${reg.host}/scout/agree:v1`, {}));
  meta.layout = await inspect(await ociLayoutSource.open(layout, {}));
  meta.ociArchive = await inspect(await archiveSource.open(join(dir, 'oci.tar'), {}));
  meta.dockerArchive = await inspect(await archiveSource.open(join(dir, 'docker.tar'), {}));
});

after(() => reg?.stop());

/** Everything but where the image was read from. */
function content(m: ImageMetadata): Omit<ImageMetadata, 'reference' | 'source' | 'registry'> {
  const { reference: _r, source: _s, registry: _g, ...rest } = m;
  return rest;
}

/** What survives `docker save`: no manifest digest, no compressed blobs. */
function dockerArchiveComparable(m: ImageMetadata) {
  const { digest: _d, indexDigest: _i, size, layers, ...rest } = content(m);
  return { ...rest, layers: layers.map(({ digest: _ld, mediaType: _mt, size: _sz, ...l }) => l), uncompressed: size.uncompressed };
}

test('the registry copy, OCI layout and OCI archive give identical metadata, compressed digests and sizes included', () => {
  assert.deepEqual(content(meta.layout), content(meta.registry));
  assert.deepEqual(content(meta.ociArchive), content(meta.registry));
  assert.equal(meta.registry.digest, built.manifestDigest);
  assert.deepEqual(meta.registry.layers.map((l) => [l.digest, l.size, l.mediaType]), built.layers.map((l) => [l.digest, l.blob.length, l.mediaType]));
  assert.equal(meta.registry.size.compressed, built.layers.reduce((s, l) => s + l.blob.length, 0));
});

test('the docker-archive agrees on everything it can keep', () => {
  assert.deepEqual(dockerArchiveComparable(meta.dockerArchive), dockerArchiveComparable(meta.registry));
  // Tagged with the registry's name, it names the same registry, repository and tag.
  assert.deepEqual(meta.dockerArchive.registry, meta.registry.registry);
});

test('and what they agree on is what was built', () => {
  const m = meta.registry;
  assert.deepEqual(m.registry, { host: reg.host, url: `http://${reg.host}`, type: 'local', repository: 'scout/agree', tag: 'v1' });
  assert.equal(m.configDigest, built.configDigest);
  assert.equal(m.created, '2024-03-04T05:06:07Z');
  assert.deepEqual(m.platform, { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(m.os, { type: 'linux', name: 'debian', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
  assert.deepEqual(m.env, [
    { name: 'PATH', value: '/usr/bin:/bin' },
    { name: 'LANG', value: 'C.UTF-8' },
    { name: 'OPTS', value: '-a=b' },
  ]);
  assert.deepEqual(m.labels, { 'org.opencontainers.image.title': 'agree', team: 'scan' });
  assert.deepEqual(m.exposedPorts, ['53/udp', '80/tcp']);
  assert.deepEqual([m.user, m.workingDir, m.entrypoint, m.cmd], ['www-data', '/srv', ['python3'], ['app.py']]);
  assert.deepEqual(m.layers.map((l) => l.diffId), built.layers.map((l) => l.diffId));
  assert.deepEqual(m.history.map((h) => [h.createdBy, h.emptyLayer]), [
    ['/bin/sh -c #(nop) layer 0', false],
    ['WORKDIR /srv', true],
    ['/bin/sh -c #(nop) layer 1', false],
  ]);
  assert.equal(m.size.uncompressed, 2 + 'print("hi")\n'.length + 40_000 + 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'.length);
  assert.deepEqual(m.registry, { host: reg.host, url: `http://${reg.host}`, type: 'local', repository: 'scout/agree', tag: 'v1' });
});
