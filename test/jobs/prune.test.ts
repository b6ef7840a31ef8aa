/** Pruning of the continuous platform: finished jobs after 7 days, events (and their delivery log) after the retention. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventRetentionDays, openPlatformJobs } from '../../src/jobs/platform-jobs.js';
import { recordEvents } from '../../src/store/kysely/activity-store.js';
import { BACKENDS, freshLocation } from '../helpers/platform-db.js';
import { exampleAdvisories } from '../helpers/platform-app.js';
import { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';

const DAY = 86_400_000;

for (const backend of BACKENDS) {
  test(`${backend}: prune deletes finished jobs past 7 days and events past the retention with their deliveries; nothing newer, nothing pending`, async (t) => {
    const location = await freshLocation(backend, t);
    const platform = await KyselyPlatformStore.open(location);
    t.after(() => platform.close());
    const jobs = await openPlatformJobs({ db: platform.db, location, advisories: await exampleAdvisories(t, location), queue: { pollMs: 20 } });
    const org = await platform.ensureOrg('acme');
    const now = Date.now();
    const event = (daysAgo: number) => ({ orgId: org.id, imageId: `img-${daysAgo}`, event: { id: `ev-${daysAgo}`, kind: 'image.pushed' as const, createdAt: new Date(now - daysAgo * DAY).toISOString(), image: { digest: `sha256:${String(daysAgo).padStart(64, '0')}`, tags: [] }, environments: [] } });
    await platform.db.insertInto('webhooks').values({ id: 'hook', org_id: org.id, url: 'http://127.0.0.1:1/', format: 'json', secret: null, kinds: null, created_at: new Date().toISOString() }).execute();
    await platform.db.transaction().execute((trx) => recordEvents(trx, [event(100), event(30), event(1)], async () => {}));
    for (const ev of ['ev-100', 'ev-1']) {
      await platform.db.insertInto('webhook_deliveries').values({ id: `d-${ev}`, org_id: org.id, webhook_id: 'hook', event_id: ev, attempt: 1, state: 'delivered', status_code: 200, error: null, duration_ms: 1, created_at: new Date().toISOString(), next_attempt_at: null }).execute();
    }
    // Jobs: one finished 10 days ago, one 2 days ago, one still waiting (created long ago).
    const q = jobs.queue;
    const old = await q.send('noop', {});
    const recent = await q.send('noop', {});
    const waiting = await q.send('other', {});
    q.work('noop', async () => {});
    await q.start();
    await q.idle(['noop'], 10_000);
    await q.stop();
    const set = (id: string, finished: number) => platform.db.updateTable('jobs' as never).set({ finished_at: finished, created_at: finished } as never).where('id' as never, '=', id as never).execute();
    await set(old, now - 10 * DAY);
    await set(recent, now - 2 * DAY);
    await set(waiting, now - 30 * DAY);

    const r = await jobs.prune(new Date(now), { eventDays: 90 });
    assert.deepEqual(r, { jobs: 1, events: 1 });
    const ids = (await platform.db.selectFrom('jobs' as never).select('id' as never).execute()).map((x) => (x as { id: string }).id).sort();
    assert.deepEqual(ids, [recent, waiting].sort());
    assert.deepEqual((await platform.db.selectFrom('events').select('id').orderBy('id').execute()).map((e) => e.id), ['ev-1', 'ev-30']);
    assert.deepEqual((await platform.db.selectFrom('webhook_deliveries').select('event_id').execute()).map((d) => d.event_id), ['ev-1']);
    assert.deepEqual(await jobs.prune(new Date(now), { eventDays: 7 }), { jobs: 0, events: 1 });
  });
}

test('SCOUT_EVENT_RETENTION_DAYS: 90 by default, a whole number of days, else a clear error', () => {
  assert.equal(eventRetentionDays({}), 90);
  assert.equal(eventRetentionDays({ SCOUT_EVENT_RETENTION_DAYS: '30' }), 30);
  assert.throws(() => eventRetentionDays({ SCOUT_EVENT_RETENTION_DAYS: '0.5' }), /SCOUT_EVENT_RETENTION_DAYS must be a whole number of days/);
});
