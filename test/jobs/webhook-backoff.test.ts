/**
 * A webhook that keeps failing is retried with exponential backoff: base, 2×, 4× between
 * attempts, each failed attempt in the delivery log with when the next one is due, until one
 * succeeds. Only lower bounds on the waits are asserted: a loaded machine makes them longer,
 * never shorter, and a retry without backoff (or with a constant one) arrives too early.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WebhookDelivery } from '../../src/store/kysely/activity-store.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testApi } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { startReceiver } from '../helpers/webhook-receiver.js';
import { testOsv } from '../helpers/osv-record.js';

const BASE_MS = 100;

for (const backend of BACKENDS) {
  test(`${backend}: a failing webhook is retried after ${BASE_MS}, ${2 * BASE_MS} and ${4 * BASE_MS} ms, each attempt logged with the next one's time, then delivered`, async (t) => {
    const api = await testApi(backend, t, { jobs: { webhookBackoffMs: BASE_MS } });
    const rx = await startReceiver();
    t.after(() => rx.close());
    const store = api.platform.forOrg((await api.platform.orgByName('acme'))!);
    await store.putImage(uploadOf({ layers: ['backoff'], purls: ['pkg:npm/scout-test-pkg@1.0.0'], repository: 'shop/backoff', tags: ['1'] }));
    const hook = await api.call<{ webhook: { id: string } }>({ method: 'POST', url: '/v1/webhooks', route: 'POST /v1/webhooks', token: api.admin, payload: { url: rx.url } });
    assert.equal(hook.status, 201);
    rx.failNext(500, 503, 500);

    await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: [testOsv('SCOUT-BACKOFF-1', 'CVE-2099-0801', '1.5.0')] });
    const got = await rx.waitFor(4, 30_000);
    await api.jobs!.queue.idle(undefined, 30_000);
    // One event, four attempts at it.
    assert.equal(new Set(got.map((r) => r.headers['scout-event-id'])).size, 1);
    assert.deepEqual(got.map((r) => r.headers['scout-delivery-attempt']), ['1', '2', '3', '4']);
    // Attempt n+1 is claimed no earlier than the time attempt n's failure set, which is the
    // failure's own time (after attempt n arrived) plus BASE_MS·2^(n-1).
    for (let n = 1; n < 4; n++) {
      const gap = got[n].at - got[n - 1].at;
      assert.ok(gap >= BASE_MS * 2 ** (n - 1), `attempt ${n + 1} came ${gap} ms after attempt ${n}, before its backoff of ${BASE_MS * 2 ** (n - 1)} ms`);
    }

    const log = await api.call<{ items: WebhookDelivery[] }>({ method: 'GET', url: `/v1/webhooks/${hook.body.webhook.id}/deliveries`, route: 'GET /v1/webhooks/:id/deliveries', token: api.admin });
    const byAttempt = [...log.body.items].sort((a, b) => a.attempt - b.attempt);
    assert.deepEqual(byAttempt.map((d) => [d.attempt, d.state, d.statusCode, Boolean(d.nextAttemptAt)]), [
      [1, 'retrying', 500, true],
      [2, 'retrying', 503, true],
      [3, 'retrying', 500, true],
      [4, 'delivered', 200, false],
    ]);
    // Each logged next attempt is the backoff after the failure (reckoned just before the row's
    // own time, so at most the backoff after it), and the next attempt's row comes after it.
    for (const [i, d] of byAttempt.slice(0, 3).entries()) {
      const wait = Date.parse(d.nextAttemptAt!) - Date.parse(d.createdAt);
      assert.ok(wait <= BASE_MS * 2 ** i, `attempt ${d.attempt}: next one due ${wait} ms after it`);
      assert.ok(Date.parse(byAttempt[i + 1].createdAt) >= Date.parse(d.nextAttemptAt!));
    }
  });
}
