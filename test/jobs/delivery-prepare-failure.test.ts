/**
 * A delivery whose preparation throws (here: a stored event that is no longer valid JSON, so
 * the body cannot be built) is not lost: each failed attempt is in the webhook's delivery log
 * and retried on the webhook's backoff, and once the event reads again it is delivered, once.
 * One that never recovers ends as a `failed` delivery in the log, not as a silent dead job.
 * Two workers share the PostgreSQL queue, as two `scout worker` processes would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPlatformJobs, type PlatformJobs } from '../../src/jobs/platform-jobs.js';
import { openServerStores } from '../../src/server/main.js';
import { OrgActivity, recordPushEvent } from '../../src/store/kysely/activity-store.js';
import { newLocation } from '../helpers/platform-db.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/tmp.js';

test('postgres, two workers: a delivery that cannot be prepared is logged as failed and retried, then delivered once; one that never can ends failed in the log', async (t) => {
  const { location, drop } = await newLocation('postgres');
  t.after(drop);
  const { platform, advisories } = await openServerStores({ dataDir: tempDir(), database: location });
  t.after(async () => {
    await platform.close();
    await advisories.close();
  });
  const acme = await platform.ensureOrg('acme');
  const org = platform.forOrg(acme);
  const rx = await startReceiver();
  t.after(() => rx.close());
  const { webhook: hook } = await new OrgActivity(platform.db, acme).addWebhook({ url: rx.url, format: 'json' });

  // Two pushes as the server makes them: two image.pushed events, a delivery job each, waiting for a worker.
  const server = await openPlatformJobs({ db: platform.db, location, advisories });
  const push = (name: string) => {
    const upload = uploadOf({ layers: [`l-${name}`], purls: [`pkg:npm/${name}@1.0.0`], repository: `shop/${name}`, tags: ['1'] });
    const image = { digest: upload.metadata.digest!, repository: `shop/${name}`, tags: ['1'] };
    return org.putImage(upload, new Date(), (trx, imageId) => recordPushEvent(trx, acme.id, imageId, image, (payloads) => server.enqueueDeliveries(trx, payloads)));
  };
  const healed = await push('healed');
  const broken = await push('broken');
  const eventOf = async (digest: string) => (await platform.db.selectFrom('events').select(['id', 'payload']).where('image_digest', '=', digest).executeTakeFirstOrThrow());
  const healedEvent = await eventOf(healed.image.digest);
  const brokenEvent = await eventOf(broken.image.digest);
  // Both stored events become unreadable: JSON.parse throws in the delivery's prepare step.
  await platform.db.updateTable('events').set({ payload: '{"id": "truncated' }).where('id', 'in', [healedEvent.id, brokenEvent.id]).execute();

  const workers: PlatformJobs[] = [];
  for (let i = 0; i < 2; i++) {
    const w = await openPlatformJobs({ db: platform.db, location, advisories, queue: { pollMs: 20 }, webhookBackoffMs: 200, webhookMaxAttempts: 3 });
    workers.push(w);
    t.after(() => w.stop());
  }
  const outcomes: { worker: number; ok: boolean }[] = [];
  workers.forEach((w, i) => w.queue.onOutcome((o) => outcomes.push({ worker: i, ok: o.ok })));
  for (const w of workers) await w.start();

  const log = () => platform.db.selectFrom('webhook_deliveries').select(['event_id', 'attempt', 'state', 'error', 'status_code']).where('webhook_id', '=', hook.id).orderBy('event_id').orderBy('attempt').execute();
  // After the first failed attempt of the one to heal, its event is repaired.
  const deadline = Date.now() + 20_000;
  while (!(await log()).some((d) => d.event_id === healedEvent.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await platform.db.updateTable('events').set({ payload: healedEvent.payload }).where('id', '=', healedEvent.id).execute();
  await workers[0].queue.idle(['deliver-webhook'], 30_000);

  const rows = await log();
  const of = (id: string) => rows.filter((d) => d.event_id === id).map((d) => [d.attempt, d.state, d.status_code]);
  assert.deepEqual(of(healedEvent.id).at(-1), [of(healedEvent.id).length, 'delivered', 200]);
  assert.ok(of(healedEvent.id).length >= 2, JSON.stringify(rows));
  for (const [, state, status] of of(healedEvent.id).slice(0, -1)) assert.deepEqual([state, status], ['retrying', null]);
  assert.deepEqual(of(brokenEvent.id), [
    [1, 'retrying', null],
    [2, 'retrying', null],
    [3, 'failed', null],
  ]);
  for (const d of rows.filter((r) => r.state !== 'delivered')) assert.match(d.error ?? '', /^could not prepare the delivery: .*JSON/);

  // The repaired event reached the receiver exactly once; the broken one never.
  assert.deepEqual(rx.received.map((r) => r.headers['scout-event-id']), [healedEvent.id]);
  // Every delivery job ended done (the failures are the log's, not dead jobs), spread over both workers.
  const states = await platform.db.selectFrom('jobs' as never).select(['name' as never, 'state' as never]).distinct().execute();
  assert.deepEqual(states, [{ name: 'deliver-webhook', state: 'done' }]);
  assert.ok(outcomes.every((o) => o.ok));
  assert.equal(outcomes.length, rows.length);
});
