/**
 * `deliver-webhook`: one attempt to deliver one event to one webhook.
 * - prepare: read the event and the webhook, POST (outside any transaction: a slow receiver
 *   holds no lock).
 * - apply: write the attempt to the delivery log; after a failure, queue the next attempt with
 *   exponential backoff (base, 2×, 4×…) in the same transaction, until `maxAttempts`.
 * A worker killed between the POST and the commit repeats the POST: receivers deduplicate on
 * the event id (Scout-Event-Id), as at-least-once delivery requires.
 * A prepare that throws (an unreadable stored event, a body that cannot be built, a read that
 * failed) is a failed attempt like a refused connection: it is written to the delivery log and
 * retried on the webhook's backoff. Left to the queue's own retries, the job would fail after
 * its few attempts with nothing in the log, and the event would never be delivered.
 */
import type { Kysely, Transaction } from 'kysely';
import { postDelivery, renderDelivery, type DeliveryResult, type WebhookFormat } from '../../notify/webhook.js';
import type { ScoutEvent } from '../../notify/events.js';
import type { DeliverPayload } from '../../store/kysely/activity-store.js';
import type { PlatformDatabase } from '../../store/kysely/schema.js';
import { uuidv7 } from '../../util/uuid7.js';
import { chunks } from '../../store/kysely/dialect.js';
import { timed, type JobPhases } from '../phases.js';
import { deliveryReader } from './delivery-reads.js';
import { backoffDelay, type JobHandler, type SendOptions } from '../queue.js';
import type { JobsDatabase } from '../schema.js';

export interface DeliverDeps {
  db: Kysely<PlatformDatabase>;
  /** Queues the next attempt inside the given transaction. */
  send: (payload: DeliverPayload, opts: SendOptions) => Promise<string>;
  /** First retry delay (default 30 s; then 1 min, 2 min, …). */
  backoffMs?: number;
  /** Attempts in all (default 8). */
  maxAttempts?: number;
  timeoutMs?: number;
  /** The server's public URL, for the body's `events_url`. */
  publicUrl?: string;
}

type Prepared = { result: DeliveryResult } | { gone: true };

/**
 * Attempts of one delivery job (not of the delivery: those are `maxAttempts`, each its own job).
 * They only cover an apply that cannot write the log (the database away): with the queue's
 * doubling from 1 s, ten attempts wait out about eight minutes of outage before the job fails.
 */
export const DELIVERY_JOB_ATTEMPTS = 10;

export function deliverWebhookHandler(deps: DeliverDeps): JobHandler<DeliverPayload, Prepared> {
  const maxAttempts = deps.maxAttempts ?? 8;
  const backoffMs = deps.backoffMs ?? 30_000;
  const read = deliveryReader(deps.db);
  /** Reads the event and the webhook (with the deliveries launched alongside), builds the request and POSTs it. */
  const attempt = async (p: DeliverPayload, phases: JobPhases): Promise<Prepared> => {
    const hook = await timed(phases, 'read', () => read(p));
    // Removed since (the webhook, or the image with its events): nothing to deliver.
    if (!hook) return { gone: true };
    const event = JSON.parse(hook.payload) as ScoutEvent;
    const req = renderDelivery({ url: hook.url, format: hook.format as WebhookFormat, ...(hook.secret ? { secret: hook.secret } : {}) }, event, {
      org: hook.org,
      attempt: p.attempt,
      ...(deps.publicUrl ? { eventsUrl: new URL(`/v1/events?after=${encodeURIComponent(event.id)}`, deps.publicUrl).toString() } : {}),
    });
    return { result: await timed(phases, 'http', () => postDelivery(hook.url, req, { timeoutMs: deps.timeoutMs ?? 10_000 })) };
  };
  return {
    async prepare(job) {
      const started = performance.now();
      try {
        return await attempt(job.payload, job.phases);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return { result: { ok: false, durationMs: Math.round(performance.now() - started), error: `could not prepare the delivery: ${why}` } };
      }
    },
    apply: (job, jtrx, prepared) => logAttempts([{ job, prepared }], jtrx),
    // Deliveries that finished together write their log rows in one insert.
    applyGroup: (items, jtrx) => logAttempts(items, jtrx),
  };

  /** The delivery log rows of these attempts, and the next attempt of each that failed with attempts left. */
  async function logAttempts(items: readonly { job: { payload: DeliverPayload }; prepared: Prepared }[], jtrx: Transaction<JobsDatabase>): Promise<void> {
    const trx = jtrx as unknown as Transaction<PlatformDatabase>;
    const rows: PlatformDatabase['webhook_deliveries'][] = [];
    const retries: { payload: DeliverPayload; next: Date }[] = [];
    for (const { job, prepared } of items) {
      if ('gone' in prepared) continue;
      const p = job.payload;
      const { result } = prepared;
      const retry = !result.ok && p.attempt < maxAttempts;
      const next = retry ? new Date(Date.now() + backoffDelay(p.attempt, backoffMs)) : undefined;
      rows.push({
        id: uuidv7(),
        org_id: p.orgId,
        webhook_id: p.webhookId,
        event_id: p.eventId,
        attempt: p.attempt,
        state: result.ok ? 'delivered' : retry ? 'retrying' : 'failed',
        status_code: result.status ?? null,
        error: result.error?.slice(0, 500) ?? null,
        duration_ms: result.durationMs,
        created_at: new Date().toISOString(),
        next_attempt_at: next?.toISOString() ?? null,
      });
      if (next) retries.push({ payload: p, next });
    }
    for (const c of chunks(rows, 500)) await trx.insertInto('webhook_deliveries').values(c).execute();
    for (const { payload: p, next } of retries) {
      await deps.send({ ...p, attempt: p.attempt + 1 }, { db: jtrx, runAt: next, key: `${p.eventId}:${p.webhookId}:${p.attempt + 1}`, maxAttempts: DELIVERY_JOB_ATTEMPTS });
    }
  }
}
