/**
 * The dashboard in real headless Chromium for an organisation with more images than a list
 * shows at once: 120 tags of one repository, stored the way a server older than its policies
 * stored them (the store's putImage, no policy evaluation: what migration 005 found in place).
 * - The Compare tab's picker reaches any of them: a search the server runs (`GET /v1/images?q=`)
 *   and pages, so the oldest tag, past the first hundred, can be found by typing and compared.
 * - The Policy tab says an image's policies were never evaluated, and the images list agrees.
 * - A vulnerability of the oldest tag runs in more workloads than a page shows: its page asks
 *   for 50 and pages the rest by a cursor of its own in the URL.
 * - More tokens and environments than a page of 50, more advisory sources than a page of 500,
 *   and an image of 130 layers on a base image of 120: the settings and environments pages and
 *   the layers tab page them; the advisory sources and the layer chain the recommendations are
 *   asked for come whole, every page fetched.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';
import { OrgActivity } from '../../src/store/kysely/activity-store.js';
import { platformDb } from '../../src/server/activity.js';
import { SqliteAdvisoryStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Browser } from '../helpers/browser.js';
import { dashboardInBrowser } from '../helpers/dashboard-browser.js';
import { newLocation } from '../helpers/platform-db.js';
import { uploadOf } from '../helpers/platform-upload.js';

/** More than the hundred the picker's former list held, and than one page of it. */
const TAGS = 120;
const tagOf = (i: number) => `1.${i}`;
/** Workloads running the oldest tag, which has CVE-2099-5151: one page of 50 and 5 more. */
const WORKLOADS = 55;
const workloadName = (i: number) => `w${String(i).padStart(3, '0')}`;
const n3 = (i: number) => String(i).padStart(3, '0');
/** Tokens besides initech-read and initech-admin: 57 in all, a page of 50 and 7. */
const EXTRA_TOKENS = 55;
/** Environments besides prod: 61 in all. */
const ENVIRONMENTS = 60;
/** Advisory sources: more than one page of 500. */
const SOURCES = 505;
/** The tall image's layers, the bottom BASE_LAYERS of them its base image's. */
const LAYERS = 130;
const BASE_LAYERS = 120;
let adminToken = '';
let tall = '';

let base = '';
let browser: Browser;
/** Digest of initech/app:1.N by N. */
const digests: string[] = [];
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  const { location, drop } = await newLocation('sqlite');
  const platform = await KyselyPlatformStore.open(location);
  const advisories = new SqliteAdvisoryStore(':memory:');
  const org = platform.forOrg(await platform.ensureOrg('initech'));
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < TAGS; i++) {
    // Each tag pushed a minute after the one before, its own app-lib version: 1.0.N.
    const findings = i === 0 ? { findings: [['pkg:npm/app-lib@1.0.0', 'CVE-2099-5151', 'high']] satisfies [string, string, 'high'][] } : {};
    const upload = uploadOf({ layers: ['debian-12', `app-${i}`], purls: [`pkg:npm/app-lib@1.0.${i}`], repository: 'initech/app', tags: [tagOf(i)], config: String(i), ...findings });
    const { image } = await org.putImage(upload, new Date(start + i * 60_000));
    digests.push(image.digest);
  }
  const workloads = Array.from({ length: WORKLOADS }, (_, i) => ({ namespace: 'shop', name: workloadName(i), type: 'Deployment', images: [{ ref: 'initech/app:1.0', digest: digests[0]! }] }));
  await new OrgActivity(platformDb(platform), (await platform.orgByName('initech'))!).applyInventory({ environment: 'prod', cluster: 'eu-1', observedAt: new Date().toISOString(), workloads });
  const { token } = await org.createToken('initech-read', 'read');
  adminToken = (await org.createToken('initech-admin', 'admin')).token;
  for (let i = 0; i < EXTRA_TOKENS; i++) await org.createToken(`t${n3(i)}`, 'read');
  const activity = new OrgActivity(platformDb(platform), (await platform.orgByName('initech'))!);
  for (let i = 0; i < ENVIRONMENTS; i++) {
    await activity.applyInventory({ environment: `env-${n3(i)}`, cluster: 'c', observedAt: new Date().toISOString(), workloads: [{ namespace: 'ns', name: 'web', type: 'Deployment', images: [{ ref: 'initech/app:1.1', digest: digests[1]! }] }] });
  }
  for (let i = 0; i < SOURCES; i++) await advisories.importBatch({ kind: 'advisories', source: { name: `feed-${n3(i)}`, kind: 'advisories' }, mode: 'replace', records: [] });
  const chain = Array.from({ length: BASE_LAYERS }, (_, i) => `base-${i}`);
  await org.putImage(uploadOf({ layers: chain, repository: 'initech/base', tags: ['1'] }));
  await org.putImage(uploadOf({ layers: [...chain.slice(0, -1), 'base-next'], repository: 'initech/base', tags: ['2'] }));
  tall = (await org.putImage(uploadOf({ layers: [...chain, ...Array.from({ length: LAYERS - BASE_LAYERS }, (_, i) => `tall-${i}`)], repository: 'initech/tall', tags: ['1'] }))).image.digest;
  ({ base, browser } = await dashboardInBrowser(platform, advisories, drop, cleanups));
  const { page } = browser;
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  // Before the token was given, the page's whoami was answered 401 (logged as a console error):
  // from here on, nothing may fail.
  browser.errors.length = 0;
});
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

