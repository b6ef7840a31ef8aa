/**
 * The registry client against a tiny local server: tampered content, transient failures and
 * retries, error statuses, non-JSON bodies, plain HTTP vs TLS.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { RegistryClient, registryBaseUrl } from '../../../src/image/registry/client.js';
import { registrySource } from '../../../src/image/sources/registry.js';
import { ScoutError } from '../../../src/util/errors.js';
import { buildImage, sha256, tarOf } from '../../helpers/image-builder.js';
import { tempDir } from '../../helpers/tmp.js';
import { serveImages, singleImage, startFake, type FakeServer } from './fake-registry.js';

process.env.DOCKER_CONFIG = tempDir('scout-docker-config-');
delete process.env.SCOUT_REGISTRY_USER;
delete process.env.SCOUT_REGISTRY_PASSWORD;

const servers: FakeServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function fake(...args: Parameters<typeof startFake>): Promise<FakeServer> {
  const s = await startFake(...args);
  servers.push(s);
  return s;
}

const FAST = { tries: 4, baseDelayMs: 1, maxDelayMs: 5 };
const image = buildImage({ layers: [{ 'etc/hostname': 'box' }, { 'app/x': 'y' }], labels: { a: 'b' } });

function code(c: string, ...fragments: (string | RegExp)[]) {
  return (err: unknown) => {
    assert.ok(err instanceof ScoutError, String(err));
    assert.equal(err.code, c, err.message);
    for (const f of fragments) {
      if (typeof f === 'string') assert.ok(err.message.includes(f), `${JSON.stringify(f)} not in: ${err.message}`);
      else assert.match(err.message, f);
    }
    return true;
  };
}

const manifestGets = (s: FakeServer, ref: string) => s.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/manifests/${ref}`)).length;

test('scheme: HTTPS by default, Docker Hub on registry-1.docker.io, plain HTTP for loopback and --insecure-registry hosts', () => {
  assert.equal(registryBaseUrl('docker.io'), 'https://registry-1.docker.io');
  assert.equal(registryBaseUrl('ghcr.io'), 'https://ghcr.io');
  assert.equal(registryBaseUrl('localhost:5000'), 'http://localhost:5000');
  assert.equal(registryBaseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.equal(registryBaseUrl('[::1]:5000'), 'http://[::1]:5000');
  assert.equal(registryBaseUrl('localhost.example.com'), 'https://localhost.example.com');
  assert.equal(registryBaseUrl('reg.lan:5000', ['reg.lan:5000']), 'http://reg.lan:5000');
  assert.equal(registryBaseUrl('reg.lan:5000', ['reg.lan']), 'http://reg.lan:5000');
  assert.equal(registryBaseUrl('reg.lan:5000', ['http://reg.lan:5000/']), 'http://reg.lan:5000');
  assert.equal(registryBaseUrl('reg.lan:5000', ['other.lan:5000']), 'https://reg.lan:5000');
  assert.equal(registryBaseUrl('reg.lan:5000', ['reg.lan:6000']), 'https://reg.lan:5000');
});

test('manifest whose Docker-Content-Digest does not match its bytes: digest-mismatch', async () => {
  const im = await image;
  const normal = serveImages(singleImage('team/app', 'v1', im));
  const s = await fake((req, res, url) => {
    if (url.pathname.endsWith('/manifests/v1')) {
      const tampered = Buffer.from(im.manifestBytes.toString('utf8').replace('"schemaVersion":2', '"schemaVersion":2 '));
      res.writeHead(200, { 'content-type': String(im.manifest.mediaType), 'docker-content-digest': im.manifestDigest });
      res.end(tampered);
      return;
    }
    return normal(req, res, url);
  });
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  await assert.rejects(client.getManifest('team/app', 'v1'), code('digest-mismatch', im.manifestDigest, s.host));
  await assert.rejects(registrySource.open(`${s.host}/team/app:v1`, {}), code('digest-mismatch'));
});

test('by-digest pull whose bytes do not hash to the requested digest: digest-mismatch even without a header', async () => {
  const im = await image;
  const other = await buildImage({ layers: [{ 'other': 'x' }] });
  const s = await fake((_req, res) => {
    res.writeHead(200, { 'content-type': String(other.manifest.mediaType) });
    res.end(other.manifestBytes);
  });
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  await assert.rejects(client.getManifest('team/app', im.manifestDigest), code('digest-mismatch', im.manifestDigest));
  // Served bytes that hash right pass, and the digest comes back.
  const ok = await client.getManifest('team/app', other.manifestDigest);
  assert.equal(ok.digest, other.manifestDigest);
  assert.ok(ok.bytes.equals(other.manifestBytes));
});

test('tampered config and tampered layer blob are caught: config at open, layer when its stream ends', async () => {
  const im = await image;
  const content = singleImage('team/app', 'v1', im);
  content.blobs.set(im.configDigest, Buffer.from(im.configBytes.toString('utf8').replace('"a":"b"', '"a":"c"')));
  const s1 = await fake(serveImages(content));
  await assert.rejects(registrySource.open(`${s1.host}/team/app:v1`, {}), code('digest-mismatch', im.configDigest));

  const content2 = singleImage('team/app', 'v1', im);
  const evil = gzipSync(await tarOf({ 'app/x': 'EVIL' }));
  content2.blobs.set(im.layers[1].digest, evil);
  const s2 = await fake(serveImages(content2));
  const img = await registrySource.open(`${s2.host}/team/app:v1`, {});
  for await (const _ of await img.layers[0].open());
  await assert.rejects(async () => {
    for await (const _ of await img.layers[1].open());
  }, code('digest-mismatch', im.layers[1].digest));
});

test('a layer blob that runs past its descriptor\'s size is cut off there, without being read to its end', async () => {
  const im = await image;
  const content = singleImage('team/app', 'v1', im);
  const serve = serveImages(content);
  const layer = im.layers[1];
  // The right blob, then 64 MiB more: a server that would stream forever.
  const extra = 64 * 1024 * 1024;
  let written = 0;
  let closedEarly = false;
  let closed!: () => void;
  const responseClosed = new Promise<void>((r) => (closed = r));
  const s = await fake(async (req, res, url) => {
    if (!url.pathname.endsWith(`/blobs/${layer.digest}`)) return serve(req, res, url);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.on('close', () => {
      closedEarly = written < layer.blob.length + extra;
      closed();
    });
    const chunk = Buffer.alloc(256 * 1024);
    res.write(layer.blob);
    written += layer.blob.length;
    while (written < layer.blob.length + extra && !res.destroyed) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r).once('close', r));
      written += chunk.length;
    }
    res.end();
  });
  const img = await registrySource.open(`${s.host}/team/app:v1`, {});
  await assert.rejects(async () => {
    for await (const _ of await img.layers[1].open());
  }, code('digest-mismatch', layer.digest, `more than the ${layer.blob.length} bytes its descriptor gives`));
  // Wait for the server to see the connection end (a fixed delay was too short on a loaded machine).
  await responseClosed;
  assert.ok(closedEarly, `the client hung up before the end (${written} bytes written)`);
});

test('retry: two 503s then success; each retry is a new request', async () => {
  const im = await image;
  const normal = serveImages(singleImage('team/app', 'v1', im));
  let failures = 2;
  const s = await fake((req, res, url) => {
    if (url.pathname.endsWith('/manifests/v1') && failures-- > 0) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"try later"}]}');
      return;
    }
    return normal(req, res, url);
  });
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  const m = await client.getManifest('team/app', 'v1');
  assert.equal(m.digest, im.manifestDigest);
  assert.equal(manifestGets(s, 'v1'), 3);
});

test('retry is bounded: a registry that stays 503 is asked 4 times and the error says 503', async () => {
  const s = await fake((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}');
  });
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  await assert.rejects(client.getManifest('team/app', 'v1'), code('registry-error', '503', 'maintenance', s.host));
  assert.equal(manifestGets(s, 'v1'), 4);
});

test('retry: 429 with Retry-After, and a connection dropped mid-request, are retried', async () => {
  const im = await image;
  const normal = serveImages(singleImage('team/app', 'v1', im));
  let step = 0;
  const s = await fake((req, res, url) => {
    if (url.pathname.endsWith('/manifests/v1')) {
      step++;
      if (step === 1) {
        res.writeHead(429, { 'retry-after': '0' });
        res.end();
        return;
      }
      if (step === 2) {
        req.socket.destroy();
        return;
      }
    }
    return normal(req, res, url);
  });
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  assert.equal((await client.getManifest('team/app', 'v1')).digest, im.manifestDigest);
  assert.equal(manifestGets(s, 'v1'), 3);
});

test('4xx are not retried: 404 names the reference, 403 says access was denied', async () => {
  const s404 = await fake(serveImages(singleImage('team/app', 'v1', await image)));
  const client = new RegistryClient({ registry: s404.host, retry: FAST });
  await assert.rejects(client.getManifest('team/app', 'v2'), code('manifest-unknown', `${s404.host}/team/app:v2`, 'MANIFEST_UNKNOWN'));
  assert.equal(manifestGets(s404, 'v2'), 1);
  await assert.rejects(client.getBlob('team/app', 'sha256:' + '0'.repeat(64), 100), code('blob-unknown', 'BLOB_UNKNOWN'));

  const s403 = await fake((_req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
  });
  const c403 = new RegistryClient({ registry: s403.host, retry: FAST });
  await assert.rejects(c403.getManifest('team/app', 'v1'), code('registry-denied', s403.host, 'requested access to the resource is denied', 'docker login'));
  assert.equal(manifestGets(s403, 'v1'), 1);
});

test('401 is not retried blindly: one anonymous try, one with credentials, then a clear error', async () => {
  const s = await fake((_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"', 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  const client = new RegistryClient({ registry: s.host, retry: FAST, credentials: async () => ({ username: 'u', password: 'p', origin: 'the test' }) });
  await assert.rejects(client.getManifest('team/app', 'v1'), code('registry-unauthorized', `registry ${s.host}`, 'the test', 'docker login'));
  assert.equal(s.requests.length, 2);
  assert.equal(s.requests[0].authorization, undefined);
  assert.equal(s.requests[1].authorization, 'Basic ' + Buffer.from('u:p').toString('base64'));
});

test('non-JSON answers: an HTML page and a JSON content type with junk are clear errors', async () => {
  const s = await fake((_req, res, url) => {
    if (url.pathname.endsWith('/html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>Please sign in</body></html>');
    } else {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end('not json at all');
    }
  });
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  await assert.rejects(client.getManifest('team/app', 'html'), code('registry-bad-response', 'text/html', s.host));
  await assert.rejects(client.getManifest('team/app', 'junk'), code('registry-bad-response', 'not JSON'));
});

test('an oversized manifest is refused without reading it all', async () => {
  const s = await fake((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    res.end('{"pad":"' + 'x'.repeat(5000) + '"}');
  });
  const saved = process.env.SCOUT_MAX_MANIFEST_BYTES;
  process.env.SCOUT_MAX_MANIFEST_BYTES = '1000';
  try {
    await assert.rejects(new RegistryClient({ registry: s.host, retry: FAST }).getManifest('team/app', 'v1'), code('response-too-large'));
  } finally {
    if (saved === undefined) delete process.env.SCOUT_MAX_MANIFEST_BYTES;
    else process.env.SCOUT_MAX_MANIFEST_BYTES = saved;
  }
});

test('HTTPS to a plain-HTTP registry is a TLS error pointing at --insecure-registry; with it, HTTP works', async () => {
  const im = await image;
  // 127.0.0.2 is loopback to the kernel but not one of the names we reach over HTTP by default.
  const s = await fake(serveImages(singleImage('team/app', 'v1', im)), '127.0.0.2');
  const tls = new RegistryClient({ registry: s.host, retry: FAST });
  await assert.rejects(tls.getManifest('team/app', 'v1'), code('registry-tls', s.host, `--insecure-registry ${s.host}`));
  const plain = new RegistryClient({ registry: s.host, retry: FAST, insecureRegistries: [s.host] });
  assert.equal((await plain.getManifest('team/app', 'v1')).digest, im.manifestDigest);
  const img = await registrySource.open(`${s.host}/team/app:v1`, { insecureRegistries: [s.host] });
  assert.equal(img.configDigest, im.configDigest);
});

test('HEAD gives the digest without the body; a digest-pinned blob path rejects a non-digest', async () => {
  const im = await image;
  const s = await fake(serveImages(singleImage('team/app', 'v1', im)));
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  const h = await client.headManifest('team/app', 'v1');
  assert.equal(h.digest, im.manifestDigest);
  assert.equal(h.size, im.manifestBytes.length);
  assert.equal(h.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  await assert.rejects(client.getBlob('team/app', '../../etc/passwd', 10), code('bad-digest'));
  assert.equal(sha256(await client.getBlob('team/app', im.configDigest, 1 << 20)), im.configDigest);
});

/** Serves one blob; the first `breaks` responses stop halfway by dropping the connection. */
async function flakyBlobServer(blob: Buffer, breaks: number, honourRange: boolean): Promise<{ s: FakeServer; ranges: (string | undefined)[] }> {
  let left = breaks;
  const ranges: (string | undefined)[] = [];
  const s = await fake((req, res) => {
    ranges.push(req.headers.range);
    const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const from = honourRange && m ? Number(m[1]) : 0;
    const body = blob.subarray(from);
    res.writeHead(from ? 206 : 200, { 'content-length': body.length, ...(from ? { 'content-range': `bytes ${from}-${blob.length - 1}/${blob.length}` } : {}) });
    if (left-- > 0) res.write(body.subarray(0, body.length >> 1), () => req.socket.destroy());
    else res.end(body);
  });
  return { s, ranges };
}

