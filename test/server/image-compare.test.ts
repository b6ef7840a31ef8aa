/**
 * GET /v1/images/{digest}/compare on both backends: two stored images of the organisation
 * compared as stored (packages added, removed and changed, open findings added and removed,
 * the base image change), equal to what `scout compare --server` computes from the per-image
 * routes, across the store's 500-row pages; another organisation's digest is a 404 either way.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareImages, storedSide, type Comparison } from '../../src/platform/compare.js';
import type { ImageDetail, Page, StoredFinding, StoredPackage } from '../../src/store/platform-store.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testApi, type TestApi } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';

const LIBC = 'pkg:deb/debian/libc6@2.36-9?distro=debian-12';
const LODASH_OLD = 'pkg:npm/lodash@4.17.15';
const LODASH_NEW = 'pkg:npm/lodash@4.17.21';
const QS = 'pkg:npm/qs@6.7.0';
const EXPRESS = 'pkg:npm/express@4.18.0';
const ROUTE = 'GET /v1/images/:digest/compare';

async function seeded(backend: (typeof BACKENDS)[number], t: { after: (fn: () => Promise<void> | void) => void }) {
  const api = await testApi(backend, t);
  const acme = api.platform.forOrg((await api.platform.orgByName('acme'))!);
  const put = async (spec: Parameters<typeof uploadOf>[0]) => (await acme.putImage(uploadOf(spec))).image.digest;
  const base1 = await put({ layers: ['os-1'], purls: [LIBC], repository: 'acme/base', tags: ['1'] });
  const base2 = await put({ layers: ['os-2'], purls: [LIBC], repository: 'acme/base', tags: ['2'] });
  await put({ layers: ['alpine'], repository: 'acme/alpine', tags: ['3'] });
  const web1 = await put({
    layers: ['os-1', 'app-1'],
    purls: [LIBC, LODASH_OLD, QS],
    findings: [[LIBC, 'CVE-2024-0001', 'medium'], [LODASH_OLD, 'CVE-2021-23337', 'high'], [QS, 'CVE-2022-24999', 'high']],
    repository: 'acme/web',
    tags: ['1.0'],
  });
  const web2 = await put({
    layers: ['os-2', 'app-2'],
    purls: [LIBC, LODASH_NEW, EXPRESS],
    findings: [[LIBC, 'CVE-2024-0001', 'medium'], [EXPRESS, 'CVE-2024-29041', 'critical']],
    repository: 'acme/web',
    tags: ['2.0'],
  });
  const onAlpine = await put({ layers: ['alpine', 'app-2'], purls: [LIBC, LODASH_NEW, EXPRESS], repository: 'acme/web-alpine' });
  const globexToken = await api.tokenFor('globex', 'read');
  const globex = api.platform.forOrg((await api.platform.orgByName('globex'))!);
  const secret = (await globex.putImage(uploadOf({ layers: ['os-1', 'secret'], purls: [LIBC, 'pkg:npm/secret-thing@1.0.0'], repository: 'globex/secret', tags: ['1'] }))).image.digest;
  return { api, read: await api.tokenFor('acme', 'read'), globexToken, digests: { base1, base2, web1, web2, onAlpine, secret } };
}

const compare = (api: TestApi, token: string, digest: string, to: string) => api.call<Comparison>({ method: 'GET', url: `/v1/images/${digest}/compare?to=${encodeURIComponent(to)}`, route: ROUTE, token });

/** What `scout compare --server` computes: each image read whole through the per-image routes, compared here. */
async function throughImageRoutes(api: TestApi, token: string, digest: string, reference: string) {
  const all = async <T>(path: string, route: string) => {
    const out: T[] = [];
    let cursor = '';
    do {
      const r = await api.call<Page<T>>({ method: 'GET', url: `${path}?limit=500${cursor ? `&cursor=${cursor}` : ''}`, route, token });
      out.push(...r.body.items);
      cursor = r.body.next ?? '';
    } while (cursor);
    return out;
  };
  const detail = (await api.call<ImageDetail>({ method: 'GET', url: `/v1/images/${digest}`, route: 'GET /v1/images/:digest', token })).body;
  const packages = await all<StoredPackage>(`/v1/images/${digest}/packages`, 'GET /v1/images/:digest/packages');
  const findings = await all<StoredFinding>(`/v1/images/${digest}/findings`, 'GET /v1/images/:digest/findings');
  return storedSide(reference, { detail, packages, findings });
}

