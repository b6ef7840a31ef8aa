/**
 * The /v1 routes the dashboard adds, on both backends: sessions, image list filters, sorting and
 * paging, the organisation-wide views, and that none of them shows another organisation's data.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImageSummary, Page } from '../../src/store/platform-store.js';
import { Sessions } from '../../src/server/session.js';
import { BACKENDS, type Backend } from '../helpers/platform-db.js';
import { testApi, type TestApi } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';

const LODASH = 'pkg:npm/lodash@4.17.15';
const QS = 'pkg:npm/qs@6.7.0';
const LIBC = 'pkg:deb/debian/libc6@2.36-9?distro=debian-12';

/** acme: a base, two images on it (one with a critical), and an image of its own; globex: one image. */
async function seeded(backend: Backend, t: { after: (fn: () => Promise<void> | void) => void }): Promise<TestApi & { globex: string; read: string }> {
  const api = await testApi(backend, t);
  const acme = api.platform.forOrg((await api.platform.orgByName('acme'))!);
  await acme.putImage(uploadOf({ layers: ['os'], purls: [LIBC], findings: [[LIBC, 'CVE-2024-0001', 'medium']], repository: 'acme/base', tags: ['1'] }), new Date('2026-01-01T00:00:00Z'));
  await acme.putImage(uploadOf({ layers: ['os', 'app1'], purls: [LIBC, LODASH], findings: [[LIBC, 'CVE-2024-0001', 'medium'], [LODASH, 'CVE-2021-23337', 'critical']], repository: 'acme/web', tags: ['1.0'] }), new Date('2026-01-02T00:00:00Z'));
  await acme.putImage(uploadOf({ layers: ['os', 'app2'], purls: [LIBC, QS], findings: [[LIBC, 'CVE-2024-0001', 'medium']], repository: 'acme/web', tags: ['1.1'] }), new Date('2026-01-03T00:00:00Z'));
  await acme.putImage(uploadOf({ layers: ['alpine'], purls: [QS], repository: 'acme/tools', tags: ['latest'] }), new Date('2026-01-04T00:00:00Z'));
  const globexToken = await api.tokenFor('globex', 'write');
  const globex = api.platform.forOrg((await api.platform.orgByName('globex'))!);
  await globex.putImage(uploadOf({ layers: ['os', 'secret'], purls: [LIBC, 'pkg:npm/secret-thing@1.0.0'], findings: [[LIBC, 'CVE-2024-0001', 'medium'], ['pkg:npm/secret-thing@1.0.0', 'CVE-2099-0001', 'critical']], repository: 'globex/secret', tags: ['1'] }));
  return { ...api, globex: globexToken, read: await api.tokenFor('acme', 'read') };
}

const names = (p: Page<ImageSummary>) => p.items.map((i) => `${i.repository}:${i.tags[0]}`);

