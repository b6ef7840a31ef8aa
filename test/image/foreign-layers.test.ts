/**
 * Foreign (non-distributable) layers: the source does not hold the blob, the descriptor names
 * URLs. Not fetched unless allowed; fetched and verified when allowed; from a registry, an OCI
 * layout and a docker-archive (docker save's LayerSources).
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { scanImage } from '../../src/image/scan.js';
import { ociLayoutSource } from '../../src/image/sources/oci-layout.js';
import { archiveSource } from '../../src/image/sources/archive.js';
import { registrySource } from '../../src/image/sources/registry.js';
import { ScoutError } from '../../src/util/errors.js';
import { buildImage, sha256, tarOf, writeOciLayout, type BuiltImage } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';
import { readLayerTars } from '../helpers/read-layers.js';
import { serveImages, singleImage, startFake, type FakeServer } from './registry/fake-registry.js';

const FOREIGN = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

let base: BuiltImage;
/** Serves the foreign blob at /layers/<hex>, and wrong bytes at /tampered/<hex>. */
let cdn: FakeServer;
let layerUrl: string;

/** `im` with its first layer turned foreign: a foreign media type and these URLs. */
function withForeignBase(im: BuiltImage, urls: string[]): BuiltImage {
  const manifest = { ...im.manifest, layers: (im.manifest.layers as Record<string, unknown>[]).map((l, i) => (i === 0 ? { ...l, mediaType: FOREIGN, urls } : l)) };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return { ...im, manifest, manifestBytes, manifestDigest: sha256(manifestBytes) };
}