/** The text of each body row of a table. */
async function rows(page: Page, table: string): Promise<string[]> {
  const t = page.getByRole('table', { name: table, exact: true });
  await t.waitFor();
  return t.locator('tbody tr').allInnerTexts();
}

const names = (r: string[]) => r.map((row) => row.split('\t')[0]!.trim());

describe('an organisation with more images than a list shows', () => {
  test('compare: the picker searches and pages every stored image on the server; the oldest tag, past the first hundred, is found by typing', async () => {
    const { page, requests } = browser;
    const newest = digests[TAGS - 1]!;
    await page.goto(`${base}/images/${encodeURIComponent(newest)}?tab=compare`);
    await page.getByText(`Pick an image to compare initech/app:${tagOf(TAGS - 1)} with.`).waitFor();
    // Nothing typed: this image's repository, newest first, ten at a time, this image marked.
    const first = await rows(page, 'images to compare with');
    assert.deepEqual(names(first), Array.from({ length: 10 }, (_, k) => `initech/app:${tagOf(TAGS - 1 - k)}`));
    assert.match(first[0]!, /\tthis image$/);
    await page.getByText(`10 shown of ${TAGS}`).waitFor();
    const listCalls = requests.filter((u) => u.startsWith(`${base}/v1/images?`));
    assert.ok(listCalls.length > 0 && listCalls.every((u) => new URL(u).searchParams.get('limit') === '10'), `no call fetches more than it shows: ${listCalls.join(', ')}`);

    // The next page comes from the server's cursor, kept in the URL as `pick`.
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/[?&]pick=/);
    assert.deepEqual(names(await rows(page, 'images to compare with')), Array.from({ length: 10 }, (_, k) => `initech/app:${tagOf(TAGS - 11 - k)}`));

    // Typing searches every image (the oldest is the 120th by push time) and starts from page one.
    await page.getByLabel('Find an image to compare with').fill('APP:1.0');
    await page.waitForURL(/[?&]find=APP%3A1\.0/);
    assert.doesNotMatch(page.url(), /[?&]pick=/, 'a new search starts at its first page');
    await page.getByText('1 shown of 1').waitFor();
    assert.deepEqual(names(await rows(page, 'images to compare with')), ['initech/app:1.0']);
    await page.getByRole('link', { name: 'Compare with initech/app:1.0' }).click();
    await page.waitForURL(new RegExp(`[?&]to=${encodeURIComponent(digests[0]!)}`));
    assert.deepEqual(await rows(page, 'packages changed'), [`app-lib\tnpm\t1.0.0\t1.0.${TAGS - 1}\tupgraded`]);
    assert.match((await rows(page, 'images to compare with'))[0]!, /\tcompared below$/, 'the search stays, the chosen image marked');

    // A search nothing matches says so; a cleared search with a chosen image leaves the list out.
    await page.getByLabel('Find an image to compare with').fill('no-such-image');
    await page.getByText('No image matches “no-such-image”.').waitFor();
    await page.getByLabel('Find an image to compare with').fill('');
    await page.waitForURL((u) => !u.searchParams.has('find'));
    await page.getByRole('table', { name: 'packages changed' }).waitFor();
    assert.equal(await page.getByRole('table', { name: 'images to compare with' }).count(), 0);
  });

  test('policy: an image whose policies were never evaluated says so, and the images list agrees', async () => {
    const { page } = browser;
    const digest = digests[0]!;
    const res = await page.request.get(`${base}/v1/images/${encodeURIComponent(digest)}/policy`);
    assert.equal(res.status(), 200);
    assert.deepEqual(await res.json(), { current: null, history: [] }, 'the API has no evaluation of it');
    await page.goto(`${base}/images/${encodeURIComponent(digest)}?tab=policy`);
    await page.getByText("This image's policies have not been evaluated yet.").waitFor();
    assert.equal(await page.getByRole('table', { name: 'policy results' }).count(), 0);
    assert.equal(await page.getByRole('table', { name: 'policy history' }).count(), 0);

    await page.goto(`${base}/images?q=${encodeURIComponent('app:1.0')}`);
    const listed = await rows(page, 'images');
    assert.deepEqual(names(listed), ['initech/app:1.0']);
    assert.match(listed[0]!, /\tnot evaluated\t/);
  });

  test('a vulnerability running in more workloads than a page shows: 50 asked for, the rest by the URL cursor workloadsCursor, the images list left alone', async () => {
    const { page, requests } = browser;
    await page.goto(`${base}/vulnerabilities/CVE-2099-5151`);
    const name = (row: string) => row.split('\t')[3]!;
    assert.deepEqual((await rows(page, 'affected workloads')).map(name), Array.from({ length: 50 }, (_, i) => workloadName(i)));
    const calls = requests.filter((u) => u.startsWith(`${base}/v1/vulnerabilities/CVE-2099-5151/workloads`));
    assert.ok(calls.length > 0 && calls.every((u) => new URL(u).searchParams.get('limit') === '50'), `no call fetches more than it shows: ${calls.join(', ')}`);
    assert.deepEqual(names(await rows(page, 'affected images')), ['initech/app:1.0']);
    // "Running in" comes first: its pager is the page's first.
    const pager = page.getByRole('navigation', { name: 'pages' }).first();
    await pager.getByText('50 shown').waitFor();
    await pager.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/[?&]workloadsCursor=/);
    assert.doesNotMatch(page.url(), /[?&]cursor=/, 'the affected images stay on their first page');
    await pager.getByText('5 shown').waitFor();
    assert.deepEqual((await rows(page, 'affected workloads')).map(name), Array.from({ length: 5 }, (_, i) => workloadName(50 + i)));
    assert.ok(await pager.getByRole('button', { name: 'Next page' }).isDisabled(), 'the last page');
    assert.deepEqual(names(await rows(page, 'affected images')), ['initech/app:1.0']);
    await pager.getByRole('button', { name: 'First page' }).click();
    await page.waitForURL((u) => !u.searchParams.has('workloadsCursor'));
    await pager.getByText('50 shown').waitFor();
  });

  test('layers: 100 a page by the URL cursor, the base image\'s bottom 120 marked; the recommendations are asked with the whole chain of 130', async () => {
    const { page, requests } = browser;
    const enc = encodeURIComponent(tall);
    await page.goto(`${base}/images/${enc}?tab=layers`);
    const position = (row: string) => Number(row.split('\t')[0]);
    const first = await rows(page, 'layers');
    assert.deepEqual(first.map(position), Array.from({ length: 100 }, (_, i) => i));
    assert.ok(first.every((r) => r.endsWith('base image')));
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/[?&]cursor=/);
    await page.getByText('30 shown').waitFor();
    const second = await rows(page, 'layers');
    assert.deepEqual(second.map(position), Array.from({ length: 30 }, (_, i) => 100 + i));
    assert.deepEqual(second.map((r) => r.endsWith('this image')), second.map((_, i) => 100 + i >= BASE_LAYERS));
    const tabCalls = requests.filter((u) => u.startsWith(`${base}/v1/images/${enc}/layers`));
    assert.ok(tabCalls.every((u) => new URL(u).searchParams.get('limit') === '100'), tabCalls.join(', '));
    // The overview's recommendations: the base found on the whole chain (on 50 or 100 layers
    // there is none), its other tag recommended.
    requests.length = 0;
    await page.goto(`${base}/images/${enc}`);
    const recs = await rows(page, 'base image recommendations');
    assert.deepEqual(recs.map((r) => r.split('\t')[0]!.replace(/\s+(now|better)$/, '')), ['initech/base:1', 'initech/base:2']);
    const chainCalls = requests.filter((u) => u.startsWith(`${base}/v1/images/${enc}/layers`));
    assert.deepEqual(chainCalls.map((u) => new URL(u).searchParams.get('limit')), ['500'], 'one page of 500 holds the chain');
  });

  test('environments: 50 a page by name, the rest by the URL cursor', async () => {
    const { page, requests } = browser;
    requests.length = 0;
    await page.goto(`${base}/environments`);
    const expected = [...Array.from({ length: ENVIRONMENTS }, (_, i) => `env-${n3(i)}`), 'prod'];
    assert.deepEqual(names(await rows(page, 'environments')), expected.slice(0, 50));
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/[?&]cursor=/);
    await page.getByText('11 shown').waitFor();
    assert.deepEqual(names(await rows(page, 'environments')), expected.slice(50));
    assert.match((await rows(page, 'environments')).at(-1)!, /^prod\t55\t1\t/);
    const calls = requests.filter((u) => u.startsWith(`${base}/v1/environments`));
    assert.ok(calls.length >= 2 && calls.every((u) => new URL(u).searchParams.get('limit') === '50'), calls.join(', '));
    await page.getByRole('button', { name: 'First page' }).click();
    await page.waitForURL((u) => !u.searchParams.has('cursor'));
    await page.getByText('50 shown').waitFor();
  });

  test('settings with an admin token: tokens 50 a page by their own URL cursor; every advisory source, fetched page after page', async () => {
    const { page, requests, errors } = browser;
    assert.deepEqual(errors, [], 'nothing failed before');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${base}/`);
    await page.getByLabel('API token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // As in before(): the signed-out page's whoami was answered 401, logged as a console error.
    errors.length = 0;
    requests.length = 0;
    await page.goto(`${base}/settings`);
    const res = await page.request.get(`${base}/v1/tokens?limit=500`);
    const all = ((await res.json()) as { items: { id: string; name: string }[] }).items;
    assert.equal(all.length, EXTRA_TOKENS + 2);
    const tokenNames = (r: string[]) => r.map((row) => row.split('\t')[0]!);
    assert.deepEqual(tokenNames(await rows(page, 'API tokens')), all.slice(0, 50).map((t) => `${t.name} ${t.id}`));
    const tokens = page.getByRole('navigation', { name: 'pages' }).first();
    await tokens.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/[?&]tokensCursor=/);
    assert.doesNotMatch(page.url(), /[?&]cursor=/, 'the delivery log\'s cursor is another');
    await tokens.getByText('7 shown').waitFor();
    assert.deepEqual(tokenNames(await rows(page, 'API tokens')), all.slice(50).map((t) => `${t.name} ${t.id}`));
    assert.ok(requests.filter((u) => u.startsWith(`${base}/v1/tokens?`) && !u.includes('limit=500')).every((u) => new URL(u).searchParams.get('limit') === '50'));
    // The sources: all 505, by name, from two pages.
    const sources = await rows(page, 'advisory sources');
    assert.deepEqual(names(sources), Array.from({ length: SOURCES }, (_, i) => `feed-${n3(i)}`));
    const sourceCalls = requests.filter((u) => u.startsWith(`${base}/v1/advisory-sources`)).map((u) => new URL(u).searchParams);
    assert.ok(sourceCalls.every((q) => q.get('limit') === '500'));
    assert.ok(sourceCalls.some((q) => q.get('cursor')), 'the second page was asked for');
    await tokens.getByRole('button', { name: 'First page' }).click();
    await page.waitForURL((u) => !u.searchParams.has('tokensCursor'));
    await tokens.getByText('50 shown').waitFor();
  });

  test('no request left the server, and the page logged no error', () => {
    for (const u of browser.requests) assert.ok(u.startsWith(base + '/'), `request left the server: ${u}`);
    assert.deepEqual(browser.errors, []);
  });
});