for (const backend of BACKENDS) {
  describe(`dashboard API on ${backend}`, () => {
    test('sessions: a token becomes a signed HttpOnly cookie that stands for it until revoked or signed out', async (t) => {
      const api = await seeded(backend, t);
      const bad = await api.call({ method: 'POST', url: '/v1/session', route: 'POST /v1/session', payload: { token: 'scout_nope' } });
      assert.equal(bad.status, 401);
      const r = await api.call<{ org: { name: string }; token: { id: string; scope: string } }>({ method: 'POST', url: '/v1/session', route: 'POST /v1/session', payload: { token: api.read } });
      assert.equal(r.status, 200);
      assert.equal(r.body.org.name, 'acme');
      assert.equal(r.body.token.scope, 'read');
      const setCookie = String(r.headers['set-cookie']);
      assert.match(setCookie, /^scout_session=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/);
      assert.ok(!setCookie.includes(api.read), 'the cookie does not carry the token');
      const cookie = setCookie.split(';')[0]!;
      const me = await api.app.inject({ url: '/v1/whoami', headers: { cookie } });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().org.name, 'acme');
      assert.equal((await api.app.inject({ url: '/v1/images', headers: { cookie } })).json().items.length, 4);
      // A read session cannot write, as the token cannot.
      assert.equal((await api.app.inject({ method: 'PATCH', url: '/v1/org', headers: { cookie }, payload: { retentionDays: 1 } })).statusCode, 403);
      const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      assert.equal((await api.app.inject({ url: '/v1/whoami', headers: { cookie: tampered } })).statusCode, 401);
      const out = await api.app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie } });
      assert.equal(out.statusCode, 204);
      assert.match(String(out.headers['set-cookie']), /^scout_session=; .*Max-Age=0/);
      assert.equal((await api.call({ method: 'DELETE', url: `/v1/tokens/${r.body.token.id}`, route: 'DELETE /v1/tokens/:id', token: api.admin })).status, 204);
      assert.equal((await api.app.inject({ url: '/v1/whoami', headers: { cookie } })).statusCode, 401, 'revoking the token ends its sessions');
    });

    test('images: text and severity filters, sorting, keyset paging with a total, base image per row', async (t) => {
      const api = await seeded(backend, t);
      const list = async (q: string) => (await api.call<Page<ImageSummary>>({ method: 'GET', url: `/v1/images${q}`, route: 'GET /v1/images', token: api.read })).body;
      const all = await list('');
      assert.deepEqual(names(all), ['acme/tools:latest', 'acme/web:1.1', 'acme/web:1.0', 'acme/base:1']);
      assert.equal(all.total, 4);
      assert.equal(all.items.find((i) => i.tags[0] === '1.0')!.baseImage?.repository, 'acme/base');
      assert.equal(all.items.find((i) => i.repository === 'acme/base')!.baseImage, undefined);
      assert.deepEqual(names(await list('?q=WEB')), ['acme/web:1.1', 'acme/web:1.0']);
      assert.deepEqual(names(await list('?q=1.1')), ['acme/web:1.1'], 'tags are searched');
      assert.deepEqual(names(await list('?q=Web:1.0')), ['acme/web:1.0'], 'a reference repository:tag is searched');
      assert.deepEqual(names(await list('?q=base:1.1')), [], 'the tag belongs to the repository it follows');
      assert.deepEqual(names(await list('?q=%25')), [], 'LIKE wildcards are taken literally');
      assert.deepEqual(names(await list('?severity=critical')), ['acme/web:1.0']);
      assert.deepEqual(names(await list('?severity=none')), ['acme/tools:latest']);
      assert.deepEqual(names(await list('?sort=name&order=asc')).slice(0, 1), ['acme/base:1']);
      const seen: string[] = [];
      let cursor = '';
      for (let i = 0; i < 5; i++) {
        const p = await list(`?sort=name&order=asc&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(p.total, 4);
        seen.push(...names(p));
        if (!p.next) break;
        cursor = p.next;
      }
      assert.deepEqual(seen, names(await list('?sort=name&order=asc')), 'pages in order, none twice');
      const bySize = await list('?sort=size&order=desc&limit=2');
      assert.ok(bySize.next);
      assert.equal((await list(`?sort=size&order=desc&limit=2&cursor=${bySize.next}`)).items.length, 2);
      assert.equal((await api.call({ method: 'GET', url: `/v1/images?sort=name&cursor=${bySize.next}`, route: 'GET /v1/images', token: api.read })).status, 400, 'a cursor of another sort is refused');
      const digest = all.items.find((i) => i.tags[0] === '1.0')!.digest;
      const pk = await api.call<Page<{ purl: string }>>({ method: 'GET', url: `/v1/images/${digest}/packages?q=LODASH`, route: 'GET /v1/images/:digest/packages', token: api.read });
      assert.deepEqual(pk.body.items.map((p) => p.purl), [LODASH]);
    });

    test('overview, vulnerabilities, package names and base images count this organisation only', async (t) => {
      const api = await seeded(backend, t);
      const o = await api.call<{ images: number; repositories: number; vulnerabilities: Record<string, number>; trend: { date: string; counts: Record<string, number> }[]; topImages: { repository: string; fixable: { critical: number } }[] }>({ method: 'GET', url: '/v1/overview', route: 'GET /v1/overview', token: api.read });
      assert.equal(o.body.images, 4);
      assert.equal(o.body.repositories, 3);
      assert.equal(o.body.vulnerabilities.medium, 3);
      assert.equal(o.body.vulnerabilities.critical, 1);
      assert.equal(o.body.trend.at(-1)!.counts.medium, 3);
      assert.ok(o.body.trend.length >= 2);
      assert.deepEqual(o.body.topImages, [], 'the findings here have no fix version');

      const v = await api.call<Page<{ id: string; severity: string; images: number; packages: string[] }> & { total: number }>({ method: 'GET', url: '/v1/vulnerabilities', route: 'GET /v1/vulnerabilities', token: api.read });
      assert.deepEqual(v.body.items.map((x) => [x.id, x.severity, x.images]), [['CVE-2021-23337', 'critical', 1], ['CVE-2024-0001', 'medium', 3]]);
      assert.equal(v.body.total, 2);
      const byAlias = await api.call<Page<{ id: string }>>({ method: 'GET', url: '/v1/vulnerabilities?q=ghsa', route: 'GET /v1/vulnerabilities', token: api.read });
      assert.ok(byAlias.body.items.length > 0, 'aliases are searched');
      const pn = await api.call<Page<{ name: string; images: number; versions: string[] }>>({ method: 'GET', url: '/v1/package-names', route: 'GET /v1/package-names', token: api.read });
      assert.deepEqual(pn.body.items.map((p) => [p.name, p.images]), [['libc6', 3], ['lodash', 1], ['qs', 2]]);
      const bi = await api.call<Page<{ repository: string; images: number; children: { tags: string[] }[] }>>({ method: 'GET', url: '/v1/base-images', route: 'GET /v1/base-images', token: api.read });
      assert.deepEqual(bi.body.items.map((b) => [b.repository, b.images]), [['acme/base', 2]]);

      // globex shares the os layer but sees only its own image and its own findings.
      const go = await api.call<{ images: number; vulnerabilities: Record<string, number> }>({ method: 'GET', url: '/v1/overview', route: 'GET /v1/overview', token: api.globex });
      assert.equal(go.body.images, 1);
      assert.equal(go.body.vulnerabilities.medium, 1);
      const gv = await api.call<Page<{ id: string; images: number }>>({ method: 'GET', url: '/v1/vulnerabilities', route: 'GET /v1/vulnerabilities', token: api.globex });
      assert.deepEqual(gv.body.items.map((x) => [x.id, x.images]), [['CVE-2099-0001', 1], ['CVE-2024-0001', 1]]);
      const gp = await api.call<Page<{ name: string }>>({ method: 'GET', url: '/v1/package-names', route: 'GET /v1/package-names', token: api.globex });
      assert.deepEqual(gp.body.items.map((p) => p.name), ['libc6', 'secret-thing']);
      const gb = await api.call<Page<unknown>>({ method: 'GET', url: '/v1/base-images', route: 'GET /v1/base-images', token: api.globex });
      assert.deepEqual(gb.body.items, [], "acme's base image is not globex's to see");
      const acmeDigest = (await api.call<Page<ImageSummary>>({ method: 'GET', url: '/v1/images?q=web', route: 'GET /v1/images', token: api.read })).body.items[0]!.digest;
      const ex = await api.call({ method: 'GET', url: `/v1/vulnerabilities/CVE-2024-0001/explain?digest=${acmeDigest}&purl=${encodeURIComponent(LIBC)}`, route: 'GET /v1/vulnerabilities/:id/explain', token: api.globex });
      assert.equal(ex.status, 404);
    });

    test('vulnerabilities: each row counts the environments and the workloads running an affected image now, of this organisation only', async (t) => {
      const api = await seeded(backend, t);
      const images = (await api.call<Page<ImageSummary>>({ method: 'GET', url: '/v1/images', route: 'GET /v1/images', token: api.read })).body.items;
      const digest = (ref: string) => images.find((i) => `${i.repository}:${i.tags[0]}` === ref)!.digest;
      const post = async (token: string, environment: string, workloads: [string, string, string[]][]) => {
        const r = await api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token, payload: { environment, cluster: 'eu-1', workloads: workloads.map(([namespace, name, imgs]) => ({ namespace, name, type: 'Deployment', images: imgs.map((d) => ({ ref: 'some/ref:1', digest: d })) })) } });
        assert.equal(r.status, 200);
      };
      // production: web runs acme/web:1.0, api runs both web images (one workload); staging: web:1.1.
      await post(api.admin, 'production', [['shop', 'web', [digest('acme/web:1.0')]], ['shop', 'api', [digest('acme/web:1.0'), digest('acme/web:1.1')]]]);
      await post(api.admin, 'staging', [['shop', 'web', [digest('acme/web:1.1')]]]);
      // globex runs its own image, and acme's web:1.0 by digest, which is no image of globex.
      const globexDigest = (await api.call<Page<ImageSummary>>({ method: 'GET', url: '/v1/images', route: 'GET /v1/images', token: api.globex })).body.items[0]!.digest;
      await post(api.globex, 'gx-prod', [['gx', 'secret', [globexDigest]], ['gx', 'borrowed', [digest('acme/web:1.0')]]]);
      type Row = { id: string; images: number; environments: number; workloads: number };
      const list = async (token: string, q = '') => (await api.call<Page<Row>>({ method: 'GET', url: `/v1/vulnerabilities${q}`, route: 'GET /v1/vulnerabilities', token })).body.items.map((v) => [v.id, v.images, v.environments, v.workloads]);
      assert.deepEqual(await list(api.read), [['CVE-2021-23337', 1, 1, 2], ['CVE-2024-0001', 3, 2, 3]]);
      // The counts follow the findings the filter keeps: lodash's, in acme/web:1.0 only.
      assert.deepEqual(await list(api.read, '?q=lodash'), [['CVE-2021-23337', 1, 1, 2]]);
      assert.deepEqual(await list(api.globex), [['CVE-2099-0001', 1, 1, 1], ['CVE-2024-0001', 1, 1, 1]]);
      // A workload gone from the next inventory no longer counts.
      await post(api.admin, 'staging', []);
      assert.deepEqual(await list(api.read), [['CVE-2021-23337', 1, 1, 2], ['CVE-2024-0001', 3, 1, 2]]);
    });

    test('advisory view and sources come from the server\'s advisory database', async (t) => {
      const api = await seeded(backend, t);
      const a = await api.call<{ records: { id: string; affected: { name: string; ranges: string[] }[] }[]; aliases: string[] }>({ method: 'GET', url: '/v1/vulnerabilities/CVE-2021-23337/advisory', route: 'GET /v1/vulnerabilities/:id/advisory', token: api.read });
      assert.ok(a.body.aliases.includes('GHSA-35jh-r3h4-6jhm'));
      const lodash = a.body.records.flatMap((r) => r.affected).find((x) => x.name === 'lodash');
      assert.deepEqual(lodash?.ranges, ['introduced 0, fixed 4.17.21']);
      const s = await api.call<{ items: { name: string; records: number; stale: boolean }[] }>({ method: 'GET', url: '/v1/advisory-sources', route: 'GET /v1/advisory-sources', token: api.read });
      assert.deepEqual(s.body.items.map((x) => [x.name, x.records, x.stale]).sort(), [['cisa-kev', 1404, false], ['osv-debian-selected', 21, false], ['osv-ghsa-npm-demo', 28, false], ['osv-pypa-demo', 27, false]]);
    });
  });
}

test('a session cookie expires, and one signed with another key is refused', () => {
  const s = new Sessions('key-one', 60);
  const { cookie } = s.issue('tok_1', false, 1_000_000);
  const header = cookie.split(';')[0]!;
  assert.equal(s.tokenIdOf(header, 1_000_000 + 59_000), 'tok_1');
  assert.equal(s.tokenIdOf(header, 1_000_000 + 61_000), undefined);
  assert.equal(new Sessions('key-two', 60).tokenIdOf(header, 1_000_000), undefined);
  assert.equal(s.tokenIdOf(`other=1; ${header}; x=y`, 1_000_000), 'tok_1');
  assert.equal(s.tokenIdOf('scout_session=tok_1.99999999999.short', 0), undefined);
  assert.match(s.issue('tok_1', true).cookie, /; Secure$/);
});
