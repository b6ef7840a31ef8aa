import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chainIds } from '../../../src/image/chain-id.js';
import { PLATFORM_MIGRATIONS } from '../../../src/store/migrations/platform/index.js';
import { settlePackageIndex } from '../../../src/store/kysely/package-index.js';
import { BACKENDS, freshPlatformStore } from '../../helpers/platform-db.js';
import { layerDiffIds, uploadOf } from '../../helpers/platform-upload.js';

for (const backend of BACKENDS) {
  describe(`platform store on ${backend}`, () => {
    test('migrates to the latest version and records it', async (t) => {
      const store = await freshPlatformStore(backend, t);
      assert.equal(store.schemaVersion, Math.max(...PLATFORM_MIGRATIONS.map((m) => m.version)));
      const rows = await store.db.selectFrom('platform_migrations').selectAll().orderBy('version').execute();
      assert.deepEqual(rows.slice(0, 4).map((r) => [r.version, r.name]), [[1, 'orgs-tokens'], [2, 'images'], [3, 'continuous'], [4, 'image-counts']]);
      assert.deepEqual(rows.map((r) => [r.version, r.name]), PLATFORM_MIGRATIONS.map((m) => [m.version, m.name]), 'every migration, in order');
    });

    test('tableCounts counts every table the migrations create (the delete and local-analysis tests compare it whole)', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const { sql } = await import('kysely');
      const listed = backend === 'sqlite'
        ? sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
        : sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`;
      const tables = (await listed.execute(store.db)).rows.map((r) => r.name).sort();
      assert.deepEqual(Object.keys(await store.tableCounts()).sort(), tables.filter((n) => n !== 'platform_migrations'));
    });

    test('tokens: stored as a hash, authenticate, revoke', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const org = await store.ensureOrg('acme');
      assert.deepEqual(await store.ensureOrg('acme'), org, 'ensureOrg returns the existing org');
      const { token, info } = await store.forOrg(org).createToken('ci', 'write');
      assert.match(token, /^scout_[A-Za-z0-9_-]{43}$/);
      const stored = await store.db.selectFrom('tokens').selectAll().execute();
      assert.equal(stored.length, 1);
      assert.ok(!JSON.stringify(stored).includes(token.slice(6)), 'the token itself is not stored');
      const caller = await store.authenticate(token);
      assert.equal(caller?.org.name, 'acme');
      assert.equal(caller?.token.scope, 'write');
      assert.equal(await store.authenticate(token + 'x'), undefined);
      assert.equal(await store.authenticate('not-a-token'), undefined);
      assert.ok(await store.forOrg(org).revokeToken(info.id));
      assert.equal(await store.authenticate(token), undefined);
      const other = await store.ensureOrg('other');
      const t2 = await store.forOrg(org).createToken('x', 'read');
      assert.equal(await store.forOrg(other).revokeToken(t2.info.id), false, 'another org cannot revoke it');
      assert.ok(await store.authenticate(t2.token));
    });

    test('putImage stores metadata, layers, packages and findings; idempotent by digest', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const org = store.forOrg(await store.ensureOrg('acme'));
      const up = uploadOf({
        layers: ['base', 'app'],
        purls: ['pkg:npm/lodash@4.17.20', 'pkg:npm/%40scope/x@1.0.0', 'pkg:npm/lodash@4.17.20'],
        findings: [['pkg:npm/lodash@4.17.20', 'CVE-2021-23337', 'high']],
        repository: 'web',
        tags: ['1.0', 'latest'],
      });
      const first = await org.putImage(up, new Date('2025-01-01T00:00:00Z'));
      assert.equal(first.created, true);
      assert.equal(first.image.digest, up.metadata.digest);
      assert.equal(first.image.repository, 'web');
      assert.deepEqual(first.image.tags, ['1.0', 'latest']);
      assert.equal(first.image.packageCount, 3);
      assert.equal(first.image.vulnerabilities.high, 1);
      assert.deepEqual(first.image.metadata, up.metadata);
      const countsAfterFirst = await store.tableCounts();
      const again = await org.putImage(up, new Date('2025-01-02T00:00:00Z'));
      assert.equal(again.created, false);
      assert.equal(again.image.lastSeenAt, '2025-01-02T00:00:00.000Z');
      assert.equal(again.image.pushedAt, '2025-01-01T00:00:00.000Z');
      assert.deepEqual(await store.tableCounts(), countsAfterFirst, 'a second push of the digest adds no row');
      assert.equal(countsAfterFirst.packages, 2, 'one row per purl');
      assert.equal(countsAfterFirst.image_packages, 3);

      const layers = (await org.imageLayers(up.metadata.digest, {}))?.items;
      assert.deepEqual(layers?.map((l) => l.chainId), chainIds(layerDiffIds(['base', 'app'])));
      assert.equal(layers?.[1].createdBy, 'RUN step 1');
      const pkgs = await org.imagePackages(up.metadata.digest, { limit: 2 });
      assert.equal(pkgs?.items.length, 2);
      assert.ok(pkgs?.next);
      const rest = await org.imagePackages(up.metadata.digest, { limit: 2, cursor: pkgs!.next });
      assert.equal(rest?.items.length, 1);
      assert.equal(rest?.next, undefined);
      assert.deepEqual([...pkgs!.items, ...rest!.items], up.packages, 'every package field comes back');
      assert.equal(pkgs?.total, 3, 'total counts every package, over all pages');
      const scoped = await org.imagePackages(up.metadata.digest, {}, { q: 'Scope/X' });
      assert.deepEqual(scoped?.items.map((p) => p.purl), ['pkg:npm/%40scope/x@1.0.0']);
      assert.equal(scoped?.total, 1);
      const lodash = await org.imagePackages(up.metadata.digest, { limit: 1 }, { q: 'lodash' });
      assert.equal(lodash?.items.length, 1);
      assert.equal(lodash?.total, 2, 'total counts the matches of a search over all pages');
      const findings = await org.imageFindings(up.metadata.digest, {});
      assert.equal(findings?.items.length, 1);
      assert.equal(findings?.items[0].vulnerabilityId, 'CVE-2021-23337');
      assert.equal(findings?.items[0].firstSeenAt, '2025-01-01T00:00:00.000Z');
    });

    test('tags keep their history; a tag moves to the newer image', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const org = store.forOrg(await store.ensureOrg('acme'));
      const a = uploadOf({ layers: ['a'], repository: 'web', tags: ['latest', 'v1'] });
      const b = uploadOf({ layers: ['b'], repository: 'web', tags: ['latest'] });
      await org.putImage(a, new Date('2025-01-01T00:00:00Z'));
      await org.putImage(b, new Date('2025-01-02T00:00:00Z'));
      assert.deepEqual((await org.getImage(a.metadata.digest))?.tags, ['v1']);
      assert.deepEqual((await org.getImage(b.metadata.digest))?.tags, ['latest']);
      const history = await store.db.selectFrom('tags').select(['name', 'since_at', 'until_at']).where('name', '=', 'latest').orderBy('since_at').execute();
      assert.deepEqual(history, [
        { name: 'latest', since_at: '2025-01-01T00:00:00.000Z', until_at: '2025-01-02T00:00:00.000Z' },
        { name: 'latest', since_at: '2025-01-02T00:00:00.000Z', until_at: null },
      ]);
      const repos = await org.listRepositories({});
      assert.deepEqual(repos.items.map((r) => [r.name, r.imageCount, r.tags]), [['web', 2, ['latest', 'v1']]]);
    });

    test('lists page by cursor, newest first, and filter by repository', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const org = store.forOrg(await store.ensureOrg('acme'));
      for (let i = 0; i < 5; i++) await org.putImage(uploadOf({ layers: [`l${i}`], repository: i % 2 ? 'odd' : 'even' }), new Date(Date.UTC(2025, 0, 1 + i)));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await org.listImages({}, { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((i) => i.pushedAt.slice(0, 10)));
        cursor = page.next;
      } while (cursor);
      assert.deepEqual(seen, ['2025-01-05', '2025-01-04', '2025-01-03', '2025-01-02', '2025-01-01']);
      const odd = await org.listImages({ repository: 'odd' }, {});
      assert.deepEqual(odd.items.map((i) => i.repository), ['odd', 'odd']);
      await assert.rejects(org.listImages({}, { cursor: 'garbage' }), { code: 'bad-cursor' });
      await assert.rejects(org.listImages({}, { limit: 0 }), { code: 'bad-limit' });
    });

    test('another organisation sees nothing: images, vulnerabilities, packages, base images', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const acme = store.forOrg(await store.ensureOrg('acme'));
      const evil = store.forOrg(await store.ensureOrg('evil'));
      const up = uploadOf({ layers: ['base', 'app'], purls: ['pkg:npm/lodash@4.17.20'], findings: [['pkg:npm/lodash@4.17.20', 'CVE-2021-23337']], repository: 'web', tags: ['1'] });
      await acme.putImage(up);
      await acme.putImage(uploadOf({ layers: ['base'], repository: 'base', tags: ['1'] }));
      assert.equal(await evil.getImage(up.metadata.digest), undefined);
      assert.equal(await evil.imageLayers(up.metadata.digest, {}), undefined);
      assert.equal(await evil.imagePackages(up.metadata.digest, {}), undefined);
      assert.equal(await evil.imageFindings(up.metadata.digest, {}), undefined);
      assert.deepEqual((await evil.listImages({}, {})).items, []);
      assert.deepEqual((await evil.listRepositories({})).items, []);
      assert.deepEqual((await evil.vulnerabilityUsage('CVE-2021-23337', {})).items, []);
      assert.deepEqual((await evil.packageUsage('pkg:npm/lodash@4.17.20', {})).items, []);
      assert.equal(await evil.findBaseImage(chainIds(layerDiffIds(['base', 'app']))), undefined);
      assert.equal(await evil.deleteImage(up.metadata.digest), false);
      assert.equal(await evil.deleteRepository('web'), false);
      assert.ok(await acme.getImage(up.metadata.digest), 'still there');
      // The owner sees them.
      assert.equal((await acme.vulnerabilityUsage('CVE-2021-23337', {})).items.length, 1);
      assert.equal((await acme.vulnerabilityUsage('GHSA-3337-test-test', {})).items[0]?.vulnerabilityId, 'CVE-2021-23337', 'found by alias');
      assert.equal((await acme.packageUsage('pkg:npm/lodash', {})).items[0]?.digest, up.metadata.digest, 'a purl without version matches every version');
    });

    test('base image: longest proper prefix among own images and the public catalogue', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const acme = store.forOrg(await store.ensureOrg('acme'));
      const catalog = store.forOrg(await store.ensureOrg('public-catalog', { catalog: true }));
      const distro = uploadOf({ layers: ['debian'], repository: 'debian', tags: ['12', 'bookworm', 'latest'] });
      await catalog.putImage(distro);
      const runtime = uploadOf({ layers: ['debian', 'node'], repository: 'node', tags: ['20'] });
      await acme.putImage(runtime);
      const app = chainIds(layerDiffIds(['debian', 'node', 'app']));
      const base = await acme.findBaseImage(app);
      assert.deepEqual(base, { digest: runtime.metadata.digest, repository: 'node', tags: ['20'], layers: 2, catalog: false, from: 'layers' });
      const runtimeBase = await acme.findBaseImage(chainIds(layerDiffIds(['debian', 'node'])));
      assert.deepEqual(runtimeBase, { digest: distro.metadata.digest, repository: 'debian', tags: ['12', 'bookworm', 'latest'], layers: 1, catalog: true, from: 'layers' });
      assert.equal(await acme.findBaseImage(chainIds(layerDiffIds(['alpine', 'app']))), undefined, 'unknown base');
      assert.equal(await acme.findBaseImage(chainIds(layerDiffIds(['debian']))), undefined, 'an image is not its own base');
      // The catalogue is matched against, never listed.
      assert.deepEqual((await acme.listImages({}, {})).items.map((i) => i.repository), ['node']);
      assert.equal(await acme.getImage(distro.metadata.digest), undefined);
    });

    test('deleting an image, a repository and an org removes exactly what belonged only to it', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const acme = store.forOrg(await store.ensureOrg('acme'));
      const keep = uploadOf({ layers: ['base', 'keep'], purls: ['pkg:npm/a@1', 'pkg:npm/shared@1'], findings: [['pkg:npm/a@1', 'CVE-2020-0001']], repository: 'keep', tags: ['1'] });
      await acme.putImage(keep);
      // Counted with every image's packages indexed (package-index.ts): a delete settles the
      // index first, so the kept image's entries are in package_images after it either way.
      await settlePackageIndex(store.db);
      const before = await store.tableCounts();
      const gone = uploadOf({ layers: ['base', 'gone'], purls: ['pkg:npm/b@1', 'pkg:npm/shared@1'], findings: [['pkg:npm/b@1', 'CVE-2020-0002'], ['pkg:npm/shared@1', 'CVE-2020-0003'], ['pkg:npm/shared@1', 'CVE-2020-0001']], repository: 'gone', tags: ['1', '2'] });
      await acme.putImage(gone);
      assert.ok(await acme.deleteImage(gone.metadata.digest));
      // CVE-2020-0001's aliases stay: the kept image still has it.
      assert.deepEqual(await store.tableCounts(), before, 'image delete');
      assert.equal((await acme.vulnerabilityUsage('CVE-2020-0001', {})).items.length, 1, 'the kept image is still found by the vulnerability');

      await acme.putImage(gone);
      await acme.putImage(uploadOf({ layers: ['base', 'gone', 'more'], purls: ['pkg:npm/c@1'], repository: 'gone', tags: ['3'] }));
      assert.ok(await acme.deleteRepository('gone'));
      assert.deepEqual(await store.tableCounts(), before, 'repository delete');

      const empty = await store.tableCounts();
      const other = await store.ensureOrg('other');
      const o = store.forOrg(other);
      await o.createToken('admin', 'admin');
      await o.putImage(uploadOf({ layers: ['base', 'keep'], purls: ['pkg:npm/a@1', 'pkg:npm/z@1'], findings: [['pkg:npm/z@1', 'CVE-2020-0009']], repository: 'x', tags: ['1'] }));
      assert.ok(await store.deleteOrg(other.id));
      assert.deepEqual(await store.tableCounts(), empty, 'org delete');
      assert.ok(await acme.getImage(keep.metadata.digest), 'the other org keeps its image');
    });

    test('retention deletes images not pushed or seen for N days', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const acme = store.forOrg(await store.ensureOrg('acme'));
      const old = uploadOf({ layers: ['old'], repository: 'r' });
      const fresh = uploadOf({ layers: ['fresh'], repository: 'r' });
      await acme.putImage(old, new Date('2025-01-01T00:00:00Z'));
      await acme.putImage(fresh, new Date('2025-01-01T00:00:00Z'));
      await acme.putImage(fresh, new Date('2025-01-20T00:00:00Z'));
      assert.equal(await store.pruneAll(new Date('2025-01-25T00:00:00Z')), 0, 'no retention set: nothing pruned');
      await acme.setRetention(10);
      assert.equal(await store.pruneAll(new Date('2025-01-25T00:00:00Z')), 1);
      assert.equal(await acme.getImage(old.metadata.digest), undefined);
      assert.ok(await acme.getImage(fresh.metadata.digest));
      await assert.rejects(acme.setRetention(0), { code: 'bad-retention' });
    });
  });
}
