/**
 * A registry that sends a blob's headers and then stalls, or trickles a byte at a time, must
 * not keep a scan alive: the layer fails with an error naming it and the host, within the idle
 * timeout and minimum rate configured (tiny here, so the test is quick).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openImage } from '../../../src/image/open.js';
import { RegistryClient } from '../../../src/image/registry/client.js';
import { ScoutError } from '../../../src/util/errors.js';
import { scanImage } from '../../../src/image/scan.js';
import { scoutAsync } from '../../helpers/cli.js';
import { buildImage, type BuiltImage } from '../../helpers/image-builder.js';
import { tempDir } from '../../helpers/tmp.js';
import { serveImages, singleImage, startFake, type FakeServer } from './fake-registry.js';

process.env.DOCKER_CONFIG = tempDir('scout-docker-config-');
delete process.env.SCOUT_REGISTRY_USER;
delete process.env.SCOUT_REGISTRY_PASSWORD;

const servers: FakeServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
const timers: NodeJS.Timeout[] = [];
after(() => timers.forEach(clearInterval));

const ALL = { selectors: [{ globs: ['**'] }], analyzers: [] };

/** A registry serving the image, whose layer 1 blob is sent as `layer` decides. */
async function registryWith(layer: 'stall' | 'trickle') {
  const im = await buildImage({ layers: [{ 'etc/hostname': 'box' }, { 'app/big': Buffer.alloc(64 * 1024, 7) }] });
  const slow = im.layers[1];
  const normal = serveImages(singleImage('slow/app', '1', im));
  const s = await startFake((req, res, url) => {
    if (!url.pathname.endsWith(`/blobs/${slow.digest}`)) return normal(req, res, url);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': slow.blob.length });
    res.write(slow.blob.subarray(0, 10));
    if (layer === 'trickle') {
      let at = 10;
      const t = setInterval(() => (at < slow.blob.length ? res.write(slow.blob.subarray(at, ++at)) : clearInterval(t)), 20);
      timers.push(t);
      res.on('close', () => clearInterval(t));
    }
  });
  servers.push(s);
  return { ref: `${s.host}/slow/app:1`, host: s.host, digest: slow.digest };
}

test('a blob whose registry stalls after the headers fails its layer, naming the layer and the host; the rest is read', async () => {
  process.env.SCOUT_REGISTRY_IDLE_TIMEOUT = '0.3';
  try {
    const { ref, host, digest } = await registryWith('stall');
    const scan = await scanImage(await openImage(ref), ALL, { cache: false });
    assert.deepEqual(scan.failedLayers, [1]);
    const w = scan.warnings.find((x) => x.layerFailed)!;
    assert.equal(w.code, 'registry-stalled', JSON.stringify(scan.warnings));
    assert.ok(w.message.includes(digest) && w.message.includes(host), w.message);
    assert.match(w.message, /no data for 0\.3s/);
  } finally {
    delete process.env.SCOUT_REGISTRY_IDLE_TIMEOUT;
  }
});

