/**
 * VEX in the dashboard, in real headless Chromium: an organisation's stored OpenVEX statement
 * shows on the image's Vulnerabilities tab (status, justification) and on the vulnerability's
 * affected images; the tab's VEX filter (in the URL) asks the server for the other statuses and
 * hides the not_affected finding; the organisation's Vulnerabilities page counts each
 * vulnerability's findings by VEX status and its VEX filter (in the URL, kept on reload) hides the
 * vulnerability whose only finding is not_affected; another organisation's image and list with
 * the same package and vulnerability show no VEX status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { parseVex } from '../../src/match/vex.js';
import { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';
import { SqliteAdvisoryStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Browser } from '../helpers/browser.js';
import { dashboardInBrowser } from '../helpers/dashboard-browser.js';
import { newLocation } from '../helpers/platform-db.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { tempDir } from '../helpers/tmp.js';

const PKG = 'pkg:npm/app-lib@1.0.0';
/** As dashboard.test.ts: the tracked screenshots change only when SCOUT_UPDATE_SCREENSHOTS=1 asks. */
const SHOTS = process.env.SCOUT_UPDATE_SCREENSHOTS === '1' ? new URL('../../docs/screenshots/', import.meta.url).pathname : tempDir('vex-screenshots-');
let base = '';
let browser: Browser;
let ours = '';
let theirs = '';
const tokens: Record<string, string> = {};
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  const { location, drop } = await newLocation('sqlite');
  const platform = await KyselyPlatformStore.open(location);
  const advisories = new SqliteAdvisoryStore(':memory:');
  const upload = (org: string) => uploadOf({ layers: ['debian-12', 'app'], purls: [PKG], repository: `${org}/app`, tags: ['1.0'], config: org, findings: [[PKG, 'CVE-2099-7001', 'critical'], [PKG, 'CVE-2099-7002', 'high']] });
  for (const name of ['initech', 'globex']) {
    const org = platform.forOrg(await platform.ensureOrg(name));
    const { image } = await org.putImage(upload(name));
    if (name === 'initech') ours = image.digest;
    else theirs = image.digest;
    tokens[name] = (await org.createToken(`${name}-read`, 'read')).token;
  }
  // initech's vendor says CVE-2099-7001 does not affect app-lib (any version).
  const doc = parseVex({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://initech.example/vex/1', author: 'Initech PSIRT', timestamp: '2026-03-01T00:00:00Z', statements: [{ vulnerability: { name: 'CVE-2099-7001' }, products: [{ '@id': 'pkg:npm/app-lib' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }] }, 'initech.vex.json');
  assert.ok(doc);
  const added = await platform.forOrg((await platform.orgByName('initech'))!).addVex([doc], { source: 'api' });
  assert.equal(added?.changedImages, 1);
  ({ base, browser } = await dashboardInBrowser(platform, advisories, drop, cleanups));
});
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

async function signIn(page: Page, token: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  browser.errors.length = 0;
}

/** The text of each body row of a table. */
async function rows(page: Page, table: string): Promise<string[]> {
  const t = page.getByRole('table', { name: table, exact: true });
  await t.waitFor();
  return t.locator('tbody tr').allInnerTexts();
}

