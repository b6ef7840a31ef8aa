/**
 * The dashboard's frame in real Chromium, before any data: it loads from the server alone,
 * asks for a token, and can be used with the keyboard.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { dashboardPlugin } from '../../src/server/plugins/static.js';
import { ensureWebBuild } from '../helpers/web-build.js';
import { hasFocus, openBrowser, outlineOf, type Browser } from '../helpers/browser.js';

let app: FastifyInstance;
let base: string;
let browser: Browser;

before(async () => {
  const root = await ensureWebBuild();
  app = Fastify();
  await app.register(dashboardPlugin, { root });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await app?.close();
});

test('without a session the sign-in form shows, and nothing is fetched from anywhere but the server', async () => {
  const { page, requests } = browser;
  await page.goto(`${base}/images?sort=critical`);
  await page.getByRole('heading', { name: 'Sign in to iEchor Scout' }).waitFor();
  assert.ok(requests.length >= 3, 'page, script and stylesheet were requested');
  for (const u of requests) assert.ok(u.startsWith(base + '/'), `request left the server: ${u}`);
  assert.ok(requests.includes(`${base}/v1/whoami`), 'the page asked the API who is signed in');
  // The URL is kept, so signing in lands on the page that was linked.
  assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/images?sort=critical');
});

test('the token field has focus and keyboard focus is visible', async () => {
  const { page } = browser;
  await page.goto(`${base}/`);
  const field = page.getByLabel('API token');
  await field.waitFor();
  assert.equal(await hasFocus(field), true);
  await page.keyboard.type('not-a-token');
  await page.keyboard.press('Tab');
  const button = page.getByRole('button', { name: 'Sign in' });
  assert.equal(await hasFocus(button), true);
  const outline = await outlineOf(button);
  assert.equal(outline, 'solid 3px');
});

test('a request for another host is stopped twice: by the page\'s Content-Security-Policy, and by the tests\' guard', async () => {
  const { page, blocked, requests } = browser;
  const font = 'https://fonts.googleapis.com/css2?family=Inter';
  const fetchFont = `fetch(${JSON.stringify(font)}).then(() => "loaded", (e) => "failed: " + e.message)`;
  await page.goto(`${base}/`);
  await page.getByLabel('API token').waitFor();
  assert.deepEqual(blocked, [], 'the dashboard itself asked for nothing elsewhere');
  // What a web font from a CDN would do: the dashboard's CSP refuses it inside the page.
  assert.match(String(await page.evaluate(fetchFont)), /^failed: /);
  assert.ok(!requests.includes(font), 'the CSP stopped it before it was a request');
  // Without that CSP (a blank page), the guard every end-to-end test runs under aborts it.
  await page.goto('about:blank');
  assert.match(String(await page.evaluate(fetchFont)), /^failed: /);
  assert.deepEqual(blocked, [font]);
});
