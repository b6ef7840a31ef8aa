/**
 * The Bearer token flow (Docker Hub, GHCR, Harbor…) against a tiny server with its own token
 * service, and redirects to blob storage on another origin.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { RegistryClient } from '../../../src/image/registry/client.js';
import { registrySource } from '../../../src/image/sources/registry.js';
import { ScoutError } from '../../../src/util/errors.js';
import { buildImage, type BuiltImage } from '../../helpers/image-builder.js';
import { tempDir } from '../../helpers/tmp.js';
import { serveImages, singleImage, startFake, type FakeServer, type Handler } from './fake-registry.js';

function resetEnv(): void {
  // Neither the developer's Docker login nor earlier tests' credentials may leak in.
  process.env.DOCKER_CONFIG = tempDir('scout-docker-config-');
  delete process.env.SCOUT_REGISTRY_USER;
  delete process.env.SCOUT_REGISTRY_PASSWORD;
}
resetEnv();
afterEach(resetEnv);

const servers: FakeServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const image = buildImage({ layers: [{ 'etc/hostname': 'box' }, { 'app/x': 'y' }], labels: { flow: 'bearer' } });

interface TokenServiceOptions {
  /** Basic credentials the token service accepts; without it, only anonymous tokens. */
  user?: { name: string; password: string };
  allowAnonymous?: boolean;
  refreshToken?: string;
  expiresIn?: number;
  /** Serve blobs by redirecting to this origin. */
  blobStorage?: string;
}

interface BearerRegistry {
  server: FakeServer;
  tokensIssued: string[];
  tokenRequests: URLSearchParams[];
}