test('a blob that trickles in under the minimum rate fails its layer; the flags set both bounds, and the scan exits 3', async () => {
  const { ref, host, digest } = await registryWith('trickle');
  // A byte every 20 ms never leaves the connection idle for 0.5 s, but is 50 bytes/s.
  const r = await scoutAsync(['image', 'inspect', ref, '--no-cache', '--registry-idle-timeout', '0.5', '--registry-min-rate', '1000'], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(r.code, 3, r.stderr);
  const line = r.stderr.split('\n').find((l) => l.includes('bytes/s'))!;
  assert.ok(line && line.includes(host) && line.includes(digest), r.stderr);
  assert.match(line, /under the minimum of 1000/);
  const bad = await scoutAsync(['image', 'inspect', ref, '--registry-min-rate', 'fast'], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--registry-min-rate must be a number/);
});

/**
 * A registry whose answers to `pick` (a manifest, the config blob, the token) send their
 * headers and then stall or trickle; the rest is served normally.
 */
async function slowDocuments(pick: (path: string) => boolean, how: 'stall' | 'trickle', bearer = false) {
  const im = await buildImage({ layers: [{ 'etc/hostname': 'box' }] });
  const normal = serveImages(singleImage('slow/app', '1', im));
  let realm = '';
  const s = await startFake((req, res, url) => {
    if (bearer && url.pathname !== '/token' && req.headers.authorization !== 'Bearer t') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="s"`, 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    const body = url.pathname === '/token' ? Buffer.from('{"token":"t","expires_in":300}') : undefined;
    if (!pick(url.pathname)) return normal(req, res, url);
    const doc = body ?? (url.pathname.includes('/manifests/') ? im.manifestBytes : im.configBytes);
    res.writeHead(200, { 'content-type': url.pathname.includes('/manifests/') ? String(im.manifest.mediaType) : 'application/json', 'content-length': doc.length });
    res.write(doc.subarray(0, 2));
    if (how === 'trickle') {
      let at = 2;
      const t = setInterval(() => (at < doc.length ? res.write(doc.subarray(at, ++at)) : clearInterval(t)), 20);
      timers.push(t);
      res.on('close', () => clearInterval(t));
    }
  });
  servers.push(s);
  realm = `${s.url}/token`;
  return { s, im };
}

const TIGHT = { idleMs: 300, minBytesPerSecond: 1000 };

test('a manifest, a config or a token whose body stalls or trickles fails within the pace, naming what and the host (it hung)', { timeout: 60_000 }, async () => {
  const cases = [
    { what: 'manifest', pick: (p: string) => p.includes('/manifests/'), how: 'stall', call: (c: RegistryClient) => c.getManifest('slow/app', '1'), expect: /manifest of .*slow\/app:1 from 127\.0\.0\.1:\d+: no data for 0\.3s .*, after 2 bytes$/ },
    { what: 'manifest', pick: (p: string) => p.includes('/manifests/'), how: 'trickle', call: (c: RegistryClient) => c.getManifest('slow/app', '1'), expect: /manifest of .* from 127\.0\.0\.1:\d+: [\d.]+ bytes\/s over .* under the minimum of 1000/ },
    { what: 'config', pick: (p: string) => p.includes('/blobs/'), how: 'stall', call: async (c: RegistryClient, im: BuiltImage) => c.getBlob('slow/app', im.configDigest, 1 << 20), expect: /blob sha256:[0-9a-f]+ of slow\/app from 127\.0\.0\.1:\d+: no data for 0\.3s/ },
    // The token response is held to the client's pace (the flags), not only the environment's.
    { what: 'token', pick: (p: string) => p === '/token', how: 'stall', bearer: true, call: (c: RegistryClient) => c.getManifest('slow/app', '1'), expect: /token response from 127\.0\.0\.1:\d+: no data for 0\.3s .*, after 2 bytes$/ },
    { what: 'token', pick: (p: string) => p === '/token', how: 'trickle', bearer: true, call: (c: RegistryClient) => c.getManifest('slow/app', '1'), expect: /token response from 127\.0\.0\.1:\d+: [\d.]+ bytes\/s over .* under the minimum of 1000/ },
  ] as const;
  for (const k of cases) {
    const { s, im } = await slowDocuments(k.pick, k.how, 'bearer' in k);
    const started = Date.now();
    await assert.rejects(k.call(new RegistryClient({ registry: s.host, pace: TIGHT }), im), (err: unknown) => {
      assert.ok(err instanceof ScoutError, String(err));
      assert.equal(err.code, 'registry-stalled');
      assert.ok(err.message.startsWith(`registry ${s.host}: `), err.message);
      assert.match(err.message, k.expect);
      return true;
    }, `${k.what} ${k.how}`);
    assert.ok(Date.now() - started < 5000, `${k.what} ${k.how}: within the pace`);
  }
});

test('a token service that stalls after its headers fails the pull under --registry-idle-timeout; the CLI says so in one line', { timeout: 30_000 }, async () => {
  const { s } = await slowDocuments((p) => p === '/token', 'stall', true);
  const r = await scoutAsync(['image', 'inspect', `registry://${s.host}/slow/app:1`, '--registry-idle-timeout', '0.3'], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: .*token.* from 127\.0\.0\.1:\d+: no data for 0\.3s \(SCOUT_REGISTRY_IDLE_TIMEOUT, --registry-idle-timeout\)/m);
});

test('a token service that stalls after its headers fails the pull under SCOUT_REGISTRY_IDLE_TIMEOUT; the CLI says so in one line', async () => {
  const { s } = await slowDocuments((p) => p === '/token', 'stall', true);
  const r = await scoutAsync(['image', 'inspect', `registry://${s.host}/slow/app:1`], { SCOUT_CACHE_DIR: tempDir(), SCOUT_REGISTRY_IDLE_TIMEOUT: '0.3' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: .*token.* from 127\.0\.0\.1:\d+: no data for 0\.3s/m);
});
