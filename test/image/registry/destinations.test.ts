/**
 * Where a registry may send Scout (issue #15): redirects and Bearer token realms that lead to
 * the metadata service or the private network are refused unless the registry is there itself
 * or the user allows it; a failure at a redirect's target names that target, not only the
 * registry.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { addressKind, DestinationGuard } from '../../../src/image/registry/destinations.js';
import { RegistryClient } from '../../../src/image/registry/client.js';
import { ScoutError } from '../../../src/util/errors.js';
import { scoutAsync } from '../../helpers/cli.js';
import { buildImage } from '../../helpers/image-builder.js';
import { tempDir } from '../../helpers/tmp.js';
import { serveImages, singleImage, startFake, type FakeServer } from './fake-registry.js';

process.env.DOCKER_CONFIG = tempDir('scout-docker-config-');
delete process.env.SCOUT_ALLOW_PRIVATE_REDIRECTS;
const servers: FakeServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
const FAST = { tries: 1, baseDelayMs: 1, maxDelayMs: 1 };
const image = buildImage({ layers: [{ 'etc/hostname': 'box' }] });

/** A registry that serves the image but answers blob requests with a redirect to `to(digest)`. */
async function redirecting(to: (digest: string) => string): Promise<FakeServer> {
  const im = await image;
  const serve = serveImages(singleImage('team/app', 'v1', im));
  const s = await startFake((req, res, url) => {
    const blob = /\/blobs\/(sha256:[a-f0-9]+)$/.exec(url.pathname);
    if (blob) {
      res.writeHead(307, { location: to(blob[1]) });
      res.end();
      return;
    }
    return serve(req, res, url);
  });
  servers.push(s);
  return s;
}

/** A port on loopback where nothing listens. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('address kinds: loopback, link-local, private ranges (IPv4, IPv6, IPv4-mapped) and public', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', 'loopback'], ['127.8.9.10', 'loopback'], ['::1', 'loopback'], ['0.0.0.0', 'loopback'],
    ['169.254.169.254', 'link-local'], ['fe80::1', 'link-local'], ['::ffff:169.254.169.254', 'link-local'],
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['100.64.0.1', 'private'], ['fd00::5', 'private'],
    ['172.32.0.1', 'public'], ['8.8.8.8', 'public'], ['2001:4860:4860::8888', 'public'], ['::ffff:8.8.8.8', 'public'],
  ];
  for (const [ip, kind] of cases) assert.equal(addressKind(ip), kind, ip);
});

/** The hosts of every TCP connection opened while `f` runs (undici opens them with net.connect). */
async function connectionsDuring(f: () => Promise<unknown>): Promise<string[]> {
  const hosts: string[] = [];
  const real = net.connect;
  const mutable = net as { connect: typeof net.connect };
  mutable.connect = ((...args: unknown[]) => {
    const o = args[0];
    hosts.push(typeof o === 'object' && o !== null ? String((o as { host?: string }).host) : String(args[1]));
    return (real as (...a: unknown[]) => net.Socket)(...args);
  }) as typeof net.connect;
  try {
    await f();
  } finally {
    mutable.connect = real;
  }
  return hosts;
}

