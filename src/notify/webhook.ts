/**
 * Webhook delivery: one HTTP POST per (event, webhook) attempt; retries and the delivery log
 * are the `deliver-webhook` job's (src/jobs/handlers/). Two body formats:
 *
 * - `json`: `{ "event_id", "org", "kind", "created_at", "event": ScoutEvent, "events_url" }`,
 *   signed. Headers:
 *     Content-Type: application/json
 *     Scout-Event-Id: <the event's UUIDv7: deduplicate on it, a delivery may repeat>
 *     Scout-Event-Kind: vulnerability.new | vulnerability.fixed | vulnerability.withdrawn | image.pushed | policy.changed
 *     Scout-Delivery-Attempt: 1, 2, …
 *     Scout-Timestamp: Unix seconds when this attempt was signed
 *     Scout-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 *   A receiver recomputes the HMAC over the raw bytes it received, compares in constant time,
 *   and rejects timestamps older than a few minutes (replays): `verifyWebhookSignature` does that.
 * - `slack`: Slack's incoming-webhook format `{ "text" }` (the URL is the secret there).
 *
 * Redirects are not followed (a 3xx is a failed attempt): a webhook goes where it was told.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { ScoutError } from '../util/errors.js';
import { describeEvent, type ScoutEvent } from './events.js';

export type WebhookFormat = 'json' | 'slack';
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['json', 'slack'];

export interface WebhookTarget {
  url: string;
  format: WebhookFormat;
  /** Signs `json` deliveries. */
  secret?: string;
}

export interface DeliveryRequest {
  body: string;
  headers: Record<string, string>;
}

export interface DeliveryResult {
  ok: boolean;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  durationMs: number;
  /** Why it failed: the status line, a timeout, a refused connection. */
  error?: string;
  /** The start of the receiver's answer (1 KB), for the delivery log. */
  response?: string;
}

const RESPONSE_KEEP = 1024;

/** A new signing secret: 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** Checks a webhook URL before it is stored: http(s), a host, no credentials in it. */
export function validateWebhookUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ScoutError('bad-webhook-url', `webhook URL "${raw}" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ScoutError('bad-webhook-url', `webhook URL must be http(s), not ${u.protocol}`);
  if (u.username || u.password) throw new ScoutError('bad-webhook-url', 'webhook URL must not carry credentials: use the signing secret');
  return u.toString();
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * True when `signature` (the Scout-Signature header) is the HMAC of this body at this
 * timestamp, and the timestamp is within `toleranceSeconds` of now.
 */
export function verifyWebhookSignature(opts: { secret: string; body: string | Buffer; timestamp: string | number; signature: string; toleranceSeconds?: number; now?: number }): boolean {
  const ts = Number(opts.timestamp);
  if (!Number.isInteger(ts)) return false;
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(now - ts) > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(opts.secret, ts, opts.body.toString()));
  const given = Buffer.from(opts.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The body and headers of one delivery attempt. */
export function renderDelivery(target: WebhookTarget, event: ScoutEvent, ctx: { org: string; attempt: number; eventsUrl?: string; now?: number }): DeliveryRequest {
  if (target.format === 'slack') {
    return { body: JSON.stringify({ text: slackText(event) }), headers: { 'content-type': 'application/json' } };
  }
  const body = JSON.stringify({
    event_id: event.id,
    org: ctx.org,
    kind: event.kind,
    created_at: event.createdAt,
    event,
    ...(ctx.eventsUrl ? { events_url: ctx.eventsUrl } : {}),
  });
  const timestamp = Math.floor((ctx.now ?? Date.now()) / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'scout-event-id': event.id,
    'scout-event-kind': event.kind,
    'scout-delivery-attempt': String(ctx.attempt),
    'scout-timestamp': String(timestamp),
  };
  if (target.secret) headers['scout-signature'] = signWebhook(target.secret, timestamp, body);
  return { body, headers };
}

const SLACK_ICON: Record<ScoutEvent['kind'], string> = {
  'vulnerability.new': ':rotating_light:',
  'vulnerability.fixed': ':white_check_mark:',
  'vulnerability.withdrawn': ':wastebasket:',
  'image.pushed': ':package:',
  'policy.changed': ':clipboard:',
};

function slackText(event: ScoutEvent): string {
  // Slack's mrkdwn treats <, > and & as control characters.
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `${SLACK_ICON[event.kind]} ${esc(describeEvent(event))}`;
}

/**
 * Kept-alive connections, one pool per protocol: a re-match delivers an event per affected
 * image, and a new TLS handshake (or TCP connection) per delivery would cost more than the POST.
 */
const AGENTS = { 'http:': new http.Agent({ keepAlive: true, maxSockets: 32 }), 'https:': new https.Agent({ keepAlive: true, maxSockets: 32 }) };

/**
 * One POST; never throws. Node's http client rather than fetch: a delivery through fetch cost
 * about three times the CPU (its WHATWG streams and request objects), at 1,000 deliveries per
 * re-matched advisory. Like fetch with redirect 'manual', it follows no redirect.
 */
export async function postDelivery(url: string, req: DeliveryRequest, opts: { timeoutMs?: number; userAgent?: string } = {}): Promise<DeliveryResult> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? 10_000;
  try {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!client) throw new Error(`unsupported protocol ${target.protocol}`);
    const body = Buffer.from(req.body);
    const res = await new Promise<{ status: number; statusText: string; text: string }>((resolve, reject) => {
      const r = client.request(
        target,
        {
          method: 'POST',
          agent: AGENTS[target.protocol as 'http:' | 'https:'],
          headers: { ...req.headers, 'content-length': String(body.length), 'user-agent': opts.userAgent ?? 'iechor-scout-webhook' },
        },
        (answer) => {
          // The first KB of the answer, without reading an endless body.
          const chunks: Buffer[] = [];
          let size = 0;
          // (Buffer.concat of no chunk costs ~0.2 ms: most receivers answer an empty body.)
          const finish = () => resolve({ status: answer.statusCode ?? 0, statusText: answer.statusMessage ?? '', text: chunks.length ? Buffer.concat(chunks).subarray(0, RESPONSE_KEEP).toString('utf8') : '' });
          answer.on('data', (c: Buffer) => {
            if (size >= RESPONSE_KEEP) return;
            chunks.push(c);
            size += c.length;
            if (size >= RESPONSE_KEEP) {
              answer.destroy();
              finish();
            }
          });
          answer.on('end', finish);
          answer.on('error', reject);
        },
      );
      // Its own timer, cleared at the end: a signal firing later would reach a socket the
      // pool has handed to another delivery.
      const timer = setTimeout(() => r.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError' })), timeoutMs);
      r.on('close', () => clearTimeout(timer));
      r.on('error', reject);
      r.end(body);
    });
    const ok = res.status >= 200 && res.status < 300;
    return {
      ok,
      status: res.status,
      durationMs: Math.round(performance.now() - started),
      ...(ok ? {} : { error: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` }),
      response: res.text,
    };
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.code ?? e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, durationMs: Math.round(performance.now() - started), error: why };
  }
}
