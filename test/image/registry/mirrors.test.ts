/**
 * Registry mirrors, end to end: a real registry (docker-registry) plays the mirror or the
 * upstream, and a small fake server plays a mirror that is broken in one particular way.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderInspectTable } from '../../../src/cli/output/inspect-table.js';
import { imageMetadataFrom } from '../../../src/image/inspect.js';
import { mirrorsFor, parseMirror } from '../../../src/image/registry/mirrors.js';
import { scanImage } from '../../../src/image/scan.js';
import { registrySource } from '../../../src/image/sources/registry.js';
import type { Image } from '../../../src/image/types.js';
import { ScoutError } from '../../../src/util/errors.js';
import { buildImage, writeOciLayout, type BuiltImage } from '../../helpers/image-builder.js';
import { startRegistry, type RegistryServer } from '../../helpers/registry-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { readLayerTars } from '../../helpers/read-layers.js';
import { serveImages, singleImage, startFake } from './fake-registry.js';

process.env.DOCKER_CONFIG = tempDir('scout-docker-config-');
delete process.env.SCOUT_REGISTRY_USER;
delete process.env.SCOUT_REGISTRY_PASSWORD;
delete process.env.SCOUT_REGISTRY_MIRRORS;

let reg: RegistryServer;
let app: BuiltImage;

before(async () => {
  reg = await startRegistry();
  app = await buildImage({ layers: [{ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.1\n' }, { 'app/main.js': 'console.log("mirrored")' }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [app], refName: 'v1' }]);
  reg.push(dir, 'v1', 'scout/app:1.0');
  // As a Harbor proxy-cache project holds another registry's images: under a path of its own.
  reg.push(dir, 'v1', 'hub-proxy/scout/app:1.0');
});

after(() => reg?.stop());


function assertIsApp(img: Image): void {
  assert.equal(img.manifestDigest, app.manifestDigest);
  assert.deepEqual(img.layers.map((l) => l.diffId), app.layers.map((l) => l.diffId));
}

test('mirror entries: a bare URL mirrors docker.io, a path is a repository prefix, http means plain HTTP; bad entries are named', () => {
  assert.deepEqual(parseMirror('https://mirror.gcr.io'), { registry: 'docker.io', mirror: { url: 'https://mirror.gcr.io', host: 'mirror.gcr.io', prefix: '', insecure: false } });
  assert.deepEqual(parseMirror('ghcr.io=https://harbor.example.com/ghcr-proxy/'), { registry: 'ghcr.io', mirror: { url: 'https://harbor.example.com/ghcr-proxy', host: 'harbor.example.com', prefix: 'ghcr-proxy/', insecure: false } });
  assert.deepEqual(parseMirror('quay.io=http://10.0.0.5:5000').mirror, { url: 'http://10.0.0.5:5000', host: '10.0.0.5:5000', prefix: '', insecure: true });
  // No scheme: TLS.
  assert.equal(parseMirror('docker.io=mirror.example:443').mirror.insecure, false);
  for (const [entry, words] of [
    ['docker.io=ftp://mirror.example', /only http:\/\/ and https:\/\//],
    ['docker.io=https://user:pw@mirror.example', /credentials/],
    ['docker.io=https://mirror.example/v2', /without \/v2/],
    ['not a host=https://mirror.example', /not a registry host/],
    ['docker.io=https://', /not a URL/],
  ] as const) {
    assert.throws(() => parseMirror(entry), (e: unknown) => e instanceof ScoutError && e.code === 'bad-mirror' && words.test(e.message) && e.message.includes(entry), entry);
  }
  // Docker Hub's other names share its mirrors; the command line's come before the environment's, once each.
  const env = { SCOUT_REGISTRY_MIRRORS: 'https://b.example, ghcr.io=https://g.example https://a.example' };
  assert.deepEqual(mirrorsFor('index.docker.io', ['https://a.example'], env).map((m) => m.url), ['https://a.example', 'https://b.example']);
  assert.deepEqual(mirrorsFor('ghcr.io', [], env).map((m) => m.url), ['https://g.example']);
  assert.deepEqual(mirrorsFor('quay.io', [], env), []);
});

test('an image whose registry cannot be reached is pulled whole through its mirror', async () => {
  // upstream.invalid never resolves: every byte must come from the mirror.
  const img = await registrySource.open('upstream.invalid/scout/app:1.0', { registryMirrors: [`upstream.invalid=http://${reg.host}`] });
  assertIsApp(img);
  assert.equal(img.registry, 'upstream.invalid');
  assert.equal(img.mirror, `http://${reg.host}`);
  // The metadata keeps the image's registry and names the mirror; the table says so.
  const meta = imageMetadataFrom(img);
  assert.equal(meta.registry?.host, 'upstream.invalid');
  assert.equal(meta.registry?.mirror, `http://${reg.host}`);
  assert.match(renderInspectTable(meta), new RegExp(`Registry\\s+https://upstream\\.invalid \\(other\\), pulled through http://${reg.host.replace(/\./g, '\\.')}`));
  const tars = await readLayerTars(img);
  tars.forEach((t, i) => assert.ok(t.equals(app.layers[i].tar), `layer ${i}`));
  assert.deepEqual(img.warnings, []);
});

test('a mirror URL with a path pulls from that path (a proxy-cache project)', async () => {
  const img = await registrySource.open('upstream.invalid/scout/app:1.0', { registryMirrors: [`upstream.invalid=http://${reg.host}/hub-proxy`] });
  assertIsApp(img);
  assert.equal(img.mirror, `http://${reg.host}/hub-proxy`);
  assert.equal(img.repository, 'scout/app');
});

test('a mirror without the image is passed over quietly; one that cannot be reached is passed over with a warning', async () => {
  const missing = await registrySource.open(`${reg.host}/scout/app:1.0`, { registryMirrors: [`${reg.host}=http://${reg.host}/empty-proxy`] });
  assertIsApp(missing);
  assert.equal(missing.mirror, undefined);
  assert.deepEqual(missing.warnings, []);

  // Nothing listens on port 1.
  const dead = await registrySource.open(`${reg.host}/scout/app:1.0`, { registryMirrors: [`${reg.host}=http://127.0.0.1:1`] });
  assertIsApp(dead);
  assert.equal(dead.mirror, undefined);
  assert.equal(dead.warnings?.length, 1);
  assert.equal(dead.warnings?.[0].code, 'mirror-failed');
  assert.match(dead.warnings![0].message, /registry mirror http:\/\/127\.0\.0\.1:1 failed .*cannot reach/);
  // The warning reaches the scan's warnings.
  const scan = await scanImage(dead, { selectors: [{ globs: ['/etc/os-release'] }], analyzers: [] }, { cache: false });
  assert.ok(scan.warnings.some((w) => w.code === 'mirror-failed'));
});

test('blobs a mirror lacks come from the registry itself', async () => {
  // A mirror holding the manifests but none of the blobs (a cache that was pruned).
  const content = singleImage('scout/app', '1.0', app);
  const serve = serveImages(content);
  const mirror = await startFake((req, res, url) => {
    if (url.pathname.includes('/blobs/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] }));
      return;
    }
    return serve(req, res, url);
  });
  try {
    const img = await registrySource.open(`${reg.host}/scout/app:1.0`, { registryMirrors: [`${reg.host}=${mirror.url}`] });
    assertIsApp(img);
    assert.equal(img.mirror, mirror.url);
    const tars = await readLayerTars(img);
    tars.forEach((t, i) => assert.ok(t.equals(app.layers[i].tar), `layer ${i}`));
    // The mirror was asked for the config and every layer first.
    assert.equal(mirror.requests.filter((r) => r.path.includes('/blobs/')).length, 1 + app.layers.length);
    assert.deepEqual(img.warnings, []);
  } finally {
    await mirror.close();
  }
});

test('a mirror that fails every blob with a server error gives one warning, not one per blob', async () => {
  const serve = serveImages(singleImage('scout/app', '1.0', app));
  const mirror = await startFake((req, res, url) => {
    if (url.pathname.includes('/blobs/')) {
      res.writeHead(503);
      res.end('down for maintenance');
      return;
    }
    return serve(req, res, url);
  });
  try {
    const img = await registrySource.open(`${reg.host}/scout/app:1.0`, { registryMirrors: [`${reg.host}=${mirror.url}`] });
    const tars = await readLayerTars(img);
    tars.forEach((t, i) => assert.ok(t.equals(app.layers[i].tar), `layer ${i}`));
    assert.equal(img.warnings?.length, 1);
    assert.match(img.warnings![0].message, /503/);
  } finally {
    await mirror.close();
  }
});

test('the SCOUT_REGISTRY_USER credentials go to the image\'s registry only, never to a mirror', async (t) => {
  const mirror = await startFake((_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="mirror"', 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
  });
  process.env.SCOUT_REGISTRY_USER = 'ci-user';
  process.env.SCOUT_REGISTRY_PASSWORD = 'ci-secret';
  t.after(() => {
    delete process.env.SCOUT_REGISTRY_USER;
    delete process.env.SCOUT_REGISTRY_PASSWORD;
  });
  try {
    const img = await registrySource.open(`${reg.host}/scout/app:1.0`, { registryMirrors: [`${reg.host}=${mirror.url}`] });
    assertIsApp(img);
    assert.ok(mirror.requests.length > 0, 'the mirror was asked first');
    assert.deepEqual(mirror.requests.filter((r) => r.authorization !== undefined), []);
    assert.equal(img.warnings?.[0]?.code, 'mirror-failed');
  } finally {
    await mirror.close();
  }
});

test('when neither the mirrors nor the registry have the image, the error names the mirrors tried', async () => {
  await assert.rejects(
    registrySource.open(`${reg.host}/scout/nothing:1`, { registryMirrors: [`${reg.host}=http://${reg.host}/hub-proxy`] }),
    (e: unknown) => e instanceof ScoutError && e.code === 'manifest-unknown' && e.message.includes(`mirrors tried first: http://${reg.host}/hub-proxy: manifest-unknown`),
  );
});