test('a blob redirect to the metadata service is refused before any connection, naming the registry and the target', async () => {
  const s = await redirecting(() => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/');
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  const { configDigest } = await image;
  const hosts = await connectionsDuring(() => assert.rejects(client.getBlob('team/app', configDigest, 1 << 20), (err: unknown) => {
    assert.ok(err instanceof ScoutError);
    assert.equal(err.code, 'registry-private-address');
    assert.ok(err.message.startsWith(`registry ${s.host}: a redirect for blob`), err.message);
    assert.match(err.message, /leads to http:\/\/169\.254\.169\.254, a link-local address.*--allow-private-redirects.*SCOUT_ALLOW_PRIVATE_REDIRECTS=1/);
    return true;
  }));
  // Refused before connecting, not after a connection attempt timed out.
  assert.ok(hosts.length > 0 && hosts.every((h) => h === '127.0.0.1' || h === 'localhost'), `connections: ${hosts.join(', ')}`);
  // Private ranges the loopback registry is not on are refused the same way.
  const s2 = await redirecting(() => 'http://10.20.30.40:9000/bucket/blob');
  await assert.rejects(new RegistryClient({ registry: s2.host, retry: FAST }).getBlob('team/app', (await image).configDigest, 1 << 20), (err: unknown) => err instanceof ScoutError && err.code === 'registry-private-address' && /10\.20\.30\.40:9000, a private address/.test(err.message));
});

test('a Bearer realm on a link-local address is refused: no token request leaves', async () => {
  const s = await startFake((_req, res) => {
    res.writeHead(401, { 'www-authenticate': 'Bearer realm="http://169.254.169.254/token",service="x"', 'content-type': 'application/json' });
    res.end('{}');
  });
  servers.push(s);
  await assert.rejects(new RegistryClient({ registry: s.host, retry: FAST }).getManifest('team/app', 'v1'), (err: unknown) => {
    assert.ok(err instanceof ScoutError);
    assert.equal(err.code, 'registry-private-address');
    assert.match(err.message, new RegExp(`^registry ${s.host}: a token for team/app \\(Bearer realm\\) leads to http://169\\.254\\.169\\.254, a link-local address`));
    return true;
  });
  assert.equal(s.requests.length, 1);
});

test('the rule by the registry\'s own address: a public registry may not lead to loopback or a name on the private network; allowed, it may', async () => {
  const names: Record<string, string[]> = { 'registry.example.test': ['93.184.216.34'], 'storage.example.test': ['93.184.216.35'], 'minio.corp.test': ['10.0.0.8'], 'intranet.example.test': ['10.9.9.9'] };
  const lookup = async (h: string) => names[h] ?? [];
  const pub = new DestinationGuard('registry.example.test', 'registry.example.test', { allowPrivate: false, lookup });
  await pub.check(new URL('https://storage.example.test/blob'), 'a redirect');
  await pub.check(new URL('https://registry.example.test/v2/'), 'the registry itself');
  await assert.rejects(pub.check(new URL('http://127.0.0.1:8080/admin'), 'a redirect'), /leads to http:\/\/127\.0\.0\.1:8080, a loopback address/);
  await assert.rejects(pub.check(new URL('https://minio.corp.test/b'), 'a redirect'), /leads to https:\/\/minio\.corp\.test \(10\.0\.0\.8\), a private address/);
  await assert.rejects(pub.check(new URL('http://[fe80::1]/'), 'a redirect'), /a link-local address/);
  // A registry on the private network may keep its storage there; the metadata service is still out.
  const corp = new DestinationGuard('intranet.example.test', 'intranet.example.test', { allowPrivate: false, lookup });
  await corp.check(new URL('https://minio.corp.test/b'), 'a redirect');
  await assert.rejects(corp.check(new URL('http://169.254.169.254/'), 'a redirect'), /link-local/);
  const allowed = new DestinationGuard('registry.example.test', 'registry.example.test', { allowPrivate: true, lookup });
  await allowed.check(new URL('http://169.254.169.254/'), 'a redirect');
  await allowed.check(new URL('https://minio.corp.test/b'), 'a redirect');
});

test('a loopback registry\'s redirect to another loopback port is followed; a target that does not answer is named as the redirect\'s target', async () => {
  const port = await closedPort();
  const s = await redirecting((d) => `http://127.0.0.1:${port}/signed/${d}`);
  const client = new RegistryClient({ registry: s.host, retry: FAST });
  await assert.rejects(client.getBlob('team/app', (await image).configDigest, 1 << 20), (err: unknown) => {
    assert.ok(err instanceof ScoutError);
    assert.equal(err.code, 'registry-unreachable');
    assert.ok(err.message.includes(`cannot reach http://127.0.0.1:${port} (where ${s.host} redirected blob`), err.message);
    return true;
  });
});

test('an error status from a redirect\'s target names the target', async () => {
  const storage = await startFake((_req, res) => {
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
  });
  servers.push(storage);
  const s = await redirecting((d) => `${storage.url}/signed/${d}`);
  await assert.rejects(new RegistryClient({ registry: s.host, retry: FAST }).getBlob('team/app', (await image).configDigest, 1 << 20), (err: unknown) => {
    assert.ok(err instanceof ScoutError);
    assert.equal(err.code, 'registry-denied');
    assert.ok(err.message.includes(`at ${storage.url} where the registry redirected it (403 Forbidden`), err.message);
    return true;
  });
});

test('scout image inspect: the refusal is one line; --allow-private-redirects lets the redirect through', async () => {
  // fe80::1 without a zone fails at once on connect (EINVAL): followed, the error says so.
  const s = await redirecting((d) => `http://[fe80::1]:8/signed/${d}`);
  const env = { SCOUT_CACHE_DIR: tempDir(), DOCKER_CONFIG: process.env.DOCKER_CONFIG! };
  // registry://: straight to the registry, not through a local Docker store first.
  const refused = await scoutAsync(['image', 'inspect', `registry://${s.host}/team/app:v1`], env);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /^error: registry 127\.0\.0\.1:\d+: a redirect for blob sha256:[0-9a-f]+ of .* leads to http:\/\/\[fe80::1\]:8, a link-local address.*--allow-private-redirects/m);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  for (const [args, extra] of [[['--allow-private-redirects'], {}], [[], { SCOUT_ALLOW_PRIVATE_REDIRECTS: '1' }]] as const) {
    const followed = await scoutAsync(['image', 'inspect', `registry://${s.host}/team/app:v1`, ...args], { ...env, ...extra });
    assert.equal(followed.code, 1, followed.stderr);
    assert.ok(followed.stderr.includes(`cannot reach http://[fe80::1]:8 (where ${s.host} redirected blob`), followed.stderr);
  }
});

