/**
 * The dashboard in real headless Chromium against a real server (buildApp on SQLite, listening
 * on 127.0.0.1) seeded with images built and pushed here and the advisories of examples/.
 * Each page renders its data, filters and paging go through the URL, the links lead from the
 * overview to an image, a vulnerability and back to the images it affects, and another
 * organisation's token sees none of it. Screenshots of each page go to a temporary folder, or
 * to docs/screenshots/ (shown in the README) when SCOUT_UPDATE_SCREENSHOTS=1: a test run leaves
 * the tracked tree as it was.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ensureWebBuild } from '../helpers/web-build.js';
import { hasFocus, openBrowser, outlineOf, type Browser } from '../helpers/browser.js';
import { DEBIAN_LAYER, LEAKED_KEY_PATH, sbomJsonOf, seededServer, WEB_DOCKERFILE, type SeededServer } from '../helpers/dashboard-seed.js';
import { tempDir } from '../helpers/tmp.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import type { TrendPoint } from '../../src/store/dashboard-reader.js';


const SHOTS = process.env.SCOUT_UPDATE_SCREENSHOTS === '1' ? new URL('../../docs/screenshots/', import.meta.url).pathname : tempDir('dashboard-screenshots-');

const TRACKED_SHOTS = new URL('../../docs/screenshots/', import.meta.url).pathname;
/** The tracked screenshots' modification times before the suite: a plain run must not touch them. */
const trackedBefore = () => Object.fromEntries(readdirSync(TRACKED_SHOTS).map((n) => [n, statSync(join(TRACKED_SHOTS, n)).mtimeMs]));
const shotsAtStart = trackedBefore();

let server: SeededServer;
let browser: Browser;
const afters: (() => unknown)[] = [];

before(async () => {
  const root = await ensureWebBuild();
  server = await seededServer({ after: (f) => afters.push(f) }, root);
  browser = await openBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  for (const f of afters.reverse()) await f();
});

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${server.base}/`);
  await page.getByLabel('API token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** The text of each body row of a table. */
async function rows(page: Page, table: string): Promise<string[]> {
  const t = page.getByRole('table', { name: table, exact: true });
  await t.waitFor();
  return t.locator('tbody tr').allInnerTexts();
}

const digestOf = (ref: string) => server.digests.get(ref)!;

// How the pages print a time and a size, written out here rather than imported, so a page that
// prints them wrong does not agree with itself.
/** An ISO time to the minute: '2024-05-01 12:00 UTC'. */
const when = (iso?: string) => (iso ? `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '');
/** Bytes in decimal units with one decimal: '812 B', '3.4 kB', '12.0 MB'. */
const bytes = (n?: number) => (n === undefined ? '' : n < 1e3 ? `${n} B` : n < 1e6 ? `${(n / 1e3).toFixed(1)} kB` : `${(n / 1e6).toFixed(1)} MB`);

