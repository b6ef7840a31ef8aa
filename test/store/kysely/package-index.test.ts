/**
 * The deferred package index (package-index.ts, migration 011): a push queues its image and a
 * batch of queued images is indexed later, so every reader that starts from a package must see
 * a stored image whether its batch ran or not, each organisation only its own images, and the
 * index must end up holding exactly the stored packages (no image twice, none missing, none
 * left behind by a delete).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SETTLE_AFTER, settlePackageIndex } from '../../../src/store/kysely/package-index.js';
import type { KyselyPlatformStore } from '../../../src/store/kysely/platform-store.js';
import { BACKENDS, freshPlatformStore } from '../../helpers/platform-db.js';
import { uploadOf } from '../../helpers/platform-upload.js';

async function count(store: KyselyPlatformStore, table: 'package_images' | 'package_index_pending'): Promise<number> {
  const r = await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The index holds exactly image_packages' (purl, org, image, ordinal) rows. */
async function assertIndexMatchesPackages(store: KyselyPlatformStore): Promise<void> {
  const key = (r: { purl: string; org_id: string; image_id: string; ordinal: number }) => `${r.purl} ${r.org_id} ${r.image_id} ${Number(r.ordinal)}`;
  const indexed = (await store.db.selectFrom('package_images').select(['purl', 'org_id', 'image_id', 'ordinal']).execute()).map(key).sort();
  const stored = (await store.db.selectFrom('image_packages').select(['purl', 'org_id', 'image_id', 'ordinal']).execute()).map(key).sort();
  assert.deepEqual(indexed, stored);
}

for (const backend of BACKENDS) {
  describe(`deferred package index on ${backend}`, () => {
    test('a push is found by its packages before its batch is indexed, by its own organisation only', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const acme = store.forOrg(await store.ensureOrg('acme'));
      const evil = store.forOrg(await store.ensureOrg('evil'));
      const first = uploadOf({ layers: ['base', 'one'], purls: ['pkg:npm/lodash@4.17.20', 'pkg:npm/left-pad@1.0.0'], repository: 'web', tags: ['1'] });
      const second = uploadOf({ layers: ['base', 'two'], purls: ['pkg:npm/lodash@4.17.21', 'pkg:npm/left-pad@1.0.0'], repository: 'web', tags: ['2'] });
      await acme.putImage(first);
      await acme.putImage(second);
      await evil.putImage(uploadOf({ layers: ['evil'], purls: ['pkg:npm/left-pad@1.0.0'], repository: 'mine' }));
      assert.equal(await count(store, 'package_index_pending'), 3, 'the pushes queued their images');
      assert.equal(await count(store, 'package_images'), 0, 'and indexed nothing yet');

      // `scout package PURL` (GET /v1/packages/usage): the queued images are found.
      const leftPad = await acme.packageUsage('pkg:npm/left-pad@1.0.0', {});
      assert.deepEqual(leftPad.items.map((u) => u.digest).sort(), [first.metadata.digest, second.metadata.digest].sort());
      assert.deepEqual((await acme.packageUsage('pkg:npm/lodash', {})).items.map((u) => u.packageVersion).sort(), ['4.17.20', '4.17.21']);
      assert.equal((await evil.packageUsage('pkg:npm/left-pad@1.0.0', {})).items.length, 1, 'evil sees its own image only');
      assert.deepEqual((await evil.packageUsage('pkg:npm/lodash', {})).items, [], 'and none of acme’s');
      assert.equal(await count(store, 'package_index_pending'), 0, 'the reader settled the index');
      await assertIndexMatchesPackages(store);

      // The dashboard's packages page counts the newest push too, per organisation.
      const third = uploadOf({ layers: ['base', 'three'], purls: ['pkg:npm/left-pad@1.0.0'], repository: 'web', tags: ['3'] });
      await acme.putImage(third);
      const names = (await acme.dashboard.packageNames({}, {})).items;
      assert.deepEqual(names.map((n) => [n.name, n.images, n.versions]), [
        ['left-pad', 3, ['1.0.0']],
        ['lodash', 2, ['4.17.20', '4.17.21']],
      ]);
      assert.deepEqual((await evil.dashboard.packageNames({}, {})).items.map((n) => [n.name, n.images]), [['left-pad', 1]]);
    });

    test('the push that fills a batch indexes it; a re-push queues nothing', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const acme = store.forOrg(await store.ensureOrg('acme'));
      for (let i = 0; i < SETTLE_AFTER - 1; i++) await acme.putImage(uploadOf({ layers: [`l${i}`], purls: ['pkg:npm/shared@1', `pkg:npm/own-${i}@1`] }));
      assert.equal(await count(store, 'package_index_pending'), SETTLE_AFTER - 1);
      const again = uploadOf({ layers: ['l0'], purls: ['pkg:npm/shared@1', 'pkg:npm/own-0@1'] });
      assert.equal((await acme.putImage(again)).created, false);
      assert.equal(await count(store, 'package_index_pending'), SETTLE_AFTER - 1, 'a stored digest is not queued again');
      await acme.putImage(uploadOf({ layers: ['last'], purls: ['pkg:npm/shared@1'] }));
      assert.equal(await count(store, 'package_index_pending'), 0, 'the batch was indexed without any reader');
      assert.equal(await count(store, 'package_images'), 2 * (SETTLE_AFTER - 1) + 1);
      await assertIndexMatchesPackages(store);
      assert.equal((await acme.packageUsage('pkg:npm/shared@1', { limit: 100 })).items.length, SETTLE_AFTER);
    });

    test('settles running at once index each image once', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const acme = store.forOrg(await store.ensureOrg('acme'));
      for (let i = 0; i < 6; i++) await acme.putImage(uploadOf({ layers: [`c${i}`], purls: ['pkg:npm/shared@1', `pkg:npm/own-${i}@1`, `pkg:npm/own-${i}@2`] }));
      const moved = await Promise.all([settlePackageIndex(store.db), settlePackageIndex(store.db), settlePackageIndex(store.db)]);
      assert.equal(moved.reduce((a, b) => a + b, 0), 6, 'six images indexed in all');
      assert.equal(await count(store, 'package_index_pending'), 0);
      await assertIndexMatchesPackages(store);
    });

    test('deleting a queued image leaves nothing of it in the index, and keeps what others use', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const acme = store.forOrg(await store.ensureOrg('acme'));
      const keep = uploadOf({ layers: ['keep'], purls: ['pkg:npm/shared@1', 'pkg:npm/kept@1'] });
      const gone = uploadOf({ layers: ['gone'], purls: ['pkg:npm/shared@1', 'pkg:npm/only-gone@1'] });
      await acme.putImage(keep);
      await acme.putImage(gone);
      assert.equal(await count(store, 'package_index_pending'), 2);
      assert.ok(await acme.deleteImage(gone.metadata.digest));
      assert.equal(await count(store, 'package_index_pending'), 0);
      await assertIndexMatchesPackages(store);
      const purls = (await store.db.selectFrom('packages').select('purl').orderBy('purl').execute()).map((r) => r.purl);
      assert.deepEqual(purls, ['pkg:npm/kept@1', 'pkg:npm/shared@1'], 'the package only the deleted image had is gone; the queued kept image’s stay');
      assert.deepEqual((await acme.packageUsage('pkg:npm/shared@1', {})).items.map((u) => u.digest), [keep.metadata.digest]);
    });
  });
}