test('a blob download that breaks mid-way resumes with a Range request and yields every byte once', async () => {
  const blob = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
  const digest = sha256(blob);
  for (const honourRange of [true, false]) {
    const { s, ranges } = await flakyBlobServer(blob, 2, honourRange);
    const client = new RegistryClient({ registry: s.host, retry: FAST });
    let counted = 0;
    const chunks: Buffer[] = [];
    for await (const c of await client.openBlob('team/app', digest, (n) => (counted += n))) chunks.push(c as Buffer);
    const got = Buffer.concat(chunks);
    assert.equal(got.length, blob.length, `honourRange=${honourRange}`);
    assert.equal(sha256(got), digest, `honourRange=${honourRange}`);
    assert.equal(counted, blob.length);
    assert.equal(ranges.length, 3);
    assert.equal(ranges[0], undefined);
    // Each resume asks from where delivery stopped: further on each time when the server
    // honours Range; from the same place when it resends from the start and we skip.
    const from = ranges.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r ?? '')?.[1]));
    assert.ok(from[0] > 0 && (honourRange ? from[1] > from[0] : from[1] === from[0]), `resumed from ${from.join(', ')}`);
  }
});

test('a blob download that keeps breaking fails after the retry budget, saying how far it got', async () => {
  const blob = Buffer.alloc(200_000, 3);
  const { s } = await flakyBlobServer(blob, 100, true);
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  await assert.rejects(async () => {
    for await (const _ of await client.openBlob('team/app', sha256(blob)));
  }, code('registry-stream', s.host, 'connection broke after'));
  assert.equal(s.requests.length, 4);
});
