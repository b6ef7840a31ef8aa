/**
 * End to end against a real registry (docker-registry, pushed to with skopeo): what we read
 * back must be exactly what was built.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { registrySource } from '../../../src/image/sources/registry.js';
import { ScoutError } from '../../../src/util/errors.js';
import { buildImage, indexOf, writeDockerArchive, writeOciLayout, type BuiltImage } from '../../helpers/image-builder.js';
import { startRegistry, type RegistryServer } from '../../helpers/registry-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { readLayerTars } from '../../helpers/read-layers.js';

// Neither the developer's Docker login nor our env credentials may leak into anonymous pulls.
process.env.DOCKER_CONFIG = tempDir('scout-docker-config-');
delete process.env.SCOUT_REGISTRY_USER;
delete process.env.SCOUT_REGISTRY_PASSWORD;

let reg: RegistryServer;
let app: BuiltImage;
let amd: BuiltImage;
let arm: BuiltImage;
let zstd: BuiltImage;

before(async () => {
  reg = await startRegistry();
  app = await buildImage({
    layers: [{ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.1\n', 'bin/sh': { content: '#!sh', mode: 0o755 } }, { 'app/main.js': 'console.log(1)', 'etc/.wh.gone': '' }, { 'app/data.bin': Buffer.alloc(70_000, 7) }],
    env: ['PATH=/usr/bin:/bin', 'NODE_ENV=production', 'EQ=a=b'],
    labels: { 'org.opencontainers.image.source': 'https://example.com/app', maintainer: 'team' },
    exposedPorts: ['8080/tcp'],
    user: 'app',
    workingDir: '/app',
    entrypoint: ['node'],
    cmd: ['main.js'],
  });
  const single = tempDir();
  writeOciLayout(single, [{ images: [app], refName: 'v1' }]);
  reg.push(single, 'v1', 'scout/app:1.0');

  amd = await buildImage({ architecture: 'amd64', layers: [{ 'arch.txt': 'amd64' }], labels: { arch: 'amd64' } });
  arm = await buildImage({ architecture: 'arm64', variant: 'v8', layers: [{ 'arch.txt': 'arm64' }], labels: { arch: 'arm64' } });
  const multi = tempDir();
  writeOciLayout(multi, [{ images: [amd, arm], refName: 'multi' }]);
  reg.push(multi, 'multi', 'scout/multi:2', { all: true });

  zstd = await buildImage({ compression: 'zstd', layers: [{ 'z.txt': 'zstd layer' }, { 'y.txt': 'y' }] });
  const z = tempDir();
  writeOciLayout(z, [{ images: [zstd], refName: 'z' }]);
  reg.push(z, 'z', 'scout/zstd:1');

  // From a docker-archive skopeo pushes Docker v2 schema 2 media types (gzipping the layers).
  const d = tempDir();
  await writeDockerArchive(join(d, 'img.tar'), [{ image: app, tags: ['scout/app:1.0'] }]);
  reg.copy(`docker-archive:${join(d, 'img.tar')}`, 'scout/dockerv2:1');
});

after(() => reg?.stop());

/** What the registry itself says the tag's manifest digest is (a plain HEAD, not our client). */
async function registryDigest(repoRef: string): Promise<string | null> {
  const [repo, ref] = repoRef.split(/:(?=[^:]+$)|@/);
  const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json';
  const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, { method: 'HEAD', headers: { accept } });
  return res.headers.get('docker-content-digest');
}


test('anonymous pull by tag: metadata equals what was built and the digest equals what the registry reports', async () => {
  const img = await registrySource.open(`${reg.host}/scout/app:1.0`, {});
  assert.equal(img.source, 'registry');
  assert.equal(img.reference, `${reg.host}/scout/app:1.0`);
  assert.equal(img.registry, reg.host);
  assert.equal(img.repository, 'scout/app');
  assert.equal(img.tag, '1.0');
  assert.equal(img.manifestDigest, await registryDigest('scout/app:1.0'));
  assert.equal(img.manifestDigest, app.manifestDigest);
  assert.equal(img.configDigest, app.configDigest);
  assert.deepEqual(img.config.rootfs.diff_ids, app.layers.map((l) => l.diffId));
  assert.deepEqual(img.layers.map((l) => l.diffId), app.layers.map((l) => l.diffId));
  assert.deepEqual(img.layers.map((l) => l.digest), app.layers.map((l) => l.digest));
  assert.deepEqual(img.layers.map((l) => l.size), app.layers.map((l) => l.blob.length));
  assert.deepEqual(img.config.config?.Env, ['PATH=/usr/bin:/bin', 'NODE_ENV=production', 'EQ=a=b']);
  assert.deepEqual(img.config.config?.Labels, { 'org.opencontainers.image.source': 'https://example.com/app', maintainer: 'team' });
  assert.deepEqual(img.config.config?.ExposedPorts, { '8080/tcp': {} });
  assert.equal(img.config.config?.User, 'app');
  assert.deepEqual([img.config.os, img.config.architecture], ['linux', 'amd64']);
  assert.equal(img.index, undefined);
});

test('every layer stream reads to the end verified and yields exactly the tar that was built', async () => {
  const img = await registrySource.open(`${reg.host}/scout/app:1.0`, {});
  const tars = await readLayerTars(img);
  assert.equal(tars.length, 3);
  tars.forEach((t, i) => assert.ok(t.equals(app.layers[i].tar), `layer ${i} differs`));
});

