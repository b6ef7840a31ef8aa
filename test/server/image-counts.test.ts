/**
 * The open-finding counts stored on each image (migration 004), on both backends: the image
 * list sorts worst first by them and filters by them, a re-match keeps them equal to the
 * findings, and the migration fills them in for images stored before it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import type { ImageSummary, Page, SeverityCounts } from '../../src/store/platform-store.js';
import { openKysely } from '../../src/store/kysely/open.js';
import { migratePlatform } from '../../src/store/kysely/migrate.js';
import { PLATFORM_MIGRATIONS } from '../../src/store/migrations/platform/index.js';
import { BACKENDS, freshLocation } from '../helpers/platform-db.js';
import { testApi } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { testOsv } from '../helpers/osv-record.js';

const PKG = 'pkg:npm/scout-test-pkg@1.0.0';

/** A critical advisory for scout-test-pkg below `fixed`. */
const osv = (id: string, cve: string, fixed: string, extra: Record<string, unknown> = {}) => testOsv(id, cve, fixed, { database_specific: { severity: 'CRITICAL' }, ...extra });

const count = (c: Partial<SeverityCounts>): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0, ...c });

for (const backend of BACKENDS) {
  describe(`stored image counts on ${backend}`, () => {
    test('the image list sorts worst first by open findings and pages through ties; a re-match keeps the counts; the overview sums them per environment and lists the latest events', async (t) => {
      const api = await testApi(backend, t, { jobs: {} });
      const acme = api.platform.forOrg((await api.platform.orgByName('acme'))!);
      const put = (name: string, findings: [string, string, 'critical' | 'high' | 'medium' | 'low'][], purls: string[] = []) =>
        acme.putImage(uploadOf({ layers: [name], purls: [...purls, ...findings.map(([p]) => p)], findings, repository: `acme/${name}`, tags: ['1'] }));
      await put('two-high', [['pkg:npm/a@1.0.0', 'CVE-2024-0001', 'high'], ['pkg:npm/b@1.0.0', 'CVE-2024-0002', 'high']]);
      await put('one-critical', [['pkg:npm/c@1.0.0', 'CVE-2024-0003', 'critical']]);
      await put('one-critical-one-low', [['pkg:npm/c@1.0.0', 'CVE-2024-0003', 'critical'], ['pkg:npm/d@1.0.0', 'CVE-2024-0004', 'low']], [PKG]);
      await put('clean', [], [PKG]);
      const list = async (q: string) => (await api.call<Page<ImageSummary>>({ method: 'GET', url: `/v1/images${q}`, route: 'GET /v1/images', token: api.admin })).body;
      const names = (p: Page<ImageSummary>) => p.items.map((i) => i.repository);

      const worst = await list('?sort=vulnerabilities&order=desc');
      assert.deepEqual(names(worst), ['acme/one-critical-one-low', 'acme/one-critical', 'acme/two-high', 'acme/clean']);
      assert.deepEqual(worst.items[0]!.vulnerabilities, count({ critical: 1, low: 1 }));
      assert.deepEqual(names(await list('?sort=vulnerabilities&order=asc')), ['acme/clean', 'acme/two-high', 'acme/one-critical', 'acme/one-critical-one-low']);
      const paged: string[] = [];
      for (let cursor = '', i = 0; i < 6; i++) {
        const p = await list(`?sort=vulnerabilities&order=desc&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...names(p).map(String));
        if (!p.next) break;
        cursor = p.next;
      }
      assert.deepEqual(paged, names(worst), 'one image a page, in order, none twice');
      assert.deepEqual(names(await list('?severity=high&sort=name&order=asc')), ['acme/one-critical', 'acme/one-critical-one-low', 'acme/two-high']);
      assert.deepEqual(names(await list('?severity=none')), ['acme/clean']);

      // A critical advisory for scout-test-pkg 1.0.0: two images gain a finding, then lose it to a fix.
      await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: osv('SCOUT-COUNT-1', 'CVE-2099-0100', '1.5.0') });
      await api.jobs!.queue.idle(undefined, 30_000);
      const after = await list('?sort=vulnerabilities&order=desc');
      assert.equal(names(after)[0], 'acme/one-critical-one-low', 'two critical now');
      assert.equal(names(after)[3], 'acme/two-high', 'no critical');
      const byName = new Map(after.items.map((i) => [i.repository, i.vulnerabilities]));
      assert.deepEqual(byName.get('acme/one-critical-one-low'), count({ critical: 2, low: 1 }));
      assert.deepEqual(byName.get('acme/clean'), count({ critical: 1 }));
      assert.deepEqual(names(await list('?severity=none')), []);
      // Where they run: production runs two images (one of them in two workloads), staging one.
      const digestOf = new Map(after.items.map((i) => [i.repository, i.digest]));
      const workload = (name: string, repo: string) => ({ namespace: 'shop', name, type: 'Deployment', images: [{ ref: `${repo}:1`, digest: digestOf.get(repo) }] });
      await api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token: api.admin, payload: { environment: 'production', cluster: 'eu-1', workloads: [workload('a', 'acme/clean'), workload('b', 'acme/clean'), workload('c', 'acme/two-high')] } });
      await api.call({ method: 'POST', url: '/v1/integrations/runtime', route: 'POST /v1/integrations/runtime', token: api.admin, payload: { environment: 'staging', cluster: 'eu-2', workloads: [workload('d', 'acme/one-critical-one-low')] } });
      const o = await api.call<{ vulnerabilities: SeverityCounts; topImages: { repository: string; fixable: { critical: number } }[]; environments: { name: string; images: number; vulnerabilities: SeverityCounts }[]; events: { kind: string; image: { repository: string } }[] }>({ method: 'GET', url: '/v1/overview', route: 'GET /v1/overview', token: api.admin });
      assert.deepEqual(o.body.environments, [
        { name: 'production', images: 2, vulnerabilities: count({ critical: 1, high: 2 }) },
        { name: 'staging', images: 1, vulnerabilities: count({ critical: 2, low: 1 }) },
      ]);
      assert.deepEqual(o.body.events.map((e) => [e.kind, e.image.repository]).sort(), [['vulnerability.new', 'acme/clean'], ['vulnerability.new', 'acme/one-critical-one-low']]);
      assert.deepEqual(o.body.vulnerabilities, count({ critical: 4, high: 2, low: 1 }));
      assert.deepEqual(o.body.topImages.map((i) => [i.repository, i.fixable.critical]).sort(), [['acme/clean', 1], ['acme/one-critical-one-low', 1]], 'only the advisory gives a fix version');

      await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: osv('SCOUT-COUNT-1', 'CVE-2099-0100', '1.0.0') });
      await api.jobs!.queue.idle(undefined, 30_000);
      const fixed = new Map((await list('')).items.map((i) => [i.repository, i.vulnerabilities]));
      assert.deepEqual(fixed.get('acme/one-critical-one-low'), count({ critical: 1, low: 1 }));
      assert.deepEqual(fixed.get('acme/clean'), count({}));
      assert.deepEqual(names(await list('?severity=none')), ['acme/clean']);
      const o2 = await api.call<{ environments: { name: string; vulnerabilities: SeverityCounts }[]; events: { kind: string; image: { repository: string } }[] }>({ method: 'GET', url: '/v1/overview', route: 'GET /v1/overview', token: api.admin });
      assert.deepEqual(o2.body.environments.map((e) => [e.name, e.vulnerabilities.critical]), [['production', 0], ['staging', 1]]);
      // The overview lists the latest five, newest first: the fix moved both images' policy
      // results (a fixable critical is gone), so the re-match's policy.changed events come last.
      assert.deepEqual(o2.body.events.map((e) => e.kind), ['policy.changed', 'policy.changed', 'vulnerability.fixed', 'vulnerability.fixed', 'vulnerability.new'], 'newest first');
      assert.deepEqual(o2.body.events.slice(0, 2).map((e) => e.image.repository).sort(), ['acme/clean', 'acme/one-critical-one-low']);
      const other = await api.call<{ environments: unknown[]; events: unknown[] }>({ method: 'GET', url: '/v1/overview', route: 'GET /v1/overview', token: await api.tokenFor('globex', 'read') });
      assert.deepEqual([other.body.environments, other.body.events], [[], []], "another organisation sees none of it");
    });

    test('a re-match moves the counts by what it opened, changed and closed: equal to a recount after each change', async (t) => {
      const api = await testApi(backend, t, { jobs: {} });
      const acme = api.platform.forOrg((await api.platform.orgByName('acme'))!);
      await acme.putImage(uploadOf({ layers: ['a'], purls: [PKG, 'pkg:npm/a@1.0.0'], findings: [['pkg:npm/a@1.0.0', 'CVE-2024-0001', 'critical']], repository: 'acme/a', tags: ['1'] }));
      await acme.putImage(uploadOf({ layers: ['b'], purls: [PKG], findings: [], repository: 'acme/b', tags: ['1'] }));
      await acme.putImage(uploadOf({ layers: ['c'], purls: ['pkg:npm/c@1.0.0'], findings: [['pkg:npm/c@1.0.0', 'CVE-2024-0003', 'low']], repository: 'acme/c', tags: ['1'] }));
      const columns = ['open_critical', 'open_high', 'open_medium', 'open_low', 'open_negligible', 'open_unknown', 'fixable_critical', 'fixable_high'] as const;
      const stored = async () => {
        const rows = await api.platform.db.selectFrom('images as i').innerJoin('repositories as r', 'r.id', 'i.repository_id').select(['r.name', ...columns.map((c) => `i.${c}` as const)]).orderBy('r.name').execute();
        return rows.map((r) => [r.name, ...columns.map((c) => Number(r[c]))]);
      };
      // What the findings say, counted from scratch.
      const recount = async () => {
        const open = await api.platform.db.selectFrom('findings').select(['image_id', 'severity', 'fixed_version']).where('fixed_at', 'is', null).where('withdrawn_at', 'is', null).execute();
        const rows = await api.platform.db.selectFrom('images as i').innerJoin('repositories as r', 'r.id', 'i.repository_id').select(['i.id', 'r.name']).orderBy('r.name').execute();
        return rows.map((r) => {
          const mine = open.filter((f) => f.image_id === r.id);
          const n = (sev: string, fixable = false) => mine.filter((f) => f.severity === sev && (!fixable || f.fixed_version !== null)).length;
          return [r.name, n('critical'), n('high'), n('medium'), n('low'), n('negligible'), mine.filter((f) => !['critical', 'high', 'medium', 'low', 'negligible'].includes(f.severity)).length, n('critical', true), n('high', true)];
        });
      };
      const post = async (payload: object) => {
        await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload });
        await api.jobs!.queue.idle(undefined, 30_000);
        const now = await stored();
        assert.deepEqual(now, await recount(), 'the stored counts are the findings\' counts');
        return now;
      };
      const noFix = { affected: [{ package: { ecosystem: 'npm', name: 'scout-test-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }] };
      //                                 critical high medium low negligible unknown fixable critical, high
      assert.deepEqual(await post(osv('SCOUT-MOVE-1', 'CVE-2099-0200', '1.5.0')), [
        ['acme/a', 2, 0, 0, 0, 0, 0, 1, 0],
        ['acme/b', 1, 0, 0, 0, 0, 0, 1, 0],
        ['acme/c', 0, 0, 0, 1, 0, 0, 0, 0],
      ]);
      // The record now says high, with no fix: the kept findings move from critical-fixable to high.
      assert.deepEqual(await post(testOsv('SCOUT-MOVE-1', 'CVE-2099-0200', '1.5.0', { database_specific: { severity: 'HIGH' }, ...noFix })), [
        ['acme/a', 1, 1, 0, 0, 0, 0, 0, 0],
        ['acme/b', 0, 1, 0, 0, 0, 0, 0, 0],
        ['acme/c', 0, 0, 0, 1, 0, 0, 0, 0],
      ]);
      // Fixed before 1.0.0: closed. Then affected again (reopened), then withdrawn (closed).
      assert.deepEqual((await post(osv('SCOUT-MOVE-1', 'CVE-2099-0200', '1.0.0'))).slice(0, 2), [
        ['acme/a', 1, 0, 0, 0, 0, 0, 0, 0],
        ['acme/b', 0, 0, 0, 0, 0, 0, 0, 0],
      ]);
      assert.deepEqual((await post(osv('SCOUT-MOVE-1', 'CVE-2099-0200', '1.5.0'))).slice(0, 2), [
        ['acme/a', 2, 0, 0, 0, 0, 0, 1, 0],
        ['acme/b', 1, 0, 0, 0, 0, 0, 1, 0],
      ]);
      assert.deepEqual((await post(osv('SCOUT-MOVE-1', 'CVE-2099-0200', '1.5.0', { withdrawn: new Date().toISOString() }))).slice(0, 2), [
        ['acme/a', 1, 0, 0, 0, 0, 0, 0, 0],
        ['acme/b', 0, 0, 0, 0, 0, 0, 0, 0],
      ]);
    });

    test('migration 4 counts the findings of images stored before it', async (t) => {
      const location = await freshLocation(backend, t);
      const { db, dialect } = await openKysely(location);
      t.after(() => db.destroy());
      const before = PLATFORM_MIGRATIONS.filter((m) => m.version < 4);
      await migratePlatform(db, dialect, 'test', before);
      const at = '2026-01-01T00:00:00Z';
      await sql`INSERT INTO orgs (id, name, catalog, created_at) VALUES ('o1', 'acme', 0, ${at})`.execute(db);
      for (const id of ['i1', 'i2']) {
        await sql`INSERT INTO images (id, org_id, digest, config_digest, pushed_at, last_seen_at, os, architecture, size_compressed, layer_count, package_count, top_chain_id, metadata)
          VALUES (${id}, 'o1', ${`sha256:${id}`}, 'c', ${at}, ${at}, 'linux', 'amd64', 1, 0, 0, ${`top-${id}`}, '{}')`.execute(db);
      }
      const finding = (image: string, vuln: string, severity: string, fixedVersion: string | null, fixedAt: string | null) =>
        sql`INSERT INTO findings (image_id, purl, vulnerability_id, org_id, severity, status, fixed_version, kev, first_seen_at, last_seen_at, fixed_at, detail)
          VALUES (${image}, 'pkg:npm/x@1', ${vuln}, 'o1', ${severity}, 'fixed', ${fixedVersion}, 0, ${at}, ${at}, ${fixedAt}, '{}')`.execute(db);
      await finding('i1', 'CVE-1', 'critical', '2', null);
      await finding('i1', 'CVE-2', 'critical', null, null);
      await finding('i1', 'CVE-3', 'high', '2', null);
      await finding('i1', 'CVE-4', 'medium', null, at);
      await finding('i1', 'CVE-5', 'whatever', null, null);
      await finding('i2', 'CVE-6', 'low', null, null);
      await migratePlatform(db, dialect, 'test');
      const rows = await sql<Record<string, unknown>>`SELECT id, open_critical, open_high, open_medium, open_low, open_negligible, open_unknown, fixable_critical, fixable_high FROM images ORDER BY id`.execute(db);
      assert.deepEqual(
        rows.rows.map((r) => Object.values(r).map((v) => (typeof v === 'string' ? v : Number(v)))),
        [
          ['i1', 2, 1, 0, 0, 0, 1, 1, 1],
          ['i2', 0, 0, 0, 1, 0, 0, 0, 0],
        ],
      );
    });
  });
}