test('DNS rebinding: each name is resolved once, and connections go to the address that was checked, not a second answer', async () => {
  const im = await image;
  // Blob storage on loopback, reached by a name that answers loopback (allowed: the registry is
  // on loopback too) the first time and the metadata service every time after.
  const storage = await startFake((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': im.configBytes.length });
    res.end(im.configBytes);
  });
  servers.push(storage);
  const port = (s: FakeServer) => s.host.split(':')[1];
  const registry = await redirecting((d) => `http://storage.rebind.test:${port(storage)}/blobs/${d}`);
  const asked: Record<string, number> = {};
  const lookup = async (h: string) => {
    asked[h] = (asked[h] ?? 0) + 1;
    if (h === 'registry.rebind.test') return ['127.0.0.1'];
    if (h === 'storage.rebind.test') return asked[h] === 1 ? ['127.0.0.1'] : ['169.254.169.254'];
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
  };
  const registryName = `registry.rebind.test:${port(registry)}`;
  const client = new RegistryClient({ registry: registryName, insecureRegistries: [registryName], retry: FAST, lookup });
  // Twice: the second blob fetch, redirected again, must not resolve the name again either.
  for (let i = 0; i < 2; i++) assert.deepEqual(await client.getBlob('team/app', im.configDigest, 1 << 20), im.configBytes);
  assert.deepEqual(asked, { 'registry.rebind.test': 1, 'storage.rebind.test': 1 });
  assert.equal(storage.requests.length, 2);
  // A name that does not resolve is still "no such host", naming it.
  const nowhere = new RegistryClient({ registry: 'nowhere.rebind.test:5000', insecureRegistries: ['nowhere.rebind.test:5000'], retry: FAST, lookup });
  await assert.rejects(nowhere.getManifest('team/app', 'v1'), (err: unknown) => err instanceof ScoutError && err.code === 'registry-unreachable' && /nowhere\.rebind\.test:5000 \(no such host\)/.test(err.message));
});