describe('VEX statements in the dashboard', () => {
  test("the image's Vulnerabilities tab shows each finding's VEX status; the filter hides the not affected one; the vulnerability's affected images show it too", async () => {
    const { page, requests } = browser;
    await signIn(page, tokens.initech!);
    await page.goto(`${base}/images/${encodeURIComponent(ours)}?tab=vulnerabilities`);
    const all = await rows(page, 'vulnerabilities of app-lib');
    assert.equal(all.length, 2);
    const [first, second] = all;
    assert.match(first!, /^CVE-2099-7001\b/);
    assert.match(first!, /not affected\s+vulnerable code not in execute path/);
    assert.match(second!, /^CVE-2099-7002\b/);
    assert.doesNotMatch(second!, /not affected/);
    await page.screenshot({ path: join(SHOTS, 'image-vulnerabilities-vex.png'), fullPage: true });

    await page.getByLabel('VEX status').selectOption('hide-not-affected');
    await page.waitForURL(/[?&]vex=hide-not-affected/);
    await page.getByRole('table', { name: 'vulnerabilities of app-lib', exact: true }).locator('tbody tr', { hasText: 'CVE-2099-7001' }).waitFor({ state: 'detached' });
    const shown = await rows(page, 'vulnerabilities of app-lib');
    assert.equal(shown.length, 1);
    assert.match(shown[0]!, /^CVE-2099-7002\b/);
    const asked = requests.filter((u) => u.includes('/findings?')).at(-1)!;
    assert.deepEqual(new URL(asked).searchParams.getAll('vex'), ['affected', 'fixed', 'under_investigation', 'none']);

    await page.goto(`${base}/vulnerabilities/CVE-2099-7001`);
    const affected = await rows(page, 'affected images');
    assert.equal(affected.length, 1);
    assert.match(affected[0]!, /initech\/app:1\.0/);
    assert.match(affected[0]!, /not affected/);
    assert.deepEqual(browser.errors, []);
  });

  test("the Vulnerabilities page counts findings by VEX status; its VEX filter, kept in the URL, hides the vulnerability every finding of which is not affected", async () => {
    const { page, requests } = browser;
    await signIn(page, tokens.initech!);
    await page.goto(`${base}/vulnerabilities`);
    const all = await rows(page, 'vulnerabilities');
    assert.equal(all.length, 2);
    assert.match(all[0]!, /^CVE-2099-7001\b/);
    assert.match(all[0]!, /1 not affected/);
    assert.match(all[1]!, /^CVE-2099-7002\b/);
    assert.doesNotMatch(all[1]!, /not affected/);
    await page.screenshot({ path: join(SHOTS, 'vulnerabilities-vex.png'), fullPage: true });

    await page.getByLabel('VEX status').selectOption('hide-not-affected');
    await page.waitForURL(/[?&]vex=hide-not-affected/);
    await page.getByRole('table', { name: 'vulnerabilities', exact: true }).locator('tbody tr', { hasText: 'CVE-2099-7001' }).waitFor({ state: 'detached' });
    const shown = await rows(page, 'vulnerabilities');
    assert.equal(shown.length, 1);
    assert.match(shown[0]!, /^CVE-2099-7002\b/);
    const asked = requests.filter((u) => /\/v1\/vulnerabilities\?/.test(u)).at(-1)!;
    assert.deepEqual(new URL(asked).searchParams.getAll('vex'), ['affected', 'fixed', 'under_investigation', 'none']);

    // The URL is the state: opened again, the filter is set and the list filtered.
    await page.goto(`${base}/vulnerabilities?vex=not_affected`);
    assert.equal(await page.getByLabel('VEX status').inputValue(), 'not_affected');
    await page.getByRole('table', { name: 'vulnerabilities', exact: true }).locator('tbody tr', { hasText: 'CVE-2099-7002' }).waitFor({ state: 'detached' });
    const notAffected = await rows(page, 'vulnerabilities');
    assert.equal(notAffected.length, 1);
    assert.match(notAffected[0]!, /^CVE-2099-7001\b/);
    assert.deepEqual(browser.errors, []);
  });

  test("another organisation's image with the same package and vulnerability shows no VEX status", async () => {
    const { page } = browser;
    await signIn(page, tokens.globex!);
    await page.goto(`${base}/images/${encodeURIComponent(theirs)}?tab=vulnerabilities`);
    const all = await rows(page, 'vulnerabilities of app-lib');
    assert.equal(all.length, 2);
    for (const r of all) assert.doesNotMatch(r, /not affected/);
    await page.goto(`${base}/vulnerabilities`);
    const listed = await rows(page, 'vulnerabilities');
    assert.equal(listed.length, 2);
    for (const r of listed) assert.doesNotMatch(r, /not affected/);
    // initech's image is not theirs to see.
    await page.goto(`${base}/images/${encodeURIComponent(ours)}?tab=vulnerabilities`);
    await page.getByText(/no image|not found/i).first().waitFor();
    browser.errors.length = 0;
  });
});
