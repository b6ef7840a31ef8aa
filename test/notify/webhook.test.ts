import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newWebhookSecret, postDelivery, renderDelivery, validateWebhookUrl, verifyWebhookSignature } from '../../src/notify/webhook.js';
import type { ScoutEvent } from '../../src/notify/events.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

const event: ScoutEvent = {
  id: '0193a5c2-7d1e-7000-8000-000000000001',
  kind: 'vulnerability.new',
  createdAt: '2026-12-07T00:00:00.000Z',
  image: { digest: 'sha256:' + 'ab'.repeat(32), repository: 'docker.io/acme/api', tags: ['1.2'] },
  vulnerability: { id: 'CVE-2024-0001', severity: 'critical', packages: [{ purl: 'pkg:npm/left-pad@1.0.0', version: '1.0.0', fixedVersions: ['1.0.1'] }] },
  environments: [{ name: 'production', workloads: [{ cluster: 'eu1', namespace: 'shop', name: 'api', type: 'Deployment' }] }],
};

test('a JSON delivery arrives signed over timestamp and body, and the receiver verifies it', async (t) => {
  const rx = await startReceiver();
  t.after(() => rx.close());
  const secret = newWebhookSecret();
  const req = renderDelivery({ url: rx.url, format: 'json', secret }, event, { org: 'acme', attempt: 1, eventsUrl: 'http://scout.example/v1/events' });
  const result = await postDelivery(rx.url, req);
  assert.equal(result.ok, true);
  assert.equal(result.status, 200);
  assert.equal(result.response, 'ok');
  const [got] = rx.received;
  assert.equal(got.headers['content-type'], 'application/json');
  assert.equal(got.headers['scout-event-id'], event.id);
  assert.equal(got.headers['scout-event-kind'], 'vulnerability.new');
  assert.equal(got.headers['scout-delivery-attempt'], '1');
  const ts = String(got.headers['scout-timestamp']);
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 5);
  // Computed here independently, the way a receiver in any language would.
  const expected = 'v1=' + createHmac('sha256', secret).update(`${ts}.${got.body}`).digest('hex');
  assert.equal(got.headers['scout-signature'], expected);
  assert.equal(verifyWebhookSignature({ secret, body: got.body, timestamp: ts, signature: expected }), true);
  // A changed body, another secret, or an old timestamp do not verify.
  assert.equal(verifyWebhookSignature({ secret, body: got.body + ' ', timestamp: ts, signature: expected }), false);
  assert.equal(verifyWebhookSignature({ secret: newWebhookSecret(), body: got.body, timestamp: ts, signature: expected }), false);
  assert.equal(verifyWebhookSignature({ secret, body: got.body, timestamp: ts, signature: expected, now: (Number(ts) + 600) * 1000 }), false);
  const body = JSON.parse(got.body);
  assert.deepEqual(body, { event_id: event.id, org: 'acme', kind: 'vulnerability.new', created_at: event.createdAt, event, events_url: 'http://scout.example/v1/events' });
});

test("a Slack delivery is Slack's incoming-webhook JSON with the event in words", async (t) => {
  const rx = await startReceiver();
  t.after(() => rx.close());
  const req = renderDelivery({ url: rx.url, format: 'slack' }, { ...event, vulnerability: { ...event.vulnerability!, id: 'CVE-<x>&y' } }, { org: 'acme', attempt: 2 });
  assert.equal((await postDelivery(rx.url, req)).ok, true);
  const body = JSON.parse(rx.received[0].body);
  assert.deepEqual(Object.keys(body), ['text']);
  assert.equal(
    body.text,
    ':rotating_light: CVE-&lt;x&gt;&amp;y (critical) affects docker.io/acme/api:1.2@sha256:abababababab (running in production): pkg:npm/left-pad@1.0.0',
  );
  assert.equal(rx.received[0].headers['scout-signature'], undefined);
});

test('failed attempts say why: an error status, a refused connection, a timeout, a redirect', async (t) => {
  const rx = await startReceiver();
  t.after(() => rx.close());
  rx.failNext(503);
  const req = renderDelivery({ url: rx.url, format: 'json', secret: 's' }, event, { org: 'acme', attempt: 1 });
  const r503 = await postDelivery(rx.url, req);
  assert.deepEqual([r503.ok, r503.status, r503.error, r503.response], [false, 503, 'HTTP 503 Service Unavailable', 'nope']);

  // A port nobody listens on: the receiver we just closed.
  const gone = await startReceiver();
  await gone.close();
  const refused = await postDelivery(gone.url, req);
  assert.equal(refused.ok, false);
  assert.equal(refused.error, 'ECONNREFUSED');

  const slow = await startReceiver({ delayMs: 2000 });
  t.after(() => slow.close());
  const timedOut = await postDelivery(slow.url, req, { timeoutMs: 200 });
  assert.deepEqual([timedOut.ok, timedOut.error], [false, 'no answer within 200 ms']);

  const redirector = createServer((_req, res) => {
    res.writeHead(302, { location: rx.url });
    res.end();
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => redirector.close(() => r())));
  const before = rx.received.length;
  const redirected = await postDelivery(`http://127.0.0.1:${(redirector.address() as AddressInfo).port}/`, req);
  assert.deepEqual([redirected.ok, redirected.status], [false, 302]);
  assert.equal(rx.received.length, before, 'the redirect was not followed');
});

test('webhook URLs are checked before they are stored', () => {
  assert.equal(validateWebhookUrl('https://hooks.slack.com/services/T/B/x'), 'https://hooks.slack.com/services/T/B/x');
  assert.throws(() => validateWebhookUrl('not a url'), /is not a URL/);
  assert.throws(() => validateWebhookUrl('ftp://example.com/'), /must be http\(s\), not ftp:/);
  assert.throws(() => validateWebhookUrl('https://user:pw@example.com/'), /must not carry credentials/);
});