for (const backend of BACKENDS) {
  describe(`image comparison on ${backend}`, () => {
    test('packages added, removed and upgraded, findings added and removed, the base image updated', async (t) => {
      const { api, read, digests } = await seeded(backend, t);
      const r = await compare(api, read, digests.web2, digests.web1);
      assert.equal(r.status, 200);
      const c = r.body;
      assert.equal(c.schema, 'iechor-scout/compare@1');
      assert.deepEqual([c.image.reference, c.image.digest, c.to.reference, c.to.digest], ['acme/web:2.0', digests.web2, 'acme/web:1.0', digests.web1]);
      assert.deepEqual(c.packages.added.map((p) => p.purl), [EXPRESS]);
      assert.deepEqual(c.packages.removed.map((p) => p.purl), [QS]);
      assert.deepEqual(c.packages.changed.map((p) => [p.key, p.from, p.to, p.direction]), [['pkg:npm/lodash', '4.17.15', '4.17.21', 'upgraded']]);
      assert.equal(c.packages.unchanged, 1, 'libc6');
      assert.deepEqual(c.findings.added.map((f) => [f.id, f.package.name, f.severity]), [['CVE-2024-29041', 'express', 'critical']]);
      assert.deepEqual(c.findings.removed.map((f) => [f.id, f.package.name]), [['CVE-2021-23337', 'lodash'], ['CVE-2022-24999', 'qs']]);
      assert.equal(c.findings.unchanged, 1, 'CVE-2024-0001 in libc6');
      assert.deepEqual([c.image.vulnerabilities.critical, c.image.vulnerabilities.high, c.to.vulnerabilities.high], [1, 0, 2]);
      assert.equal(c.baseImage?.change, 'updated');
      assert.deepEqual([c.baseImage.image?.digest, c.baseImage.image?.tags, c.baseImage.to?.digest, c.baseImage.to?.tags], [digests.base2, ['2'], digests.base1, ['1']]);
      assert.deepEqual(c, compareImages(await throughImageRoutes(api, read, digests.web2, 'acme/web:2.0'), await throughImageRoutes(api, read, digests.web1, 'acme/web:1.0')), 'the same document as scout compare --server');

      // The other way round, everything swaps.
      const back = (await compare(api, read, digests.web1, digests.web2)).body;
      assert.deepEqual(back.packages.added.map((p) => p.purl), [QS]);
      assert.deepEqual(back.packages.changed.map((p) => p.direction), ['downgraded']);
      assert.deepEqual(back.findings.added.map((f) => f.id), ['CVE-2021-23337', 'CVE-2022-24999']);
      // Another repository's base is a replacement; without a stored base, none on one side.
      const alpine = (await compare(api, read, digests.onAlpine, digests.web2)).body;
      assert.equal(alpine.baseImage?.change, 'replaced');
      assert.equal(alpine.image.reference, `acme/web-alpine@${digests.onAlpine}`, 'an image without tags is named by digest');
      assert.equal((await compare(api, read, digests.base1, digests.web1)).body.baseImage?.change, 'removed');
      const same = (await compare(api, read, digests.web1, digests.web1)).body;
      assert.deepEqual([same.packages.added, same.packages.removed, same.packages.changed, same.findings.added, same.findings.removed, same.baseImage?.change], [[], [], [], [], [], 'unchanged']);
    });

    test('images of hundreds of packages are read whole, past the store\'s 500-row pages', async (t) => {
      const { api, read } = await seeded(backend, t);
      const acme = api.platform.forOrg((await api.platform.orgByName('acme'))!);
      const many = (v: string) => Array.from({ length: 700 }, (_, i) => `pkg:npm/p${String(i).padStart(3, '0')}@1.0.${i === 650 ? v : '0'}`);
      const a = (await acme.putImage(uploadOf({ layers: ['big-a'], purls: many('1'), findings: [[`pkg:npm/p650@1.0.1`, 'CVE-2099-0650', 'low']], repository: 'acme/big', tags: ['a'] }))).image.digest;
      const b = (await acme.putImage(uploadOf({ layers: ['big-b'], purls: many('0'), repository: 'acme/big', tags: ['b'] }))).image.digest;
      const c = (await compare(api, read, a, b)).body;
      assert.deepEqual(c.packages.changed.map((p) => [p.name, p.from, p.to]), [['p650', '1.0.0', '1.0.1']]);
      assert.equal(c.packages.unchanged, 699);
      assert.deepEqual([c.image.packages, c.to.packages], [700, 700]);
      assert.deepEqual(c.findings.added.map((f) => f.id), ['CVE-2099-0650']);
      assert.deepEqual(c, compareImages(await throughImageRoutes(api, read, a, 'acme/big:a'), await throughImageRoutes(api, read, b, 'acme/big:b')));
    });

    test("another organisation's image is not found, on either side; a malformed or missing `to` is refused", async (t) => {
      const { api, read, globexToken, digests } = await seeded(backend, t);
      const mine = await compare(api, read, digests.web1, digests.secret);
      assert.equal(mine.status, 404);
      assert.deepEqual(mine.body, { code: 'not-found', message: `no image ${digests.secret}` } as unknown);
      assert.equal((await compare(api, read, digests.secret, digests.web1)).status, 404);
      assert.equal((await compare(api, globexToken, digests.secret, digests.web1)).status, 404, 'globex cannot compare with an acme image');
      assert.equal((await compare(api, globexToken, digests.web1, digests.secret)).status, 404);
      assert.equal((await compare(api, read, digests.web1, `sha256:${'0'.repeat(64)}`)).status, 404);
      assert.equal((await compare(api, read, digests.web1, 'acme/web:1.1')).status, 400);
      assert.equal((await api.call({ method: 'GET', url: `/v1/images/${digests.web1}/compare`, route: ROUTE, token: read })).status, 400);
      assert.equal((await api.call({ method: 'GET', url: `/v1/images/${digests.web1}/compare?to=${digests.web2}`, route: ROUTE })).status, 401);
    });
  });
}
