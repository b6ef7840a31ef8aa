/**
 * A registry that sends a blob's headers and then stalls, or trickles a byte at a time, must
 * not keep a scan alive: the layer fails with an error naming it and the host, within the idle
 * timeout and minimum rate configured (tiny here, so the test is quick).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openImage } from '../../../src/image/open.js';
import { scanImage } from '../../../src/image/scan.js';
import { scoutAsync } from '../../helpers/cli.js';
import { buildImage } from '../../helpers/image-builder.js';
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