test('progress: per-layer byte counts add up to each blob size and each layer reports done', async () => {
  const events: { layer?: string; bytes: number; total?: number; done?: boolean }[] = [];
  const img = await registrySource.open(`${reg.host}/scout/app:1.0`, { onProgress: (e) => events.push(e) });
  await readLayerTars(img);
  for (const l of app.layers) {
    const mine = events.filter((e) => e.layer === l.digest);
    assert.equal(mine.reduce((s, e) => s + e.bytes, 0), l.blob.length, l.digest);
    assert.ok(mine.every((e) => e.total === l.blob.length));
    assert.equal(mine.filter((e) => e.done).length, 1);
  }
});

test('multi-platform index: linux/arm64 and linux/amd64 give their own images; the index digest is the tag\'s', async () => {
  const idx = indexOf([amd, arm]);
  const tagDigest = await registryDigest('scout/multi:2');
  assert.equal(tagDigest, idx.digest);
  const a = await registrySource.open(`${reg.host}/scout/multi:2`, { platform: { os: 'linux', architecture: 'arm64' } });
  const b = await registrySource.open(`${reg.host}/scout/multi:2`, { platform: { os: 'linux', architecture: 'amd64' } });
  assert.equal(a.indexDigest, idx.digest);
  assert.equal(b.indexDigest, idx.digest);
  assert.equal(a.manifestDigest, arm.manifestDigest);
  assert.equal(b.manifestDigest, amd.manifestDigest);
  assert.equal(a.configDigest, arm.configDigest);
  assert.equal(b.configDigest, amd.configDigest);
  assert.deepEqual([a.config.architecture, a.config.variant], ['arm64', 'v8']);
  assert.equal(b.config.architecture, 'amd64');
  assert.deepEqual(a.config.config?.Labels, { arch: 'arm64' });
  const [ta] = await readLayerTars(a);
  const [tb] = await readLayerTars(b);
  assert.ok(ta.equals(arm.layers[0].tar));
  assert.ok(tb.equals(amd.layers[0].tar));
});

test('multi-platform index: a platform it lacks fails listing the ones it has', async () => {
  await assert.rejects(registrySource.open(`${reg.host}/scout/multi:2`, { platform: { os: 'linux', architecture: 's390x' } }), (err: unknown) => {
    assert.ok(err instanceof ScoutError);
    assert.equal(err.code, 'platform-not-found');
    assert.match(err.message, /linux\/s390x/);
    assert.match(err.message, /linux\/amd64/);
    assert.match(err.message, /linux\/arm64\/v8/);
    return true;
  });
});

test('pull by digest: the manifest, and a platform manifest inside an index, by their digests', async () => {
  const img = await registrySource.open(`${reg.host}/scout/app@${app.manifestDigest}`, {});
  assert.equal(img.manifestDigest, app.manifestDigest);
  assert.equal(img.configDigest, app.configDigest);
  assert.equal(img.tag, undefined);
  assert.equal(img.reference, `${reg.host}/scout/app@${app.manifestDigest}`);
  const armImg = await registrySource.open(`${reg.host}/scout/multi@${arm.manifestDigest}`, {});
  assert.equal(armImg.configDigest, arm.configDigest);
  assert.equal(armImg.indexDigest, undefined);
  // Tag and digest together: the digest decides.
  const both = await registrySource.open(`${reg.host}/scout/multi:2@${amd.manifestDigest}`, { platform: { os: 'linux', architecture: 'arm64' } });
  assert.equal(both.configDigest, amd.configDigest);
});

test('unknown tag, unknown digest and unknown repository fail naming the reference', async () => {
  const missingDigest = 'sha256:' + 'ab'.repeat(32);
  for (const ref of [`${reg.host}/scout/app:nope`, `${reg.host}/scout/app@${missingDigest}`, `${reg.host}/scout/never:1`]) {
    await assert.rejects(registrySource.open(ref, {}), (err: unknown) => {
      assert.ok(err instanceof ScoutError);
      assert.equal(err.code, 'manifest-unknown', ref);
      assert.ok(err.message.includes(ref), err.message);
      return true;
    });
  }
});

test('Docker v2 schema 2 manifests (as docker push writes them) read the same image', async () => {
  const img = await registrySource.open(`${reg.host}/scout/dockerv2:1`, {});
  assert.equal(img.manifest.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.equal(img.manifestDigest, await registryDigest('scout/dockerv2:1'));
  assert.equal(img.configDigest, app.configDigest);
  assert.deepEqual(img.layers.map((l) => l.diffId), app.layers.map((l) => l.diffId));
  const tars = await readLayerTars(img);
  tars.forEach((t, i) => assert.ok(t.equals(app.layers[i].tar), `layer ${i} differs`));
});

test('zstd layers stream decompressed and verified', async () => {
  const img = await registrySource.open(`${reg.host}/scout/zstd:1`, {});
  assert.equal(img.manifestDigest, zstd.manifestDigest);
  assert.deepEqual(img.layers.map((l) => l.mediaType), ['application/vnd.oci.image.layer.v1.tar+zstd', 'application/vnd.oci.image.layer.v1.tar+zstd']);
  const tars = await readLayerTars(img);
  tars.forEach((t, i) => assert.ok(t.equals(zstd.layers[i].tar), `layer ${i} differs`));
});