before(async () => {
  delete process.env.SCOUT_ALLOW_FOREIGN_LAYERS;
  base = await buildImage({ flavor: 'docker', layers: [{ 'Files/windows/system32/kernel.txt': 'base layer from elsewhere' }, { 'app/app.txt': 'our layer' }] });
  const blob = base.layers[0].blob;
  cdn = await startFake((_req, res, url) => {
    if (url.pathname === `/layers/${base.layers[0].digest.slice(7)}`) res.end(blob);
    else if (url.pathname === '/moved') {
      res.writeHead(302, { location: `/layers/${base.layers[0].digest.slice(7)}` });
      res.end();
    } else if (url.pathname === '/moved-away') {
      // A redirect that leaves for plain HTTP elsewhere is held to the same rule as the URL itself.
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    }
    else if (url.pathname.startsWith('/tampered/')) res.end(Buffer.concat([blob.subarray(0, blob.length - 1), Buffer.from([blob[blob.length - 1] ^ 1])]));
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  layerUrl = `${cdn.url}/layers/${base.layers[0].digest.slice(7)}`;
});

after(() => cdn?.close());


/** A fake registry holding everything but the foreign blob. */
async function registryWithout(im: BuiltImage): Promise<FakeServer> {
  const content = singleImage('win/app', '1', im);
  content.blobs.delete(im.layers[0].digest);
  return startFake(serveImages(content));
}

test('from a registry: not fetched unless allowed, and the error names the URL and the option', async () => {
  const im = withForeignBase(base, [layerUrl]);
  const reg = await registryWithout(im);
  try {
    const img = await registrySource.open(`${reg.host}/win/app:1`, {});
    await assert.rejects(img.layers[0].open(), (e: unknown) => e instanceof ScoutError && e.code === 'foreign-layer' && e.message.includes(layerUrl) && e.message.includes('--allow-foreign-layers'));
    assert.equal(cdn.requests.length, 0, 'nothing was fetched from the URL');
    // The scan goes on with the other layer and says which one is missing, and why.
    const scan = await scanImage(img, { selectors: [{ globs: ['/app/app.txt'] }], analyzers: [] }, { cache: false });
    assert.deepEqual(scan.failedLayers, [0]);
    assert.ok(scan.warnings.some((w) => w.code === 'foreign-layer'));
    assert.equal(scan.layers[1].index?.captured.get('/app/app.txt')?.toString(), 'our layer');
  } finally {
    await reg.close();
  }
});

test('from a registry, allowed: fetched from the URL and verified like any layer', async () => {
  const reg = await registryWithout(withForeignBase(base, ['file:///etc/passwd', `${cdn.url}/nothing-here`, layerUrl]));
  try {
    const img = await registrySource.open(`${reg.host}/win/app:1`, { allowForeignLayers: true });
    const tars = await readLayerTars(img);
    tars.forEach((t, i) => assert.ok(t.equals(base.layers[i].tar), `layer ${i}`));
  } finally {
    await reg.close();
  }
  // Wrong bytes at the URL fail the digest check; unusable URLs are each named.
  const bad = await registryWithout(withForeignBase(base, [`${cdn.url}/tampered/${base.layers[0].digest.slice(7)}`]));
  try {
    const img = await registrySource.open(`${bad.host}/win/app:1`, { allowForeignLayers: true });
    await assert.rejects(readLayerTars(img), (e: unknown) => e instanceof ScoutError && e.code === 'digest-mismatch');
  } finally {
    await bad.close();
  }
  const none = await registryWithout(withForeignBase(base, ['file:///etc/passwd', 'http://example.com/x', `${cdn.url}/gone`]));
  try {
    const img = await registrySource.open(`${none.host}/win/app:1`, { allowForeignLayers: true });
    await assert.rejects(img.layers[0].open(), (e: unknown) => e instanceof ScoutError && e.code === 'foreign-layer-unavailable'
      && /file:\/\/\/etc\/passwd: only https URLs are fetched/.test(e.message) && /http:\/\/example\.com\/x: only https/.test(e.message) && /\/gone: 404/.test(e.message));
  } finally {
    await none.close();
  }
});

test('redirects are followed by hand, each hop held to the https rule', async () => {
  const reg = await registryWithout(withForeignBase(base, [`${cdn.url}/moved-away`, `${cdn.url}/moved`]));
  try {
    const img = await registrySource.open(`${reg.host}/win/app:1`, { allowForeignLayers: true });
    const [tar] = await readLayerTars(img);
    assert.ok(tar.equals(base.layers[0].tar));
  } finally {
    await reg.close();
  }
  const away = await registryWithout(withForeignBase(base, [`${cdn.url}/moved-away`]));
  try {
    const img = await registrySource.open(`${away.host}/win/app:1`, { allowForeignLayers: true });
    await assert.rejects(img.layers[0].open(), (e: unknown) => e instanceof ScoutError && e.code === 'foreign-layer-unavailable' && /moved-away: redirected to http:\/\/169\.254\.169\.254\/latest\/meta-data\/: only https/.test(e.message));
  } finally {
    await away.close();
  }
});

test('SCOUT_ALLOW_FOREIGN_LAYERS=1 allows it too; a layer the source lacks without URLs is still just missing', async (t) => {
  const dir = tempDir();
  const im = withForeignBase(base, [layerUrl]);
  writeOciLayout(dir, [{ images: [im], refName: 'win' }]);
  rmSync(join(dir, 'blobs', 'sha256', base.layers[0].digest.slice(7)));
  process.env.SCOUT_ALLOW_FOREIGN_LAYERS = '1';
  t.after(() => delete process.env.SCOUT_ALLOW_FOREIGN_LAYERS);
  const img = await ociLayoutSource.open(dir, {});
  const tars = await readLayerTars(img);
  assert.ok(tars[0].equals(base.layers[0].tar));

  // The same layout with a plain (not foreign) missing layer: no URL to turn to.
  const plain = tempDir();
  writeOciLayout(plain, [{ images: [base], refName: 'win' }]);
  rmSync(join(plain, 'blobs', 'sha256', base.layers[0].digest.slice(7)));
  const img2 = await ociLayoutSource.open(plain, {});
  await assert.rejects(img2.layers[0].open(), (e: unknown) => e instanceof ScoutError && e.code === 'missing-blob');
});

test('docker save leaves foreign layers out and lists them in LayerSources: read from their URLs when allowed', async () => {
  const cfg = `${base.configDigest.slice(7)}.json`;
  const layerNames = base.layers.map((l) => `${l.diffId.slice(7)}/layer.tar`);
  const foreign = base.layers[0];
  const manifest = [{
    Config: cfg,
    RepoTags: ['win/app:1'],
    Layers: layerNames,
    LayerSources: { [foreign.diffId]: { mediaType: FOREIGN, size: foreign.blob.length, digest: foreign.digest, urls: [layerUrl] } },
  }];
  const path = join(tempDir(), 'win.tar');
  // The foreign layer's layer.tar is not in the archive.
  writeFileSync(path, await tarOf({ 'manifest.json': JSON.stringify(manifest), [cfg]: base.configBytes, [layerNames[1]]: base.layers[1].tar }));
  const denied = await archiveSource.open(path, {});
  await assert.rejects(denied.layers[0].open(), (e: unknown) => e instanceof ScoutError && e.code === 'foreign-layer');
  const img = await archiveSource.open(path, { allowForeignLayers: true });
  assert.equal(img.layers[0].digest, foreign.digest);
  const tars = await readLayerTars(img);
  tars.forEach((t, i) => assert.ok(t.equals(base.layers[i].tar), `layer ${i}`));
});