describe('dashboard', () => {
  test('signing in sets an HttpOnly session cookie; the token stays out of the page', async () => {
    const { page, context } = browser;
    await signIn(page, server.tokens.acme.read);
    const cookies = await context.cookies(server.base);
    const session = cookies.find((c) => c.name === 'scout_session');
    assert.ok(session, 'a session cookie was set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.ok(!session.value.includes(server.tokens.acme.read), 'the cookie does not hold the token');
    assert.equal(await page.evaluate('document.cookie'), '', 'scripts cannot read the session');
    assert.equal(await page.evaluate('JSON.stringify(localStorage)').then((s) => String(s).includes('scout_')), false);
    await page.getByText('acme').first().waitFor();
  });

  test('overview: counts by severity across the organisation, and the images with the most fixable critical and high', async () => {
    const { page } = browser;
    const o = await server.get<{ vulnerabilities: Record<string, number>; topImages: { repository: string; tags: string[] }[] }>('/overview', server.tokens.acme.read);
    assert.ok(o.vulnerabilities.critical > 0 && o.vulnerabilities.high > 0, 'the seeded images have critical and high findings');
    await page.goto(`${server.base}/`);
    for (const s of ['critical', 'high', 'medium', 'low']) {
      const card = page.locator(`.card[data-severity="${s}"] .n`).first();
      assert.equal(await card.innerText(), String(o.vulnerabilities[s]), s);
    }
    const top = await rows(page, 'images with the most fixable critical and high vulnerabilities');
    assert.ok(top[0]!.startsWith(`${o.topImages[0]!.repository}:${o.topImages[0]!.tags[0]}`), top[0]);
    assert.ok(top.some((r) => r.startsWith('acme/web:1.0')), 'the app image is among the most fixable');
    await shot(page, 'overview');
  });

  test('overview trend: open vulnerabilities per day since the first was seen, as the findings of each image date them', async () => {
    const { page } = browser;
    const o = await server.get<{ trend: TrendPoint[] }>('/overview', server.tokens.acme.read);
    // By definition, from every finding of every acme image as the API lists them.
    const findings: { severity: string; firstSeenAt: string; fixedAt?: string; withdrawnAt?: string }[] = [];
    for (const ref of ['acme/debian:12', 'acme/node:20', 'acme/web:1.0', 'acme/web:1.1']) {
      let cursor = '';
      do {
        const p = await server.get<{ items: typeof findings; next?: string }>(`/images/${digestOf(ref)}/findings?limit=500${cursor ? `&cursor=${cursor}` : ''}`, server.tokens.acme.read);
        findings.push(...p.items);
        cursor = p.next ?? '';
      } while (cursor);
    }
    const expected = o.trend.map(({ date }) => {
      const counts: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0 };
      for (const f of findings) {
        const closed = f.fixedAt ?? f.withdrawnAt;
        if (f.firstSeenAt.slice(0, 10) <= date && !(closed && closed.slice(0, 10) <= date)) counts[f.severity]!++;
      }
      return { date, counts };
    });
    assert.deepEqual(o.trend, expected);
    assert.equal(o.trend.length, 13, 'from the base image, stored 12 days ago, to today');
    const total = (p: TrendPoint) => Object.values(p.counts).reduce((a, b) => a + b, 0);
    assert.ok(total(o.trend[0]!) > 0 && total(o.trend[0]!) < total(o.trend[7]!) && total(o.trend[7]!) < total(o.trend[12]!), 'each stored image added its findings on its day');

    await page.goto(`${server.base}/`);
    const chart = page.getByRole('img', { name: 'open vulnerabilities per day over 13 days' });
    await chart.waitFor();
    for (const s of ['critical', 'high', 'medium', 'low'] as const) {
      const pts = (await chart.locator(`polyline[data-severity="${s}"]`).getAttribute('points'))!.split(' ').map((xy) => Number(xy.split(',')[1]));
      assert.equal(pts.length, 13, s);
      // Higher on the chart (a smaller y) exactly where the count is larger.
      for (let i = 1; i < pts.length; i++) assert.equal(Math.sign(pts[i - 1]! - pts[i]!), Math.sign(o.trend[i]!.counts[s] - o.trend[i - 1]!.counts[s]), `${s} day ${i}`);
    }
    await page.getByText('As a table').click();
    assert.deepEqual(await rows(page, 'open vulnerabilities per day'), o.trend.map((p) => [p.date, p.counts.critical, p.counts.high, p.counts.medium, p.counts.low].join('\t')));
  });

  test('images: every image with OS, platform and base image; filter, sort and paging go through the URL', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/images`);
    const all = await rows(page, 'images');
    assert.equal(all.length, 4);
    const web10 = all.find((r) => r.startsWith('acme/web:1.0'))!;
    assert.match(web10, /debian 12/);
    assert.match(web10, /linux\/amd64/);
    assert.match(web10, /acme\/node:20/, 'its base image is the runtime image');
    assert.match(all.find((r) => r.startsWith('acme/debian:12'))!, /none found/);
    // Each row's last push and severity counts are the API's, for every image.
    type Listed = { repository: string; tags: string[]; pushedAt: string; vulnerabilities: Record<string, number> };
    const listed = (await server.get<{ items: Listed[] }>('/images', server.tokens.acme.read)).items;
    assert.equal(listed.length, 4);
    for (const i of listed) {
      const row = page.getByRole('table', { name: 'images', exact: true }).locator('tbody tr', { has: page.locator('td:first-child').getByRole('link', { name: `${i.repository}:${i.tags[0]}`, exact: true }) });
      assert.ok((await row.innerText()).includes(`\t${when(i.pushedAt)}\t`), `${i.repository}:${i.tags[0]} last pushed ${i.pushedAt}`);
      const counts = ['critical', 'high', 'medium', 'low'].map((s) => `${i.vulnerabilities[s] ?? 0} ${s}`).join(', ');
      assert.equal(await row.locator('.sevcounts').getAttribute('aria-label'), counts, `${i.repository}:${i.tags[0]}`);
    }
    assert.ok(listed.some((i) => i.pushedAt.slice(0, 10) !== listed[0]!.pushedAt.slice(0, 10)), 'the seeded images were pushed on different days');
    await shot(page, 'images');

    await page.getByLabel('Filter images').fill('web');
    await page.waitForURL(/q=web/);
    assert.deepEqual((await rows(page, 'images')).map((r) => r.split('\t')[0]!.trim()).sort(), ['acme/web:1.0', 'acme/web:1.1']);

    await page.goto(`${server.base}/images?sort=name&order=asc`);
    const byName = (await rows(page, 'images')).map((r) => r.split('\t')[0]!.trim());
    assert.deepEqual(byName.slice(0, 2), ['acme/debian:12', 'acme/node:20']);
    await page.getByRole('button', { name: /^Image/ }).click();
    await page.waitForURL(/order=desc/);
    assert.equal((await rows(page, 'images'))[0]!.split('\t')[0]!.trim().startsWith('acme/web'), true);

    const worst = await server.get<{ items: { repository: string; tags: string[] }[] }>('/images?sort=vulnerabilities&order=desc', server.tokens.acme.read);
    await page.getByRole('button', { name: /^Vulnerabilities/ }).click();
    await page.waitForURL(/sort=vulnerabilities&order=desc/);
    assert.deepEqual((await rows(page, 'images')).map((r) => r.split('\t')[0]!.trim()), worst.items.map((i) => `${i.repository}:${i.tags[0]}`), 'worst first, as the API sorts them');

    await page.goto(`${server.base}/images?sort=name&order=asc&limit=3`);
    const first = (await rows(page, 'images')).map((r) => r.split('\t')[0]!.trim());
    assert.equal(first.length, 3);
    await page.getByText('3 shown of 4').waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await page.getByText('1 shown of 4').waitFor();
    const second = (await rows(page, 'images')).map((r) => r.split('\t')[0]!.trim());
    assert.equal(second.length, 1);
    assert.ok(!first.includes(second[0]!), 'the second page holds another image');
    await page.goBack();
    await page.getByText('3 shown of 4').waitFor();

    await page.goto(`${server.base}/images?severity=none`);
    await page.getByText('No image matches these filters.').waitFor();
  });

  test('image detail: metadata, layers with the base image, searchable packages, vulnerabilities by package', async () => {
    const { page } = browser;
    const digest = digestOf('acme/web:1.0');
    await page.goto(`${server.base}/images/${encodeURIComponent(digest)}`);
    await page.getByRole('heading', { name: 'acme/web:1.0' }).waitFor();
    const meta = await page.locator('section', { has: page.getByRole('heading', { name: 'Image', exact: true }) }).innerText();
    assert.match(meta, new RegExp(digest));
    // Every digest the push stored: the manifest's above, the config's (and an index's when there is one).
    const m = (await server.get<{ metadata: { configDigest: string; indexDigest?: string; created: string } }>(`/images/${digest}`, server.tokens.acme.read)).metadata;
    assert.match(meta, new RegExp(`Config digest\\s+${m.configDigest}`));
    if (m.indexDigest) assert.match(meta, new RegExp(`Index digest\\s+${m.indexDigest}`));
    assert.match(meta, new RegExp(`Created\\s+${when(m.created)}`));
    assert.match(meta, /Debian GNU\/Linux 12/);
    assert.match(meta, /amd64/);
    assert.match(meta, /8080\/tcp/);
    assert.match(meta, /2024-05-01 12:00 UTC/);
    assert.match(await page.getByRole('table', { name: 'environment variables' }).innerText(), /NODE_ENV\s+production/);
    assert.match(await page.getByRole('table', { name: 'labels' }).innerText(), /maintainer\s+web-team@acme.example/);
    assert.match(await page.getByRole('region', { name: 'Base image', exact: true }).innerText(), /acme\/node:20[\s\S]*2 of this image's 3 layers/);
    await shot(page, 'image-detail');

    const tabs = page.getByRole('navigation', { name: 'image sections' });
    await tabs.getByRole('link', { name: 'Layers' }).click();
    const layers = await rows(page, 'layers');
    assert.equal(layers.length, 3);
    assert.match(layers[0]!, /^0\t.*#\(nop\) layer 0.*base image/s);
    assert.match(layers[2]!, /^2\t.*this image/s);
    // In order, each with its sizes and the command that made it, as the API stores them.
    type L = { position: number; size: number; uncompressedSize?: number; createdBy?: string };
    const stored = (await server.get<{ items: L[] }>(`/images/${digest}/layers`, server.tokens.acme.read)).items;
    assert.deepEqual(
      layers.map((r) => r.split('\t').filter((_, i) => i !== 1 && i !== 5)),
      stored.map((l) => [String(l.position), bytes(l.size), bytes(l.uncompressedSize), l.createdBy ?? 'no history entry']),
    );
    assert.ok(stored.every((l) => l.size > 0 && l.createdBy), 'every seeded layer has a size and a command');

    await tabs.getByRole('link', { name: 'Packages' }).click();
    const allPackages = await rows(page, 'packages');
    assert.equal(allPackages.length, 9);
    // Every row: name and PURL, version, type, license, layer, path, direct or transitive, owner.
    type P = { name: string; namespace?: string; purl: string; version: string; type: string; licenses: { spdx?: string; name?: string }[]; introducedLayer?: { index: number }; locations: { path: string }[]; relationship?: string; ownedBy?: string };
    const pkgs = (await server.get<{ items: P[] }>(`/images/${digest}/packages?limit=100`, server.tokens.acme.read)).items;
    assert.deepEqual(
      allPackages,
      pkgs.map((p) => [`${p.namespace ? `${p.namespace}/` : ''}${p.name}\n${p.purl}\n`, p.version, p.type, p.licenses.map((l) => l.spdx ?? l.name).join(', ') || 'none stated', String(p.introducedLayer?.index ?? ''), p.locations[0]?.path ?? '', p.relationship ?? '', p.ownedBy ?? ''].join('\t')),
    );
    const byName = new Map(pkgs.map((p) => [p.name, p]));
    assert.equal(byName.get('qs')?.introducedLayer?.index, 2, 'qs came with the app layer');
    assert.equal(byName.get('lodash')?.introducedLayer?.index, 1, 'lodash came with the runtime layer');
    assert.deepEqual([byName.get('express')?.relationship, byName.get('qs')?.relationship], ['direct', 'transitive'], 'the app names express; qs comes through it');
    // (An owner shows on acme/node:22, pushed in the recommendations test below.)
    await page.getByText('9 shown of 9').waitFor();
    // Paged by the server: four a page, the next page from the cursor the server gave.
    await page.goto(`${server.base}/images/${encodeURIComponent(digest)}?tab=packages&limit=4`);
    await page.getByText('4 shown of 9').waitFor();
    const paged = await rows(page, 'packages');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await page.getByText('4 shown of 9').waitFor();
    paged.push(...(await rows(page, 'packages')));
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('1 shown of 9').waitFor();
    paged.push(...(await rows(page, 'packages')));
    assert.deepEqual(paged, allPackages, 'three pages hold every package once, in order');
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
    await page.goto(`${server.base}/images/${encodeURIComponent(digest)}?tab=packages`);
    await page.getByLabel('Search packages').fill('bsd-3');
    await page.waitForURL(/q=bsd-3/);
    await page.getByText('1 shown of 1').waitFor();
    const qs = await rows(page, 'packages');
    assert.equal(qs.length, 1);
    assert.match(qs[0]!, /^qs\s/);
    assert.match(qs[0]!, /pkg:npm\/qs@6\.7\.0/);
    assert.match(qs[0]!, /BSD-3-Clause/);
    assert.match(qs[0]!, /\/app\/node_modules\/qs\/package.json/);
    await shot(page, 'image-packages');

    await page.goto(`${server.base}/images/${encodeURIComponent(digest)}?tab=vulnerabilities`);
    const lodash = await rows(page, 'vulnerabilities of lodash');
    const row = lodash.find((r) => r.startsWith('CVE-2021-23337'));
    assert.ok(row, 'lodash 4.17.15 has CVE-2021-23337');
    assert.match(row, /high/);
    assert.match(row, /4\.17\.21/);
    // Every finding, under its package: severity, CVSS, EPSS, KEV, fixed version and status as the API has them.
    type F = { vulnerabilityId: string; packageName: string; severity: string; cvssScore?: number; epss?: { score: number }; kev: boolean; fixedVersions: string[]; status: string };
    const found = (await server.get<{ items: F[] }>(`/images/${digest}/findings?limit=500`, server.tokens.acme.read)).items;
    for (const name of new Set(found.map((f) => f.packageName))) {
      const shown = (await rows(page, `vulnerabilities of ${name}`)).map((r) => r.split('\t').slice(1, 7).map((c) => c.trim()));
      const expected = found.filter((f) => f.packageName === name).map((f) => [f.severity, f.cvssScore?.toFixed(1) ?? '', f.epss ? `${(f.epss.score * 100).toFixed(2)}%` : '', f.kev ? 'KEV' : '', f.fixedVersions.join(', ') || 'not fixed', f.status]);
      assert.deepEqual(shown, expected, name);
    }
    assert.ok(found.some((f) => f.cvssScore !== undefined), 'some finding has a CVSS score');
    await shot(page, 'image-vulnerabilities');
  });

  test('image compare: another tag of the repository, picked from the list of its images; qs upgraded and its vulnerabilities gone; the target in the URL', async () => {
    const { page } = browser;
    const web10 = digestOf('acme/web:1.0');
    const web11 = digestOf('acme/web:1.1');
    // What really differs, from each image's own findings (not from the comparison route).
    type F = { vulnerabilityId: string; packageName: string; packageVersion: string };
    const open = async (d: string) => (await server.get<{ items: F[] }>(`/images/${d}/findings?limit=500`, server.tokens.acme.read)).items.map((f) => `${f.vulnerabilityId} ${f.packageName} ${f.packageVersion}`);
    const [old, now] = [await open(web10), await open(web11)];
    const gone = old.filter((f) => !now.some((n) => n.split(' ')[0] === f.split(' ')[0] && n.split(' ')[1] === f.split(' ')[1])).sort();
    const fresh = now.filter((f) => !old.some((o) => o.split(' ')[0] === f.split(' ')[0] && o.split(' ')[1] === f.split(' ')[1])).sort();
    assert.ok(gone.length > 0 && gone.every((f) => f.includes(' qs 6.7.0')), `qs 6.7.0's vulnerabilities are the ones 1.1 no longer has: ${gone.join(', ')}`);

    await page.goto(`${server.base}/images/${encodeURIComponent(web11)}`);
    await page.getByRole('heading', { name: 'acme/web:1.1' }).waitFor();
    await page.getByRole('navigation', { name: 'image sections' }).getByRole('link', { name: 'Compare' }).click();
    await page.getByText('Pick an image to compare acme/web:1.1 with.').waitFor();
    // Nothing typed: the images of its repository, newest first, this one not to be chosen.
    const choices = await rows(page, 'images to compare with');
    assert.deepEqual(choices.map((r) => r.split('\t')[0]), ['acme/web:1.1', 'acme/web:1.0']);
    assert.match(choices[0]!, /\tthis image$/);
    await page.getByRole('link', { name: 'Compare with acme/web:1.0' }).click();
    await page.waitForURL(new RegExp(`tab=compare&to=${encodeURIComponent(web10)}`));
    assert.deepEqual(await rows(page, 'packages changed'), ['qs\tnpm\t6.7.0\t6.11.0\tupgraded']);
    await page.getByText('No package added.').waitFor();
    await page.getByText('No package removed.').waitFor();
    const removed = (await rows(page, 'vulnerabilities removed')).map((r) => { const [id, , , pkg] = r.split('\t'); return `${id} ${pkg}`; }).sort();
    assert.deepEqual(removed, gone);
    if (fresh.length) assert.deepEqual((await rows(page, 'vulnerabilities added')).map((r) => r.split('\t')[0]).sort(), fresh.map((f) => f.split(' ')[0]).sort());
    else await page.getByText('No vulnerability added.').waitFor();
    const sides = await rows(page, 'the two images');
    assert.ok(sides.includes('Base image\tacme/node:20\tacme/node:20\tunchanged'), sides.join('\n'));
    await shot(page, 'image-compare');

    // A shared link opens the same comparison; another tab and back keeps the target.
    await page.reload();
    assert.deepEqual(await rows(page, 'packages changed'), ['qs\tnpm\t6.7.0\t6.11.0\tupgraded']);
    await page.getByRole('navigation', { name: 'image sections' }).getByRole('link', { name: 'Layers' }).click();
    await rows(page, 'layers');
    await page.getByRole('navigation', { name: 'image sections' }).getByRole('link', { name: 'Compare' }).click();
    assert.deepEqual(await rows(page, 'packages changed'), ['qs\tnpm\t6.7.0\t6.11.0\tupgraded']);

    // From the keyboard: the arrow keys, Home and End move along the tabs with a visible focus, Enter opens one.
    const focused = () => page.evaluate('({ text: document.activeElement.textContent, outline: getComputedStyle(document.activeElement).outlineStyle })') as Promise<{ text: string; outline: string }>;
    await page.getByRole('navigation', { name: 'image sections' }).getByRole('link', { name: 'Compare' }).focus();
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual(await focused(), { text: 'Secrets', outline: 'solid' });
    await page.keyboard.press('Home');
    assert.equal((await focused()).text, 'Overview');
    await page.keyboard.press('ArrowLeft');
    assert.equal((await focused()).text, 'Compare', 'wraps around');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal((await focused()).text, 'Layers');
    await page.keyboard.press('Enter');
    await page.waitForURL(/tab=layers/);
    assert.match(page.url(), new RegExp(`to=${encodeURIComponent(web10)}`), 'the compare target stays in the URL');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    assert.deepEqual(await rows(page, 'packages changed'), ['qs\tnpm\t6.7.0\t6.11.0\tupgraded']);

    // The other way round: the same change, downgraded, and the vulnerabilities added.
    await page.getByRole('link', { name: 'the other way round' }).click();
    await page.getByRole('heading', { name: 'acme/web:1.0' }).waitFor();
    assert.deepEqual(await rows(page, 'packages changed'), ['qs\tnpm\t6.11.0\t6.7.0\tdowngraded']);
    assert.deepEqual((await rows(page, 'vulnerabilities added')).map((r) => r.split('\t')[0]).sort(), gone.map((f) => f.split(' ')[0]));

    // Any image by digest: the runtime image lacks the app's packages, on another base.
    await page.getByLabel('Digest of the image to compare with').fill('sha256:nope');
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByRole('alert').filter({ hasText: 'A digest is sha256:' }).waitFor();
    await page.getByLabel('Digest of the image to compare with').fill(`acme/node@${digestOf('acme/node:20')}`);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(new RegExp(`to=${encodeURIComponent(digestOf('acme/node:20'))}`));
    assert.deepEqual((await rows(page, 'packages added')).map((r) => r.split('\t')[0]).sort(), ['express', 'qs', 'web']);
    assert.ok((await rows(page, 'the two images')).includes('Base image\tacme/node:20\tacme/debian:12\treplaced (another repository)'));
    // Another organisation's image is not found, as the API answers.
    await page.goto(`${server.base}/images/${encodeURIComponent(web11)}?tab=compare&to=${encodeURIComponent(digestOf('globex/secret:1'))}`);
    await page.getByText('Not found.').waitFor();
  });

  test('image detail: policy results with their violations and history, provenance, leaked secrets; the images list carries each verdict', async () => {
    const { page } = browser;
    const web11 = digestOf('acme/web:1.1');
    const at = (tab: string, d = web11) => page.goto(`${server.base}/images/${encodeURIComponent(d)}?tab=${tab}`);
    type Results = { current: { status: string; grade: string; results: { id: string; title: string; status: string; violations: { subject: string; detail: string }[] }[] }; history: { trigger: string; status: string }[] };
    const policy = await server.get<Results>(`/images/${web11}/policy`, server.tokens.acme.read);
    const byId = new Map(policy.current.results.map((r) => [r.id, r]));
    // The seeded image really fails these two for what it is: no SBOM attestation, a leaked key.
    assert.equal(byId.get('supply-chain-attestations')?.status, 'fail');
    assert.deepEqual(byId.get('no-secrets')?.violations.map((v) => v.subject), [`/${LEAKED_KEY_PATH}`]);

    await at('policy');
    const results = await rows(page, 'policy results');
    assert.deepEqual(results.map((r) => r.split('\t').slice(0, 3).map((c) => c.trim())), policy.current.results.map((r) => [`${r.title}\n${r.id}`, r.status, String(r.violations.length)]));
    assert.match(await page.getByRole('heading', { name: /^Policies/ }).innerText(), new RegExp(`^Policies ${policy.current.status} health ${policy.current.grade}`));
    assert.deepEqual(await rows(page, 'No leaked secrets violations'), byId.get('no-secrets')!.violations.map((v) => `/${LEAKED_KEY_PATH}\t${v.detail}\t`));
    assert.deepEqual(await rows(page, 'Supply chain attestations present violations'), ['image\tno SBOM attestation\t']);
    const history = await rows(page, 'policy history');
    assert.equal(history.length, policy.history.length);
    assert.match(history.at(-1)!, /\tpush\tfail\t.*first evaluation$/);
    await shot(page, 'image-policy');
    await page.getByRole('link', { name: 'No leaked secrets' }).click();
    assert.match(page.url(), /#policy-no-secrets$/);

    await at('provenance');
    const build = await page.locator('section', { has: page.getByRole('heading', { name: 'Build' }) }).innerText();
    assert.match(build, /Base image\s+acme\/node:20\s+sha256:/);
    assert.match(build, /Source\s+https:\/\/git\.example\.com\/acme\/web\s+Revision\s+9f2c4e1d7a3b5c6d8e0f1a2b3c4d5e6f7a8b9c0d\s+Dockerfile\s+Dockerfile/);
    assert.equal(await page.getByLabel('Dockerfile', { exact: true }).innerText(), WEB_DOCKERFILE);
    assert.deepEqual(await rows(page, 'materials'), [
      'pkg:docker/docker/dockerfile@1\tsha256:9ba7531bd80fb0a858632727cf7a112fbfd19b17e94c4e84ced81e24ef1a0dbc',
      `pkg:docker/acme/node@20?platform=linux%2Famd64\t${digestOf('acme/node:20')}`,
      'https://git.example.com/acme/web.git#refs/heads/main\tsha1:9f2c4e1d7a3b5c6d8e0f1a2b3c4d5e6f7a8b9c0d',
    ]);
    assert.match(await page.locator('section', { has: page.getByRole('heading', { name: 'Attestations' }) }).innerText(), /SLSA provenance\s+yes\s+SBOM\s+no/);
    await shot(page, 'image-provenance');
    await page.getByRole('link', { name: 'acme/node:20' }).click();
    await page.getByRole('heading', { name: 'acme/node:20' }).waitFor();

    await at('secrets');
    const secrets = await rows(page, 'secrets');
    assert.equal(secrets.length, 1);
    assert.match(secrets[0]!, new RegExp(`^Private key.*\\nprivate-key\\n\\tcritical\\t/${LEAKED_KEY_PATH}\\nfile\\n\\t2\\t1\\tMIIE\\*+$`, 's'));
    assert.doesNotMatch(await page.locator('main').innerText(), /MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/, 'the key itself is nowhere');
    await shot(page, 'image-secrets');

    // An image pushed as a plain SBOM: nothing reported, nothing searched; said so.
    const web10 = digestOf('acme/web:1.0');
    await at('provenance', web10);
    await page.getByText('The push did not say whether this image has attestations').waitFor();
    await at('secrets', web10);
    await page.getByText("This image's layers were not searched for secrets").waitFor();

    const listed = await server.get<{ items: { repository: string; tags: string[]; policy: { status: string; grade: string } }[] }>('/images', server.tokens.acme.read);
    await page.goto(`${server.base}/images`);
    const shown = await rows(page, 'images');
    for (const i of listed.items) {
      const row = shown.find((r) => r.startsWith(`${i.repository}:${i.tags[0]}`));
      assert.ok(row?.includes(`\t${i.policy.status} ${i.policy.grade}\t`), `${i.repository}:${i.tags[0]}: ${row}`);
    }
  });

  test('overview → image → vulnerability → affected images, with the explanation of a match', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/`);
    await page.getByRole('table', { name: 'images with the most fixable critical and high vulnerabilities' }).getByRole('link', { name: 'acme/web:1.0' }).click();
    await page.getByRole('heading', { name: 'acme/web:1.0' }).waitFor();
    assert.match(page.url(), /tab=vulnerabilities/);
    await page.getByRole('link', { name: 'CVE-2021-23337' }).click();
    await page.getByRole('heading', { name: 'CVE-2021-23337' }).waitFor();
    const advisory = await page.getByRole('region', { name: 'advisory GHSA-35jh-r3h4-6jhm' }).innerText();
    assert.match(advisory, /lodash/);
    assert.match(advisory, /introduced 0, fixed 4\.17\.21/);
    // The advisory's text and every reference it gives, as the API reads the advisory (the
    // examples' record has none; the advisory posted in the events test below has some).
    type Adv = { records: { id: string; summary?: string; details?: string; references: { url: string }[] }[] };
    const adv = await server.get<Adv>('/vulnerabilities/CVE-2021-23337/advisory', server.tokens.acme.read);
    for (const r of adv.records) {
      const shown = await page.getByRole('region', { name: `advisory ${r.id}` }).innerText();
      assert.ok(r.summary || r.details, `${r.id} has text`);
      if (r.summary) assert.ok(shown.includes(r.summary), `${r.id} summary`);
      if (r.details) assert.ok(shown.includes(r.details.trim().split('\n')[0]!), `${r.id} details`);
      for (const ref of r.references) assert.ok(shown.includes(ref.url), `${r.id} reference ${ref.url}`);
    }
    const affected = await rows(page, 'affected images');
    assert.deepEqual(affected.map((r) => r.split('\t')[0]!.trim()).sort(), ['acme/node:20', 'acme/web:1.0', 'acme/web:1.1']);
    // Nothing runs yet (the runtime inventory comes in the events test below), and the page says so.
    await page.getByText('No environment runs an affected image now.').waitFor();
    await page.getByRole('button', { name: 'Explain' }).first().click();
    const text = await page.getByLabel('explanation').innerText();
    assert.match(text, /verdict: affected/);
    assert.match(text, /fixed 4\.17\.21: 4\.17\.15 < 4\.17\.21 → not affected|4\.17\.15 < 4\.17\.21/);
    await page.getByRole('table', { name: 'affected images' }).getByRole('link', { name: 'acme/web:1.1' }).click();
    await page.getByRole('heading', { name: 'acme/web:1.1' }).waitFor();
  });

  test('vulnerabilities, packages, base images and settings pages', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/vulnerabilities`);
    const vulns = await rows(page, 'vulnerabilities');
    assert.ok(vulns.length > 5);
    assert.match(vulns[0]!, /critical/, 'worst first');
    // Nothing runs yet: every row counts its images, and no environment or workload; no VEX
    // document is stored, so the last cell (VEX) is a dash.
    for (const r of vulns) assert.match(r, /\t[1-9]\d*\t0\t0\t–$/);
    await page.getByLabel('Filter vulnerabilities').fill('lodash');
    await page.waitForURL(/q=lodash/);
    await page.getByText('CVE-2021-23337').waitFor();
    for (const r of await rows(page, 'vulnerabilities')) assert.match(r, /lodash/);
    await page.goto(`${server.base}/vulnerabilities?fixable=false`);
    for (const r of await rows(page, 'vulnerabilities')) assert.match(r, /not fixed/);

    await page.goto(`${server.base}/packages`);
    const pkgs = await rows(page, 'packages');
    const lodash = pkgs.find((r) => r.startsWith('lodash'));
    assert.match(lodash!, /npm\t4\.17\.15\t3/);
    await shot(page, 'packages');
    await page.getByRole('link', { name: 'lodash' }).click();
    await page.waitForURL(/purl=pkg%3Anpm%2Flodash/);
    assert.equal((await rows(page, 'images using this package')).length, 3);

    await page.goto(`${server.base}/base-images`);
    const bases = await rows(page, 'base images');
    assert.match(bases[0]!, /^acme\/node:20\torganisation\t2\t/);
    assert.match(bases[0]!, /acme\/web:1\.0/);
    await shot(page, 'base-images');

    await page.goto(`${server.base}/settings`);
    const sources = await rows(page, 'advisory sources');
    assert.ok(sources.some((r) => /^osv-ghsa-npm-demo\t28\t/.test(r)), sources.join('\n'));
    await page.getByText('this needs a token with admin scope').waitFor();
    await shot(page, 'settings');

  });

  test('dark theme, keyboard navigation with visible focus', async () => {
    const { page } = browser;
    await page.goto(`${server.base}/images`);
    const colours = () => page.evaluate('[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color].join(" on ")') as Promise<string>;
    const light = await colours();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
    const dark = await colours();
    assert.notEqual(dark, light, 'the page itself changed colours');
    // Dark means a darker background than text, and than the light theme's background.
    const luminance = (rgb: string) => rgb.match(/\d+/g)!.slice(0, 3).map(Number).reduce((a, b) => a + b, 0);
    const [darkBg, darkFg] = dark.split(' on ') as [string, string];
    assert.ok(luminance(darkBg) < luminance(darkFg) && luminance(darkBg) < luminance(light.split(' on ')[0]!), `${dark} vs ${light}`);
    await page.reload();
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark', 'the choice is kept');
    await rows(page, 'images');
    await shot(page, 'images-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.reload();
    await rows(page, 'images');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Images');
    const focused = page.locator('nav a', { hasText: /^Images$/ });
    assert.equal(await hasFocus(focused), true);
    assert.equal(await outlineOf(focused), 'solid 3px', 'the focused link shows its focus ring');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/images$/);
    // Into the table and along it: the sortable headers are buttons, the rows' images are links.
    await page.getByRole('button', { name: /^Image/ }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/sort=name/);
    const firstImage = page.getByRole('table', { name: 'images', exact: true }).getByRole('link').first();
    await firstImage.focus();
    assert.equal(await outlineOf(firstImage), 'solid 3px');
    const name = await firstImage.innerText();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name }).waitFor();
    // The image's tabs by keyboard too.
    const layersTab = page.getByRole('navigation', { name: 'image sections' }).getByRole('link', { name: 'Layers' });
    await layersTab.focus();
    assert.equal(await outlineOf(layersTab), 'solid 3px');
    await page.keyboard.press('Enter');
    await page.waitForURL(/tab=layers/);
    await rows(page, 'layers');
  });

  test('a laptop screen (1366×768): every page fits its width, tables scroll inside their frame', async () => {
    const { page } = browser;
    await page.setViewportSize({ width: 1366, height: 768 });
    try {
      const web10 = encodeURIComponent(digestOf('acme/web:1.0'));
      const pages: [string, string][] = [
        ['/', 'Overview'],
        ['/images', 'Images'],
        [`/images/${web10}`, 'acme/web:1.0'],
        [`/images/${web10}?tab=layers`, 'acme/web:1.0'],
        [`/images/${web10}?tab=packages`, 'acme/web:1.0'],
        [`/images/${web10}?tab=vulnerabilities`, 'acme/web:1.0'],
        [`/images/${web10}?tab=compare&to=${encodeURIComponent(digestOf('acme/web:1.1'))}`, 'acme/web:1.0'],
        ['/vulnerabilities', 'Vulnerabilities'],
        ['/vulnerabilities/CVE-2021-23337', 'CVE-2021-23337'],
        ['/packages', 'Packages'],
        ['/base-images', 'Base images'],
        ['/environments', 'Environments'],
        ['/settings', 'Settings'],
      ];
      for (const [path, heading] of pages) {
        await page.goto(`${server.base}${path}`);
        await page.getByRole('heading', { name: heading, exact: true }).waitFor();
        await page.waitForLoadState('networkidle');
        const [scroll, width] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
        assert.ok(scroll <= width, `${path}: the page is ${scroll} px wide on a ${width} px screen`);
        assert.ok(await page.getByRole('heading', { name: heading, exact: true }).isVisible(), path);
      }
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  test('an advisory posted to the server makes events the overview lists, in the environment where the image runs, delivered to a webhook with its log in settings', async (t) => {
    const { page } = browser;
    const rx = await startReceiver();
    t.after(() => rx.close());
    const admin = { authorization: `Bearer ${server.tokens.acme.admin}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) => fetch(`${server.base}/v1${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
    const web10 = digestOf('acme/web:1.0');
    assert.equal((await post('/integrations/runtime', { environment: 'production', cluster: 'eu-1', workloads: [{ namespace: 'shop', name: 'web', type: 'Deployment', images: [{ ref: 'acme/web:1.0', digest: web10 }] }] })).status, 200);
    const added = await post('/webhooks', { url: rx.url });
    assert.equal(added.status, 201);
    const hookUrl = ((await added.json()) as { webhook: { url: string } }).webhook.url;
    // A new advisory for minimist 1.2.5, which acme/node:20 and both web images hold.
    const advisory = { schema_version: '1.6.0', id: 'SCOUT-E2E-1', modified: new Date().toISOString(), aliases: ['CVE-2099-4242'], summary: 'minimist test advisory', details: 'Prototype pollution in minimist before 1.2.6, for the dashboard test.', references: [{ type: 'ADVISORY', url: 'https://example.com/advisories/SCOUT-E2E-1' }, { type: 'FIX', url: 'https://example.com/minimist/commit/1' }], database_specific: { severity: 'CRITICAL' }, affected: [{ package: { ecosystem: 'npm', name: 'minimist' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.6' }] }] }] };
    assert.equal((await post('/advisories', [advisory])).status, 202);
    await server.jobs.queue.idle(undefined, 30_000);
    await rx.waitFor(3);

    await page.goto(`${server.base}/`);
    const events = page.getByRole('list', { name: 'latest events' });
    await events.waitFor();
    const items = await events.locator('li').allInnerTexts();
    assert.equal(items.filter((i) => /new CVE-2099-4242 \(critical\) in/.test(i)).length, 3, items.join('\n'));
    assert.ok(items.some((i) => /acme\/web:1\.0 · runs in production/.test(i)), items.join('\n'));
    const envRows = await rows(page, 'vulnerabilities by environment');
    assert.match(envRows[0]!, /^production\t1 images\t/);
    // Per environment, the open vulnerabilities of what runs there: acme/web:1.0's own counts.
    const o = await server.get<{ environments: { name: string; images: number; vulnerabilities: Record<string, number> }[] }>('/overview', server.tokens.acme.read);
    const web10Counts = (await server.get<{ vulnerabilities: Record<string, number> }>(`/images/${web10}`, server.tokens.acme.read)).vulnerabilities;
    assert.deepEqual(o.environments.map((e) => [e.name, e.images]), [['production', 1]]);
    for (const s of ['critical', 'high', 'medium', 'low']) assert.equal(o.environments[0]!.vulnerabilities[s] ?? 0, web10Counts[s] ?? 0, s);
    assert.equal(
      await page.getByRole('table', { name: 'vulnerabilities by environment' }).locator('tbody tr').first().locator('.sevcounts').getAttribute('aria-label'),
      ['critical', 'high', 'medium', 'low'].map((s) => `${web10Counts[s] ?? 0} ${s}`).join(', '),
    );
    await shot(page, 'overview-events');

    await page.getByRole('link', { name: 'production' }).click();
    await page.getByRole('heading', { name: 'production' }).waitFor();
    const workloads = await rows(page, 'workloads');
    assert.equal(workloads.length, 1);
    assert.match(workloads[0]!, /^eu-1\tshop\tweb\tDeployment\tacme\/web:1\.0\t/);
    await shot(page, 'environment');
    await page.getByRole('table', { name: 'workloads' }).getByRole('link', { name: 'acme/web:1.0' }).click();
    await page.getByRole('heading', { name: 'acme/web:1.0' }).waitFor();
    await page.goto(`${server.base}/environments`);
    assert.match((await rows(page, 'environments'))[0]!, /^production\t1\t1\t/);

    // A second environment: staging runs acme/web:1.1, and acme/node:20 in another workload.
    const staging = { environment: 'staging', cluster: 'eu-1', workloads: [{ namespace: 'shop', name: 'web', type: 'Deployment', images: [{ ref: 'acme/web:1.1', digest: digestOf('acme/web:1.1') }] }, { namespace: 'tools', name: 'node-runner', type: 'Job', images: [{ ref: 'acme/node:20', digest: digestOf('acme/node:20') }] }] };
    assert.equal((await post('/integrations/runtime', staging)).status, 200);
    await page.goto(`${server.base}/environments`);
    const envs = await rows(page, 'environments');
    assert.deepEqual(envs.map((r) => r.split('\t').slice(0, 3).join('\t')), ['production\t1\t1', 'staging\t2\t2']);
    await shot(page, 'environments');

    // The vulnerabilities list: per row, the environments and workloads running an image with one
    // of its findings, as the API counts them, and by definition for the two shown below.
    type Vuln = { id: string; images: number; environments: number; workloads: number };
    const listed = (await server.get<{ items: Vuln[] }>('/vulnerabilities?limit=50', server.tokens.acme.read)).items;
    await page.goto(`${server.base}/vulnerabilities`);
    const vulnRows = await rows(page, 'vulnerabilities');
    assert.equal(vulnRows.length, listed.length);
    vulnRows.forEach((r, i) => assert.ok(r.startsWith(listed[i]!.id) && r.endsWith(`\t${listed[i]!.images}\t${listed[i]!.environments}\t${listed[i]!.workloads}\t–`), `${listed[i]!.id}: ${r}`));
    // CVE-2099-4242 (minimist: node:20 and both web images) runs in shop/web of each environment
    // and in tools/node-runner; CVE-2021-23337 (lodash: the same three images) likewise.
    for (const id of ['CVE-2099-4242', 'CVE-2021-23337']) {
      const v = (await server.get<{ items: Vuln[] }>(`/vulnerabilities?q=${id}&limit=50`, server.tokens.acme.read)).items.find((x) => x.id === id);
      assert.deepEqual(v && [v.images, v.environments, v.workloads], [3, 2, 3], id);
    }
    await page.getByLabel('Filter vulnerabilities').fill('minimist');
    await page.waitForURL(/q=minimist/);
    await page.getByRole('link', { name: 'CVE-2099-4242' }).waitFor();
    assert.ok((await rows(page, 'vulnerabilities')).some((r) => r.startsWith('CVE-2099-4242') && r.endsWith('\t3\t2\t3\t–')));
    await page.goto(`${server.base}/vulnerabilities`);
    await page.getByRole('table', { name: 'vulnerabilities' }).waitFor();
    await shot(page, 'vulnerabilities');

    // The new vulnerability's page: the environment and workload running an affected image.
    const running = (await server.get<{ items: { environment: string; cluster: string; namespace: string; name: string; type: string; imageRef: string }[] }>('/vulnerabilities/CVE-2099-4242/workloads', server.tokens.acme.read)).items;
    const workloadsRunning = [
      ['production', 'eu-1', 'shop', 'web', 'Deployment', 'acme/web:1.0'],
      ['staging', 'eu-1', 'shop', 'web', 'Deployment', 'acme/web:1.1'],
      ['staging', 'eu-1', 'tools', 'node-runner', 'Job', 'acme/node:20'],
    ];
    assert.deepEqual(running.map((w) => [w.environment, w.cluster, w.namespace, w.name, w.type, w.imageRef]), workloadsRunning);
    await page.goto(`${server.base}/vulnerabilities/CVE-2099-4242`);
    const text = await page.getByRole('region', { name: 'advisory SCOUT-E2E-1' }).innerText();
    assert.ok(text.includes(advisory.summary) && text.includes(advisory.details), text);
    assert.deepEqual(await page.getByRole('region', { name: 'advisory SCOUT-E2E-1' }).locator('li').allInnerTexts(), ['advisory https://example.com/advisories/SCOUT-E2E-1', 'fix https://example.com/minimist/commit/1']);
    assert.match(await rows(page, 'ranges of SCOUT-E2E-1').then((r) => r.join('\n')), /^npm\tminimist\tintroduced 0, fixed 1\.2\.6$/);
    assert.deepEqual(await rows(page, 'affected workloads'), workloadsRunning.map((w) => w.join('\t')));
    await page.getByText('In production, staging:').waitFor();
    await page.getByRole('table', { name: 'affected workloads' }).getByRole('link', { name: 'production' }).click();
    await page.waitForURL(/\/environments\?name=production$/);
    await page.getByRole('heading', { name: 'production' }).waitFor();

    // lodash's vulnerability runs in the same workloads; its page, with a match explained.
    await page.goto(`${server.base}/vulnerabilities/CVE-2021-23337`);
    assert.deepEqual(await rows(page, 'affected workloads'), workloadsRunning.map((w) => w.join('\t')));
    await page.getByRole('button', { name: 'Explain' }).first().click();
    await page.getByLabel('explanation').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'vulnerability');

    await page.goto(`${server.base}/settings`);
    const hook = (await rows(page, 'webhooks'))[0]!;
    assert.ok(hook.startsWith(`${hookUrl}\tjson\tevery kind\tyes`), hook);
    await page.getByRole('link', { name: `delivery log of ${hookUrl}` }).click();
    const deliveries = await rows(page, 'deliveries');
    assert.equal(deliveries.length, 3);
    for (const d of deliveries) assert.match(d, /\t1\tdelivered\t200\t/);
    await shot(page, 'settings-webhooks');
  });

  test('image detail: the base image and the other tags of its repository recommended, ranked as the API ranks them; the registry an image came from', async () => {
    const { page } = browser;
    // A newer runtime tag with lodash and minimist fixed, pushed from ghcr.io as `scout push` sends it.
    // Its minimist comes from Debian's node-minimist package, so the package list names that owner.
    const nodeMinimist = 'Package: node-minimist\nStatus: install ok installed\nPriority: optional\nInstalled-Size: 40\nMaintainer: Debian Javascript Maintainers <pkg-javascript-devel@lists.alioth.debian.org>\nArchitecture: all\nVersion: 1.2.6+~cs5.3.2-1\nDescription: parse argument options\n parse argument options.\n';
    const runtime22 = {
      'var/lib/dpkg/status': `${DEBIAN_LAYER['var/lib/dpkg/status'] as string}\n${nodeMinimist}`,
      'var/lib/dpkg/info/node-minimist.list': '/usr/lib/node/node_modules/minimist\n/usr/lib/node/node_modules/minimist/package.json\n',
      'usr/lib/node/node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: '4.17.21', license: 'MIT' }),
      'usr/lib/node/node_modules/minimist/package.json': JSON.stringify({ name: 'minimist', version: '1.2.6', license: 'MIT' }),
    };
    const sbom = JSON.parse(await sbomJsonOf({ repository: 'acme/node', tag: '22', layers: [DEBIAN_LAYER, runtime22] })) as { image: Record<string, unknown> };
    sbom.image.registry = { host: 'ghcr.io', url: 'https://ghcr.io', type: 'ghcr', repository: 'acme/node', tag: '22' };
    const res = await fetch(`${server.base}/v1/images?repository=acme%2Fnode&tag=22`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.tokens.acme.admin}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(sbom)),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const node22 = ((await res.json()) as { image: { digest: string } }).image.digest;

    const web10 = digestOf('acme/web:1.0');
    type Cand = { digest: string; tags: string[]; fixable: { critical: number; high: number }; reasons: string[]; better: boolean };
    const layerDigests = (await server.get<{ items: { diffId: string }[] }>(`/images/${web10}/layers`, server.tokens.acme.read)).items.map((l) => l.diffId);
    const recs = (await (await fetch(`${server.base}/v1/recommendations`, { method: 'POST', headers: { authorization: `Bearer ${server.tokens.acme.read}`, 'content-type': 'application/json' }, body: JSON.stringify({ layerDigests }) })).json()) as { base: { digest: string; current: Cand }; recommendations: Cand[] };
    assert.equal(recs.base.digest, digestOf('acme/node:20'));
    assert.deepEqual(recs.recommendations.map((r) => [r.digest, r.better]), [[node22, true]], 'acme/node:22 has fewer fixable critical and high');

    await page.goto(`${server.base}/images/${encodeURIComponent(web10)}`);
    const shown = (await rows(page, 'base image recommendations')).map((r) => r.split('\t').map((c) => c.trim()));
    assert.deepEqual(
      shown.map((r) => [r[0], r[1], r[2], r[5]]),
      [
        ['acme/node:20 now', String(recs.base.current.fixable.critical), String(recs.base.current.fixable.high), 'the current base image'],
        ...recs.recommendations.map((r) => ['acme/node:22 better', String(r.fixable.critical), String(r.fixable.high), r.reasons.join('; ')]),
      ],
    );
    assert.match(shown[1]![3]!, /^debian 12$/);
    await shot(page, 'image-detail');
    await page.getByRole('table', { name: 'base image recommendations' }).getByRole('link', { name: 'acme/node:22' }).click();
    await page.getByRole('heading', { name: 'acme/node:22' }).waitFor();
    const meta = await page.locator('section', { has: page.getByRole('heading', { name: 'Image', exact: true }) }).innerText();
    assert.match(meta, /Registry\s+https:\/\/ghcr\.io \(ghcr\)/);
    type P = { id: string; name: string; ownedBy?: string };
    const pkgs22 = (await server.get<{ items: P[] }>(`/images/${node22}/packages?limit=100`, server.tokens.acme.read)).items;
    const owner = pkgs22.find((p) => p.id === pkgs22.find((q) => q.name === 'minimist')?.ownedBy);
    assert.equal(owner?.name, 'node-minimist', 'the deb that installed minimist owns it');
    await page.goto(`${server.base}/images/${encodeURIComponent(node22)}?tab=packages&q=minimist`);
    const minimist = (await rows(page, 'packages')).find((r) => r.startsWith('minimist\n'));
    assert.equal(minimist?.split('\t').at(-1), owner.id, 'the Owner column');
    await page.goto(`${server.base}/images/${encodeURIComponent(node22)}`);
    // An image of no other tag's repository says why nothing is recommended.
    await page.getByRole('table', { name: 'base image recommendations' }).waitFor({ state: 'detached' });
    await page.getByText("No other tag of acme/debian:12's repository is stored.").waitFor();
  });

  test('settings with an admin token: every token of the organisation, and each advisory source with its freshness', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, server.tokens.acme.admin);
    await page.goto(`${server.base}/settings`);
    type T = { id: string; name: string; scope: string; createdAt: string; lastUsedAt?: string; revokedAt?: string };
    const tokens = (await server.get<{ items: T[] }>('/tokens', server.tokens.acme.admin)).items;
    assert.ok(tokens.length >= 2, 'acme has a read and an admin token');
    const shown = await rows(page, 'API tokens');
    assert.deepEqual(
      shown.map((r) => r.split('\t').slice(0, 3).concat(r.split('\t')[4]!)),
      tokens.map((t) => [`${t.name} ${t.id}`, t.scope, when(t.createdAt), t.revokedAt ? `revoked ${when(t.revokedAt)}` : 'active']),
    );
    assert.doesNotMatch(shown.join('\n'), new RegExp(server.tokens.acme.admin), 'no token secret is shown');
    type S = { name: string; records: number; importedAt: string; ageDays: number; stale: boolean };
    const { items: sources, maxAgeDays } = await server.get<{ items: S[]; maxAgeDays: number }>('/advisory-sources', server.tokens.acme.read);
    assert.ok(sources.length >= 3, 'the example bundle has several sources');
    assert.deepEqual(
      await rows(page, 'advisory sources'),
      sources.map((x) => [x.name, x.records.toLocaleString('en'), when(x.importedAt), x.stale ? `${x.ageDays} days old (over ${maxAgeDays})` : x.ageDays === 0 ? 'today' : `${x.ageDays} days old`].join('\t')),
    );
    await shot(page, 'settings');
  });

  test("another organisation's token sees none of it", async () => {
    const { page, context } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token', { exact: true }).waitFor();
    assert.equal((await context.cookies(server.base)).filter((c) => c.name === 'scout_session').length, 0);
    await signIn(page, server.tokens.globex.read);
    await page.goto(`${server.base}/images`);
    const imgs = await rows(page, 'images');
    assert.deepEqual(imgs.map((r) => r.split('\t')[0]!.trim()), ['globex/secret:1']);
    await page.goto(`${server.base}/images/${encodeURIComponent(digestOf('acme/web:1.0'))}`);
    await page.getByText('Not found.').waitFor();
    // A vulnerability of qs, which only acme's app images hold.
    const acmeOnly = (await server.get<{ items: { id: string; packages: string[] }[] }>('/vulnerabilities?q=qs', server.tokens.acme.read)).items.find((v) => v.packages.includes('qs'));
    assert.ok(acmeOnly, 'acme has a qs vulnerability');
    await page.goto(`${server.base}/vulnerabilities/${acmeOnly.id}`);
    await page.getByText('None of the organisation').waitFor();
    await page.goto(`${server.base}/packages`);
    const names = await rows(page, 'packages');
    assert.ok(!names.some((r) => r.startsWith('express') || r.startsWith('qs')), 'no acme-only package');
    await page.goto(`${server.base}/base-images`);
    await page.getByText('No image of the organisation has a known base image yet').waitFor();
    await page.goto(`${server.base}/environments`);
    await page.getByText('No environments recorded yet').waitFor();
    await page.goto(`${server.base}/settings`);
    await page.getByText('No webhooks').waitFor();
    const body = await page.locator('body').innerText();
    assert.doesNotMatch(body, /acme\//);
  });

  test('the tracked screenshots change only when SCOUT_UPDATE_SCREENSHOTS=1 asks', () => {
    if (process.env.SCOUT_UPDATE_SCREENSHOTS === '1') assert.notDeepEqual(trackedBefore(), shotsAtStart);
    else assert.deepEqual(trackedBefore(), shotsAtStart);
  });

  test('no request left the server', () => {
    assert.deepEqual(browser.blocked, [], 'requests for other hosts were blocked');
    for (const u of browser.requests) assert.ok(u.startsWith(server.base + '/'), `request left the server: ${u}`);
    assert.deepEqual(browser.errors.filter((e) => !/401|404|403/.test(e)), []);
  });

  test('every API call the dashboard made is a route, method and query parameter of the OpenAPI document; list calls say how many they show', async () => {
    type Param = { name: string; in: string };
    type Operation = { operationId: string; parameters?: Param[] };
    const doc = (await (await fetch(`${server.base}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const templates = Object.keys(doc.paths).map((t) => ({ t, re: new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
    const used = new Set<string>();
    const apiCalls = browser.calls.filter((c) => c.split(' ')[1]!.startsWith(`${server.base}/v1/`));
    for (const call of apiCalls) {
      const [method, url] = call.split(' ') as [string, string];
      const u = new URL(url);
      // A literal path is its own route (/v1/images/seen is not /v1/images/{digest}).
      const route = templates.find(({ t }) => t === u.pathname) ?? templates.find(({ re }) => re.test(u.pathname));
      const op = route && doc.paths[route.t]![method.toLowerCase()];
      assert.ok(op, `${call} is not a documented route`);
      const documented = new Set((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
      for (const k of u.searchParams.keys()) assert.ok(documented.has(k), `${call}: query parameter ${k} is not documented for ${op.operationId}`);
      if (documented.has('limit')) assert.ok(u.searchParams.has('limit'), `${call}: a paged list asks for the page it shows`);
      used.add(op.operationId);
    }
    // Every page's data was asked for, so the check above covered the whole dashboard.
    for (const id of [
      'createSession', 'deleteSession', 'whoami', 'overview', 'listImages', 'getImage', 'imageLayers', 'imagePackages', 'imageFindings', 'imagePolicy', 'imageSecrets', 'compareImages',
      'recommendBaseImages', 'listVulnerabilities', 'vulnerabilityUsage', 'vulnerabilityAdvisory', 'explainMatch', 'vulnerabilityWorkloads', 'listPackageNames', 'packageUsage',
      'listBaseImages', 'listEnvironments', 'environmentWorkloads', 'listTokens', 'listWebhooks', 'webhookDeliveries', 'advisorySources',
    ]) assert.ok(used.has(id), `the dashboard never called ${id}`);
  });
});
