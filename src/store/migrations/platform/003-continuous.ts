/**
 * The continuous platform: the events outbox, webhooks and their delivery log, and the
 * workloads that say where images run (environments). Frozen: add a migration to change.
 * Event and delivery ids are UUIDv7 (time-ordered text): they page lists as keyset cursors.
 */
import { sql, type Kysely } from 'kysely';

export const version = 3;
export const name = 'continuous';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // The image it is about (null once the image is deleted is never needed: its events go with it).
    .addColumn('image_id', 'text', (c) => c.notNull())
    .addColumn('image_digest', 'text', (c) => c.notNull())
    .addColumn('vulnerability_id', 'text')
    // The ScoutEvent as delivered (src/notify/events.ts), JSON.
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_org').on('events').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('events_org_kind').on('events').columns(['org_id', 'kind', 'id']).execute();
  await db.schema.createIndex('events_image').on('events').columns(['image_id']).execute();

  await db.schema
    .createTable('webhooks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    // Signs json deliveries; shown once when the webhook is created.
    .addColumn('secret', 'text')
    // JSON array of event kinds; null: every kind.
    .addColumn('kinds', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhooks_org').on('webhooks').columns(['org_id', 'id']).execute();

  // One row per attempt: the delivery log.
  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('webhook_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    // delivered | retrying (another attempt is queued) | failed (no attempt left)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text')
    .execute();
  await db.schema.createIndex('webhook_deliveries_hook').on('webhook_deliveries').columns(['org_id', 'webhook_id', 'id']).execute();
  await db.schema.createIndex('webhook_deliveries_event').on('webhook_deliveries').columns(['event_id']).execute();

  // One row per (workload, image) period: a workload that changes image closes its row and
  // opens another; one that disappears is closed (ended_at), never deleted.
  await db.schema
    .createTable('workloads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('environment', 'text', (c) => c.notNull())
    // runtime (posted inventories) | manual (scout environment ENV IMAGE)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('cluster', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('image_ref', 'text', (c) => c.notNull())
    .addColumn('image_digest', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .execute();
  await db.schema.createIndex('workloads_current').on('workloads').columns(['org_id', 'environment', 'cluster']).where(sql.ref('ended_at'), 'is', null).execute();
  await db.schema.createIndex('workloads_digest').on('workloads').columns(['org_id', 'image_digest']).execute();
  await db.schema.createIndex('workloads_history').on('workloads').columns(['org_id', 'environment', 'namespace', 'name', 'started_at']).execute();
}
