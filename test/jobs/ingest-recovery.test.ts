/**
 * An advisory import and the re-match it needs cannot share a transaction (the advisory store
 * commits on its own connection). A crash after the import committed must not lose the
 * re-match: the job is queued before the import and held back, so it still runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPlatformJobs } from '../../src/jobs/platform-jobs.js';
import type { AdvisoryStore } from '../../src/store/advisory-store.js';
import { testAdvisory } from '../helpers/osv-record.js';
import { BACKENDS, freshLocation } from '../helpers/platform-db.js';
import { exampleAdvisories } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';


for (const backend of BACKENDS) {
  test(`${backend}: the process dies after the advisory import committed, before the re-match was released: the re-match still runs`, async (t) => {
    const location = await freshLocation(backend, t);
    const platform = await KyselyPlatformStore.open(location);
    t.after(() => platform.close());
    const real = await exampleAdvisories(t, location);
    const acme = await platform.ensureOrg('acme');
    const put = await platform.forOrg(acme).putImage(uploadOf({ layers: ['base', 'app'], purls: ['pkg:npm/scout-test-pkg@1.0.0'], repository: 'shop/app', tags: ['1'] }));

    // The import commits, then the process "dies": nothing after importBatch runs.
    const crashing: AdvisoryStore = Object.assign(Object.create(real) as AdvisoryStore, {
      importBatch: async (batch: Parameters<AdvisoryStore['importBatch']>[0]) => {
        await real.importBatch(batch);
        throw new Error('killed after the import committed');
      },
    });
    const dying = await openPlatformJobs({ db: platform.db, location, advisories: crashing, rematchRecoveryMs: 500, queue: { pollMs: 50 } });
    await assert.rejects(dying.ingestAdvisories([await testAdvisory('SCOUT-CRASH-1', 'CVE-2099-0777', '1.5.0')], 'api'), /killed after the import/);
    assert.ok(await real.get('SCOUT-CRASH-1'), 'the import committed');

    // The next process to run jobs picks the held re-match up once its hold ends.
    const next = await openPlatformJobs({ db: platform.db, location, advisories: real, queue: { pollMs: 50 } });
    await next.start();
    t.after(() => next.stop());
    await next.queue.idle(['rematch'], 30_000);
    const findings = (await platform.forOrg(acme).imageFindings(put.image.digest, {}))!.items;
    assert.deepEqual(findings.map((f) => [f.vulnerabilityId, f.purl]), [['CVE-2099-0777', 'pkg:npm/scout-test-pkg@1.0.0']]);
    const events = await platform.db.selectFrom('events').select(['kind', 'vulnerability_id']).execute();
    assert.deepEqual(events, [{ kind: 'vulnerability.new', vulnerability_id: 'CVE-2099-0777' }]);
  });

  test(`${backend}: an import that changes nothing leaves no job behind; one that changes something releases its re-match at once`, async (t) => {
    const location = await freshLocation(backend, t);
    const platform = await KyselyPlatformStore.open(location);
    t.after(() => platform.close());
    const advisories = await exampleAdvisories(t, location);
    const jobs = await openPlatformJobs({ db: platform.db, location, advisories, queue: { pollMs: 50 } });
    const rec = await testAdvisory('SCOUT-HOLD-1', 'CVE-2099-0778', '1.5.0');
    const r1 = await jobs.ingestAdvisories([rec], 'api');
    assert.ok(r1.rematchJob);
    const row = await platform.db.selectFrom('jobs' as never).selectAll().where('id' as never, '=', r1.rematchJob as never).executeTakeFirstOrThrow() as { run_at: string | number; state: string };
    assert.equal(row.state, 'ready');
    assert.ok(Number(row.run_at) <= Date.now(), 'released: runnable now, not after the recovery hold');
    const r2 = await jobs.ingestAdvisories([rec], 'api');
    assert.equal(r2.rematchJob, undefined);
    assert.equal(r2.counts.unchanged, 1);
    const n = await platform.db.selectFrom('jobs' as never).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 1, 'the held job of the no-op import was deleted');
  });
}