/** A registry that wants `Bearer <token>` from its own /token service, as Docker Hub does. */
async function bearerRegistry(im: BuiltImage, o: TokenServiceOptions): Promise<BearerRegistry> {
  const tokensIssued: string[] = [];
  const tokenRequests: URLSearchParams[] = [];
  const serve = serveImages(singleImage('team/app', 'v1', im));
  let realm = '';
  const handler: Handler = async (req, res, url) => {
    if (url.pathname === '/token') {
      let params = url.searchParams;
      if (req.method === 'POST') {
        let body = '';
        for await (const c of req) body += c;
        params = new URLSearchParams(body);
      }
      tokenRequests.push(params);
      const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString() : undefined;
      const okBasic = o.user && basic === `${o.user.name}:${o.user.password}`;
      const okRefresh = o.refreshToken && params.get('grant_type') === 'refresh_token' && params.get('refresh_token') === o.refreshToken;
      const okAnon = o.allowAnonymous && !basic && req.method === 'GET';
      if (params.get('service') !== 'fake-registry' || params.get('scope') !== 'repository:team/app:pull' || !(okBasic || okRefresh || okAnon)) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"details":"incorrect username or password"}');
        return;
      }
      const token = `tok-${tokensIssued.length + 1}`;
      tokensIssued.push(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(okRefresh ? { access_token: token, expires_in: o.expiresIn ?? 300 } : { token, expires_in: o.expiresIn ?? 300 }));
      return;
    }
    const auth = req.headers.authorization;
    if (!auth || !tokensIssued.includes(auth.replace(/^Bearer /, '')) || !auth.startsWith('Bearer ')) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="${realm}",service="fake-registry",scope="repository:team/app:pull"` });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const blob = /\/blobs\/(sha256:[a-f0-9]+)$/.exec(url.pathname);
    if (blob && o.blobStorage) {
      res.writeHead(307, { location: `${o.blobStorage}/signed/${blob[1]}?sig=abc` });
      res.end();
      return;
    }
    return serve(req, res, url);
  };
  const server = await startFake(handler);
  servers.push(server);
  realm = `${server.url}/token`;
  return { server, tokensIssued, tokenRequests };
}

/** Blob storage on another origin: serves blobs by digest and records what it was sent. */
async function blobStorage(im: BuiltImage): Promise<FakeServer> {
  const blobs = new Map(im.layers.map((l) => [l.digest, l.blob]));
  blobs.set(im.configDigest, im.configBytes);
  const s = await startFake((_req, res, url) => {
    const b = blobs.get(url.pathname.replace('/signed/', ''));
    res.writeHead(b ? 200 : 404);
    res.end(b);
  });
  servers.push(s);
  return s;
}

async function drain(img: Awaited<ReturnType<typeof registrySource.open>>): Promise<void> {
  for (const l of img.layers) for await (const _ of await l.open());
}

test('Bearer with Basic credentials: token fetched once for service and scope, sent on every request', async () => {
  const im = await image;
  const r = await bearerRegistry(im, { user: { name: 'alice', password: 's3cret' } });
  process.env.SCOUT_REGISTRY_USER = 'alice';
  process.env.SCOUT_REGISTRY_PASSWORD = 's3cret';
  const img = await registrySource.open(`${r.server.host}/team/app:v1`, {});
  await drain(img);
  assert.equal(img.manifestDigest, im.manifestDigest);
  assert.deepEqual(img.config.config?.Labels, { flow: 'bearer' });
  assert.deepEqual(r.tokensIssued, ['tok-1']);
  assert.equal(r.tokenRequests[0].get('account'), 'alice');
  const api = r.server.requests.filter((q) => q.path.startsWith('/v2/'));
  // One anonymous try that got the challenge; everything after carries the token.
  assert.equal(api[0].authorization, undefined);
  assert.ok(api.length >= 5);
  for (const q of api.slice(1)) assert.equal(q.authorization, 'Bearer tok-1', q.path);
});

test('Bearer anonymous: a public repository gets an anonymous token', async () => {
  const im = await image;
  const r = await bearerRegistry(im, { allowAnonymous: true });
  const img = await registrySource.open(`${r.server.host}/team/app:v1`, {});
  await drain(img);
  assert.equal(img.configDigest, im.configDigest);
  assert.equal(r.tokensIssued.length, 1);
  assert.equal(r.tokenRequests[0].get('account'), null);
});

test('Bearer with wrong credentials: the token service refuses and the error names the registry', async () => {
  const im = await image;
  const r = await bearerRegistry(im, { user: { name: 'alice', password: 's3cret' } });
  process.env.SCOUT_REGISTRY_USER = 'alice';
  process.env.SCOUT_REGISTRY_PASSWORD = 'guess';
  await assert.rejects(registrySource.open(`${r.server.host}/team/app:v1`, {}), (err: unknown) => {
    assert.ok(err instanceof ScoutError);
    assert.equal(err.code, 'registry-unauthorized');
    assert.ok(err.message.includes(`registry ${r.server.host}`), err.message);
    assert.match(err.message, /SCOUT_REGISTRY_USER/);
    assert.match(err.message, /docker login/);
    return true;
  });
  assert.deepEqual(r.tokensIssued, []);
});

test('identity token from the Docker config: traded with an OAuth2 refresh_token grant', async () => {
  const im = await image;
  const r = await bearerRegistry(im, { refreshToken: 'refresh-xyz' });
  const dir = tempDir('scout-docker-config-');
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [r.server.host]: { auth: '', identitytoken: 'refresh-xyz' } } }));
  process.env.DOCKER_CONFIG = dir;
  const img = await registrySource.open(`${r.server.host}/team/app:v1`, {});
  assert.equal(img.configDigest, im.configDigest);
  assert.equal(r.tokenRequests[0].get('grant_type'), 'refresh_token');
  assert.equal(r.tokensIssued.length, 1);
});

test('tokens are cached per registry and scope until they expire, across clients', async () => {
  const im = await image;
  const long = await bearerRegistry(im, { allowAnonymous: true, expiresIn: 300 });
  await new RegistryClient({ registry: long.server.host }).getManifest('team/app', 'v1');
  await new RegistryClient({ registry: long.server.host }).getManifest('team/app', 'v1');
  assert.equal(long.tokensIssued.length, 1);
  const short = await bearerRegistry(im, { allowAnonymous: true, expiresIn: 1 });
  const client = new RegistryClient({ registry: short.server.host });
  await client.getManifest('team/app', 'v1');
  await client.getManifest('team/app', 'v1');
  // A 1s token is inside the safety margin before expiry, so each request needs a new one.
  assert.equal(short.tokensIssued.length, 2);
});

test('blob redirects to storage on another origin: followed, and the Authorization header stays home', async () => {
  const im = await image;
  const storage = await blobStorage(im);
  const r = await bearerRegistry(im, { user: { name: 'alice', password: 's3cret' }, blobStorage: storage.url });
  process.env.SCOUT_REGISTRY_USER = 'alice';
  process.env.SCOUT_REGISTRY_PASSWORD = 's3cret';
  const img = await registrySource.open(`${r.server.host}/team/app:v1`, {});
  await drain(img);
  assert.equal(img.configDigest, im.configDigest);
  const fetched = storage.requests.map((q) => q.path.replace(/\?.*/, '').replace('/signed/', '')).sort();
  assert.deepEqual(fetched, [im.configDigest, ...im.layers.map((l) => l.digest)].sort());
  assert.ok(storage.requests.every((q) => q.authorization === undefined));
  assert.ok(r.server.requests.filter((q) => q.path.includes('/blobs/')).every((q) => q.authorization === 'Bearer tok-1'));
});

test('a redirect within the registry keeps the Authorization header', async () => {
  const im = await image;
  const serve = serveImages(singleImage('team/app', 'v1', im));
  const s = await startFake((req, res, url) => {
    if (req.headers.authorization !== 'Basic ' + Buffer.from('u:p').toString('base64')) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' });
      res.end();
    } else if (url.pathname === '/v2/team/app/manifests/old') {
      res.writeHead(301, { location: '/v2/team/app/manifests/v1' });
      res.end();
    } else serve(req, res, url);
  });
  servers.push(s);
  const client = new RegistryClient({ registry: s.host, credentials: async () => ({ username: 'u', password: 'p', origin: 'test' }) });
  assert.equal((await client.getManifest('team/app', 'old')).digest, im.manifestDigest);
  assert.equal(s.requests.at(-1)?.path, '/v2/team/app/manifests/v1');
  assert.ok(s.requests.at(-1)?.authorization?.startsWith('Basic '));
});

test('an anonymous token without pull rights (private or missing repository): one try, then a clear error', async () => {
  let realm = '';
  const s = await startFake((_req, res, url) => {
    if (url.pathname === '/token') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"token":"anon","expires_in":300}');
      return;
    }
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="${realm}",service="fake",scope="repository:team/secret:pull",error="insufficient_scope"` });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  servers.push(s);
  realm = `${s.url}/token`;
  await assert.rejects(registrySource.open(`${s.host}/team/secret:v1`, {}), (err: unknown) => {
    assert.ok(err instanceof ScoutError);
    assert.equal(err.code, 'registry-unauthorized');
    assert.ok(err.message.includes(`registry ${s.host} refused anonymous access`), err.message);
    assert.match(err.message, /may be private or may not exist/);
    return true;
  });
  assert.deepEqual(s.requests.map((q) => [q.path.replace(/\?.*/, ''), q.authorization]), [
    ['/v2/team/secret/manifests/v1', undefined],
    ['/token', undefined],
    ['/v2/team/secret/manifests/v1', 'Bearer anon'],
  ]);
});
