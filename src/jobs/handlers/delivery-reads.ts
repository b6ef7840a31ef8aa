/**
 * What a webhook delivery reads before its POST (the webhook, its organisation's name and the
 * event), for every delivery that asks in the same turn of the event loop with ONE query: the
 * queue launches a claim's jobs together, so a claim of 16 deliveries costs one read, not 16
 * (on PostgreSQL each statement is a round trip, and a re-match delivers thousands).
 */
import type { Kysely } from 'kysely';
import type { DeliverPayload } from '../../store/kysely/activity-store.js';
import type { PlatformDatabase } from '../../store/kysely/schema.js';
import { chunks } from '../../store/kysely/dialect.js';

export interface DeliveryTarget {
  url: string;
  format: string;
  secret: string | null;
  org: string;
  /** The stored event, as JSON. */
  payload: string;
}

type Key = Pick<DeliverPayload, 'orgId' | 'webhookId' | 'eventId'>;

/** Deliveries per query at most (3 bound parameters each). */
const READ_CHUNK = 200;

const keyOf = (k: Key) => `${k.orgId}\0${k.webhookId}\0${k.eventId}`;

/**
 * A reader: `read(p)` resolves to the delivery's target, or undefined when the webhook or the
 * event is gone (removed since it was queued). A failed query rejects every read it served.
 */
export function deliveryReader(db: Kysely<PlatformDatabase>): (p: Key) => Promise<DeliveryTarget | undefined> {
  let waiting: { key: Key; resolve: (t: DeliveryTarget | undefined) => void; reject: (err: unknown) => void }[] = [];
  const flush = async () => {
    const batch = waiting;
    waiting = [];
    const unique = [...new Map(batch.map((w) => [keyOf(w.key), w.key])).values()];
    try {
      const found = new Map<string, DeliveryTarget>();
      for (const c of chunks(unique, READ_CHUNK)) {
        const rows = await db
          .selectFrom('webhooks as w')
          .innerJoin('orgs as o', 'o.id', 'w.org_id')
          .innerJoin('events as e', 'e.org_id', 'w.org_id')
          .select(['w.org_id', 'w.id as webhook_id', 'e.id as event_id', 'w.url', 'w.format', 'w.secret', 'o.name as org', 'e.payload'])
          .where((eb) => eb.or(c.map((k) => eb.and([eb('w.org_id', '=', k.orgId), eb('w.id', '=', k.webhookId), eb('e.id', '=', k.eventId)]))))
          .execute();
        for (const r of rows) found.set(keyOf({ orgId: r.org_id, webhookId: r.webhook_id, eventId: r.event_id }), { url: r.url, format: r.format, secret: r.secret, org: r.org, payload: r.payload });
      }
      for (const w of batch) w.resolve(found.get(keyOf(w.key)));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  };
  return (key) =>
    new Promise((resolve, reject) => {
      waiting.push({ key, resolve, reject });
      if (waiting.length === 1) setImmediate(() => void flush());
    });
}
