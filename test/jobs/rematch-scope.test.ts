/**
 * What a changed advisory re-matches: only the stored packages it names, found through the
 * (ecosystem, normalised name) index, in the record's new version and its previous one. A
 * package the change does not name is left alone even when an advisory in the database would
 * match it: re-matching every stored package would open that finding, and must not happen. A
 * finding matched again keeps its first-seen time and moves its last-seen time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPlatformJobs } from '../../src/jobs/platform-jobs.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testServerStores } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { npmAdvisory, testAdvisory } from '../helpers/osv-record.js';

/** A PyPI advisory for `name`, affected below 2.0.0. */
const pypiAdvisory = (id: string, cve: string, name: string) =>
  testAdvisory(id, cve, '2.0.0', { affected: [{ package: { ecosystem: 'PyPI', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }] });

for (const backend of BACKENDS) {
  test(`${backend}: a changed advisory re-matches only the packages it names (by normalised name, old and new), never the others`, async (t) => {
    const { location, platform, advisories } = await testServerStores(backend, t);
    // The advisory database as the re-match sees it, noting which packages it is asked about.
    const looked = new Set<string>();
    const watched = new Proxy(advisories, {
      get(target, prop) {
        if (prop === 'lookup') return (ecosystem: string, name: string) => (looked.add(`${ecosystem}/${name}`), target.lookup(ecosystem, name));
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const jobs = await openPlatformJobs({ db: platform.db, location, advisories: watched, queue: { pollMs: 20 } });
    t.after(() => jobs.stop());
    await jobs.start();
    const org = platform.forOrg(await platform.ensureOrg('acme'));
    // Spelled as its own metadata spells it; advisories spell it 'Scout_Test-Pkg'. PyPI
    // normalises both to 'scout-test-pkg'.
    const py = (await org.putImage(uploadOf({ layers: ['py'], purls: ['pkg:pypi/scout-test.pkg@1.0.0'], repository: 'shop/py', tags: ['1'] }))).image.digest;
    const js = (await org.putImage(uploadOf({ layers: ['js'], purls: ['pkg:npm/scout-unnamed@1.0.0'], repository: 'shop/js', tags: ['1'] }))).image.digest;
    // An advisory for the npm package, already in the database (imported without a re-match):
    // a re-match of every stored package would find it.
    await advisories.importBatch({ kind: 'advisories', source: { name: 'side', kind: 'advisories' }, mode: 'merge', records: [await npmAdvisory('SCOUT-SIDE-1', 'scout-unnamed', '2.0.0', 'already there')] });
    const open = async (digest: string) => ((await org.imageFindings(digest, {}))?.items ?? []).map((f) => [f.vulnerabilityId, Boolean(f.fixedAt), Boolean(f.withdrawnAt)]);
    const rematchPayload = async (id: string) => JSON.parse((await platform.db.selectFrom('jobs' as never).select('payload' as never).where('id' as never, '=', id as never).executeTakeFirstOrThrow() as { payload: string }).payload) as { keys: unknown[] };

    const first = await jobs.ingestAdvisories([await pypiAdvisory('SCOUT-SCOPE-1', 'CVE-2099-0701', 'Scout_Test-Pkg')], 'api');
    assert.ok(first.rematchJob);
    await jobs.queue.idle(undefined, 30_000);
    assert.deepEqual((await rematchPayload(first.rematchJob)).keys, [{ ecosystem: 'PyPI', name: 'Scout_Test-Pkg' }]);
    assert.deepEqual(await open(py), [['CVE-2099-0701', false, false]], 'found through the normalised name');
    assert.deepEqual(await open(js), [], 'not named by the change: not re-matched');
    assert.deepEqual([...looked], ['PyPI/scout-test-pkg'], 'the one named package was matched, no other');
    looked.clear();

    // The same record modified, still affecting the package: the finding stays open, first seen
    // as before, last seen now; no event (nothing new happened to the image).
    const [seen] = (await org.imageFindings(py, {}))!.items;
    await new Promise((r) => setTimeout(r, 5));
    const again = await jobs.ingestAdvisories([await pypiAdvisory('SCOUT-SCOPE-1', 'CVE-2099-0701', 'Scout_Test-Pkg')], 'api');
    assert.ok(again.rematchJob, 'a newer modified time is a change');
    await jobs.queue.idle(undefined, 30_000);
    const [still] = (await org.imageFindings(py, {}))!.items;
    assert.deepEqual([still.vulnerabilityId, still.firstSeenAt, still.fixedAt, still.withdrawnAt], [seen.vulnerabilityId, seen.firstSeenAt, undefined, undefined]);
    assert.ok(still.lastSeenAt > seen.lastSeenAt, `last seen ${still.lastSeenAt}, before ${seen.lastSeenAt}`);
    looked.clear();

    // The record now names another package: its previous version's package is re-matched too,
    // and the finding closes (fixed: the record lives on, this version is no longer affected).
    const moved = await jobs.ingestAdvisories([await pypiAdvisory('SCOUT-SCOPE-1', 'CVE-2099-0701', 'another-pkg')], 'api');
    assert.ok(moved.rematchJob);
    await jobs.queue.idle(undefined, 30_000);
    const keys = (await rematchPayload(moved.rematchJob)).keys as { ecosystem: string; name: string }[];
    assert.deepEqual(keys.map((k) => `${k.ecosystem}/${k.name}`).sort(), ['PyPI/Scout_Test-Pkg', 'PyPI/another-pkg']);
    assert.deepEqual(await open(py), [['CVE-2099-0701', true, false]]);
    assert.deepEqual(await open(js), []);
    // Nothing stored is called another-pkg: the same one package was matched.
    assert.deepEqual([...looked], ['PyPI/scout-test-pkg']);
    looked.clear();

    // The advisory that was there all along, changed: now it is named, re-matched and found. It
    // was left out above only because nothing named its package.
    await jobs.ingestAdvisories([await npmAdvisory('SCOUT-SIDE-1', 'scout-unnamed', '2.0.0', 'changed')], 'api');
    await jobs.queue.idle(undefined, 30_000);
    assert.deepEqual(await open(js), [['SCOUT-SIDE-1', false, false]]);
    assert.deepEqual([...looked], ['npm/scout-unnamed']);
    const events = await platform.db.selectFrom('events').select(['kind', 'image_digest', 'vulnerability_id']).where('kind', 'like', 'vulnerability.%').orderBy('id').execute();
    assert.deepEqual(events.map((e) => [e.kind, e.image_digest, e.vulnerability_id]), [
      ['vulnerability.new', py, 'CVE-2099-0701'],
      ['vulnerability.fixed', py, 'CVE-2099-0701'],
      ['vulnerability.new', js, 'SCOUT-SIDE-1'],
    ]);
  });
}
