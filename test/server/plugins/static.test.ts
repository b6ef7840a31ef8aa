import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import Fastify from 'fastify';
import { dashboardPlugin, DASHBOARD_CSP, defaultWebRoot } from '../../../src/server/plugins/static.js';
import { tempDir as tmpDir } from '../../helpers/tmp.js';
// @ts-expect-error: a plain ES module script without type declarations
import { compressAssets } from '../../../scripts/build-web.mjs';

async function appWith(root: string) {
  const app = Fastify();
  await app.register(dashboardPlugin, { root });
  app.get('/v1/ping', async () => ({ ok: true }));
  await app.ready();
  return app;
}

function builtDashboard(): string {
  const root = tmpDir('web-');
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1.js"></script>');
  writeFileSync(join(root, 'assets', 'app-1.js'), 'console.log(1)');
  // Large enough that compressing it pays (as the real bundle, 281 KB).
  writeFileSync(join(root, 'assets', 'app-2.js'), Array.from({ length: 2000 }, (_, i) => `export const v${i} = ${i};`).join('\n'));
  (compressAssets as (dir: string) => void)(join(root, 'assets'));
  writeFileSync(join(root, 'secret.txt'), 'top secret');
  return root;
}

test('the page is served at / and at every client-side route, with a CSP that keeps it on this server', async () => {
  const app = await appWith(builtDashboard());
  for (const url of ['/', '/images', '/images/sha256%3Aabc?tab=packages', '/vulnerabilities/CVE-2024-1']) {
    const r = await app.inject({ url });
    assert.equal(r.statusCode, 200, url);
    assert.match(r.headers['content-type'] as string, /^text\/html/);
    assert.match(r.body, /<div id="root">/);
    assert.equal(r.headers['content-security-policy'], DASHBOARD_CSP);
    assert.match(DASHBOARD_CSP, /connect-src 'self'/);
    assert.equal(r.headers['cache-control'], 'no-cache');
  }
  await app.close();
});

test('hashed assets are cached for a year; missing ones are 404s, not the page', async () => {
  const app = await appWith(builtDashboard());
  const r = await app.inject({ url: '/assets/app-1.js' });
  assert.equal(r.statusCode, 200);
  assert.equal(r.body, 'console.log(1)');
  assert.match(r.headers['cache-control'] as string, /max-age=31536000.*immutable/);
  assert.equal((await app.inject({ url: '/assets/nope.js' })).statusCode, 404);
  // Nothing outside assets/ is served as a file, however the path climbs.
  for (const url of ['/assets/..%2fsecret.txt', '/assets/%2e%2e/secret.txt', '/assets/../secret.txt']) {
    assert.doesNotMatch((await app.inject({ url })).body, /top secret/, url);
  }
  await app.close();
});

test('scripts go out brotli- or gzip-compressed to a browser that accepts it, from the build\'s copies, and plain to one that does not', async () => {
  const app = await appWith(builtDashboard());
  const plain = (await app.inject({ url: '/assets/app-2.js' })).rawPayload;
  assert.ok(plain.length > 30_000);
  const br = await app.inject({ url: '/assets/app-2.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.match(br.headers['content-type'] as string, /javascript/);
  assert.match(br.headers['cache-control'] as string, /immutable/);
  assert.ok(br.rawPayload.length < plain.length / 5, `${br.rawPayload.length} of ${plain.length} bytes`);
  assert.deepEqual(brotliDecompressSync(br.rawPayload), plain);
  const gz = await app.inject({ url: '/assets/app-2.js', headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.deepEqual(gunzipSync(gz.rawPayload), plain);
  const none = await app.inject({ url: '/assets/app-2.js', headers: { 'accept-encoding': 'identity' } });
  assert.equal(none.headers['content-encoding'], undefined);
  assert.deepEqual(none.rawPayload, plain);
  await app.close();
});

test('API paths are never answered with the page', async () => {
  const app = await appWith(builtDashboard());
  assert.deepEqual((await app.inject({ url: '/v1/ping' })).json(), { ok: true });
  const r = await app.inject({ url: '/v1/no-such-route' });
  assert.equal(r.statusCode, 404);
  assert.doesNotMatch(r.body, /<div id="root">/);
  assert.equal((await app.inject({ url: '/v1' })).statusCode, 404);
  await app.close();
});

test('without a build the server says how to make one', async () => {
  const app = await appWith(tmpDir('web-empty-'));
  const r = await app.inject({ url: '/' });
  assert.equal(r.statusCode, 503);
  assert.match(r.body, /npm run build/);
  await app.close();
});

test('the default root is dist/web of this package', () => {
  assert.match(defaultWebRoot(), /[/\\]dist[/\\]web$/);
});
