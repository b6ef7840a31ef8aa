/**
 * One organisation's continuous data: the events outbox, webhooks and their delivery log, and
 * the workloads that say where its images run. Like OrgStore, it is opened for one org and
 * every query carries that org's id; routes reach it only through `request.activity`.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { ScoutError } from '../../util/errors.js';
import type { EventEnvironment, EventKind, ScoutEvent } from '../../notify/events.js';
import { newWebhookSecret, validateWebhookUrl, type WebhookFormat } from '../../notify/webhook.js';
import type { RuntimeInventory } from '../../environments/inventory.js';
import type { Org, Page, PageRequest } from '../platform-store.js';
import { decodeCursor, limitOf, pageOf } from './cursor.js';
import { chunks } from './dialect.js';
import { uuidv7 } from '../../util/uuid7.js';
import type { PlatformDatabase, WorkloadsTable } from './schema.js';
import { aliasedVulnerabilities } from './vulnerability-aliases.js';

type Db = Kysely<PlatformDatabase> | Transaction<PlatformDatabase>;

export interface EventFilter {
  kind?: string;
  image?: string;
  vulnerability?: string;
  /** Only events whose image ran in this environment when the event was made. */
  environment?: string;
}

export interface Webhook {
  id: string;
  url: string;
  format: WebhookFormat;
  kinds?: EventKind[];
  createdAt: string;
  /** Whether deliveries are signed (the secret itself is shown only when created). */
  signed: boolean;
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  attempt: number;
  state: 'delivered' | 'retrying' | 'failed';
  statusCode?: number;
  error?: string;
  durationMs: number;
  createdAt: string;
  nextAttemptAt?: string;
}

export interface Workload {
  id: string;
  environment: string;
  source: 'runtime' | 'manual';
  cluster: string;
  namespace: string;
  name: string;
  type: string;
  imageRef: string;
  imageDigest?: string;
  startedAt: string;
  endedAt?: string;
}

export interface EnvironmentSummary {
  name: string;
  workloads: number;
  images: number;
  lastChangeAt: string;
}

export interface InventoryResult {
  environment: string;
  cluster: string;
  workloads: number;
  opened: number;
  changed: number;
  closed: number;
}

function workloadOf(r: WorkloadsTable): Workload {
  return {
    id: r.id,
    environment: r.environment,
    source: r.source as Workload['source'],
    cluster: r.cluster,
    namespace: r.namespace,
    name: r.name,
    type: r.type,
    imageRef: r.image_ref,
    ...(r.image_digest ? { imageDigest: r.image_digest } : {}),
    startedAt: r.started_at,
    ...(r.ended_at ? { endedAt: r.ended_at } : {}),
  };
}

const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function checkEnvironmentName(name: string): string {
  if (!ENV_NAME.test(name)) throw new ScoutError('bad-environment', `environment name "${name}" must be letters, digits, ".", "_" or "-" (up to 63)`);
  return name;
}

/** Where these digests run now in one org: digest → environments with their workloads. */
export async function environmentsOf(db: Db, orgId: string, digests: readonly string[]): Promise<Map<string, EventEnvironment[]>> {
  const out = new Map<string, EventEnvironment[]>();
  for (const c of chunks([...new Set(digests)], 500)) {
    const rows = await db.selectFrom('workloads').selectAll().where('org_id', '=', orgId).where('ended_at', 'is', null).where('image_digest', 'in', c).orderBy('environment').orderBy('namespace').orderBy('name').execute();
    for (const r of rows) {
      const list = out.get(r.image_digest!) ?? [];
      out.set(r.image_digest!, list);
      let env = list.find((e) => e.name === r.environment);
      if (!env) list.push((env = { name: r.environment, workloads: [] }));
      env.workloads.push({ ...(r.cluster ? { cluster: r.cluster } : {}), ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name, type: r.type });
    }
  }
  return out;
}

/**
 * Stores events and queues one `deliver-webhook` job per (event, webhook that wants its kind),
 * in the caller's transaction: an event exists with its deliveries or not at all.
 */
export async function recordEvents(
  trx: Transaction<PlatformDatabase>,
  events: readonly { orgId: string; imageId: string; event: ScoutEvent }[],
  enqueue: (payloads: DeliverPayload[]) => Promise<void>,
): Promise<void> {
  if (!events.length) return;
  for (const c of chunks([...events], 500)) {
    await trx
      .insertInto('events')
      .values(
        c.map((e) => ({
          id: e.event.id,
          org_id: e.orgId,
          kind: e.event.kind,
          created_at: e.event.createdAt,
          image_id: e.imageId,
          image_digest: e.event.image.digest,
          vulnerability_id: e.event.vulnerability?.id ?? null,
          payload: JSON.stringify(e.event),
        })),
      )
      .execute();
  }
  const orgs = [...new Set(events.map((e) => e.orgId))];
  const hooks = await trx.selectFrom('webhooks').select(['id', 'org_id', 'kinds']).where('org_id', 'in', orgs).execute();
  if (!hooks.length) return;
  const payloads: DeliverPayload[] = [];
  for (const e of events) {
    for (const h of hooks) {
      if (h.org_id !== e.orgId) continue;
      const kinds = h.kinds ? (JSON.parse(h.kinds) as string[]) : undefined;
      if (kinds && !kinds.includes(e.event.kind)) continue;
      payloads.push({ orgId: e.orgId, eventId: e.event.id, webhookId: h.id, attempt: 1 });
    }
  }
  if (payloads.length) await enqueue(payloads);
}

/**
 * The `image.pushed` event of a newly stored image, written in the transaction that stores it
 * (OrgStore.putImage's `onCreated`), with where the digest already runs.
 */
export async function recordPushEvent(
  trx: Transaction<PlatformDatabase>,
  orgId: string,
  imageId: string,
  image: { digest: string; repository?: string; tags: readonly string[] },
  enqueue: (payloads: DeliverPayload[]) => Promise<void>,
): Promise<void> {
  const environments = (await environmentsOf(trx, orgId, [image.digest])).get(image.digest) ?? [];
  const event: ScoutEvent = {
    id: uuidv7(),
    kind: 'image.pushed',
    createdAt: new Date().toISOString(),
    image: { digest: image.digest, ...(image.repository ? { repository: image.repository } : {}), tags: [...image.tags] },
    environments,
  };
  await recordEvents(trx, [{ orgId, imageId, event }], enqueue);
}

/** Deletes events made before `before`, with their delivery log; returns how many events. */
export async function pruneEvents(db: Kysely<PlatformDatabase>, before: Date): Promise<number> {
  const cut = before.toISOString();
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('webhook_deliveries').where('event_id', 'in', (eb) => eb.selectFrom('events').select('id').where('created_at', '<', cut)).execute();
    const r = await trx.deleteFrom('events').where('created_at', '<', cut).executeTakeFirst();
    return Number(r.numDeletedRows);
  });
}

/** The `deliver-webhook` job's payload. */
export interface DeliverPayload {
  orgId: string;
  eventId: string;
  webhookId: string;
  attempt: number;
}

export class OrgActivity {
  constructor(
    private readonly db: Kysely<PlatformDatabase>,
    readonly org: Org,
  ) {}

  // ---- events ----------------------------------------------------------------------------

  async listEvents(filter: EventFilter, page: PageRequest & { after?: string }): Promise<Page<ScoutEvent>> {
    const limit = limitOf(page);
    const cursor = decodeCursor(page.cursor, ['string']);
    const after = cursor ? String(cursor[0]) : page.after;
    let q = this.db.selectFrom('events').select(['id', 'payload']).where('org_id', '=', this.org.id);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.image) q = q.where('image_digest', '=', filter.image);
    if (filter.vulnerability) q = q.where('vulnerability_id', '=', filter.vulnerability);
    if (after) q = q.where('id', '>', after);
    if (!filter.environment) {
      const rows = await q.orderBy('id').limit(limit + 1).execute();
      return pageOf(rows, limit, (r) => JSON.parse(r.payload) as ScoutEvent, (r) => [r.id]);
    }
    // The environment is inside the payload (as it was when the event was made): filter while
    // paging, reading ahead in batches so a page is still `limit` events.
    const env = filter.environment;
    const kept: { id: string; payload: string }[] = [];
    let from = after;
    for (;;) {
      const batch = await (from ? q.where('id', '>', from) : q).orderBy('id').limit(500).execute();
      for (const r of batch) {
        const e = JSON.parse(r.payload) as ScoutEvent;
        if (e.environments.some((x) => x.name === env)) kept.push(r);
        if (kept.length > limit) break;
      }
      if (kept.length > limit || batch.length < 500) break;
      from = batch[batch.length - 1].id;
    }
    return pageOf(kept, limit, (r) => JSON.parse(r.payload) as ScoutEvent, (r) => [r.id]);
  }

  async getEvent(id: string): Promise<ScoutEvent | undefined> {
    const r = await this.db.selectFrom('events').select('payload').where('org_id', '=', this.org.id).where('id', '=', id).executeTakeFirst();
    return r ? (JSON.parse(r.payload) as ScoutEvent) : undefined;
  }

  // ---- webhooks --------------------------------------------------------------------------

  async addWebhook(input: { url: string; format: WebhookFormat; kinds?: EventKind[] }): Promise<{ webhook: Webhook; secret?: string }> {
    const url = validateWebhookUrl(input.url);
    const secret = input.format === 'json' ? newWebhookSecret() : null;
    const row = { id: randomUUID(), org_id: this.org.id, url, format: input.format, secret, kinds: input.kinds?.length ? JSON.stringify(input.kinds) : null, created_at: new Date().toISOString() };
    await this.db.insertInto('webhooks').values(row).execute();
    return { webhook: this.webhookOf(row), ...(secret ? { secret } : {}) };
  }

  private webhookOf(r: PlatformDatabase['webhooks']): Webhook {
    return { id: r.id, url: r.url, format: r.format as WebhookFormat, ...(r.kinds ? { kinds: JSON.parse(r.kinds) as EventKind[] } : {}), createdAt: r.created_at, signed: r.secret !== null };
  }

  /** By creation, oldest first (the id breaks ties, so a cursor never skips nor repeats one). */
  async listWebhooks(page: PageRequest): Promise<Page<Webhook>> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string', 'string']);
    let q = this.db.selectFrom('webhooks').selectAll().where('org_id', '=', this.org.id);
    if (after) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(String(after[0]), String(after[1]))));
    const rows = await q.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
    return pageOf(rows, limit, (r) => this.webhookOf(r), (r) => [r.created_at, r.id]);
  }

  async getWebhook(id: string): Promise<Webhook | undefined> {
    const r = await this.db.selectFrom('webhooks').selectAll().where('org_id', '=', this.org.id).where('id', '=', id).executeTakeFirst();
    return r ? this.webhookOf(r) : undefined;
  }

  /** Deletes the webhook and its delivery log; queued attempts find it gone and stop. */
  async removeWebhook(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await trx.deleteFrom('webhooks').where('org_id', '=', this.org.id).where('id', '=', id).executeTakeFirst();
      if (Number(r.numDeletedRows) === 0) return false;
      await trx.deleteFrom('webhook_deliveries').where('org_id', '=', this.org.id).where('webhook_id', '=', id).execute();
      return true;
    });
  }

  async deliveries(webhookId: string, page: PageRequest): Promise<Page<WebhookDelivery> | undefined> {
    if (!(await this.getWebhook(webhookId))) return undefined;
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string']);
    let q = this.db.selectFrom('webhook_deliveries').selectAll().where('org_id', '=', this.org.id).where('webhook_id', '=', webhookId);
    // Newest first: the log is read to see what happened last.
    if (after) q = q.where('id', '<', String(after[0]));
    const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
    return pageOf(
      rows,
      limit,
      (r) => ({
        id: r.id,
        eventId: r.event_id,
        attempt: r.attempt,
        state: r.state as WebhookDelivery['state'],
        ...(r.status_code !== null ? { statusCode: r.status_code } : {}),
        ...(r.error ? { error: r.error } : {}),
        durationMs: r.duration_ms,
        createdAt: r.created_at,
        ...(r.next_attempt_at ? { nextAttemptAt: r.next_attempt_at } : {}),
      }),
      (r) => [r.id],
    );
  }

  // ---- environments ----------------------------------------------------------------------

  /**
   * Makes the stored workloads of (environment, cluster) what the inventory says: new ones are
   * opened, one running another image is closed and reopened with it, one missing is closed.
   */
  async applyInventory(inv: RuntimeInventory, now = new Date()): Promise<InventoryResult> {
    checkEnvironmentName(inv.environment);
    const at = now.toISOString();
    const key = (w: { namespace: string; type: string; name: string; imageRef: string; imageDigest?: string | null }) => `${w.namespace}\0${w.type}\0${w.name}\0${w.imageRef}\0${w.imageDigest ?? ''}`;
    const wkey = (w: { namespace: string; type: string; name: string }) => `${w.namespace}\0${w.type}\0${w.name}`;
    return this.db.transaction().execute(async (trx) => {
      const current = await trx.selectFrom('workloads').selectAll().where('org_id', '=', this.org.id).where('environment', '=', inv.environment).where('cluster', '=', inv.cluster).where('source', '=', 'runtime').where('ended_at', 'is', null).execute();
      const stored = new Map(current.map((r) => [key({ namespace: r.namespace, type: r.type, name: r.name, imageRef: r.image_ref, imageDigest: r.image_digest }), r]));
      const storedWorkloads = new Set(current.map((r) => wkey(r)));
      const seen = new Set<string>();
      const seenWorkloads = new Set<string>();
      const open: WorkloadsTable[] = [];
      const openedWorkloads = new Set<string>();
      for (const w of inv.workloads) {
        seenWorkloads.add(wkey(w));
        for (const img of w.images) {
          const k = key({ ...w, imageRef: img.ref, imageDigest: img.digest ?? null });
          if (seen.has(k)) continue;
          seen.add(k);
          if (stored.has(k)) continue;
          openedWorkloads.add(wkey(w));
          open.push({ id: randomUUID(), org_id: this.org.id, environment: inv.environment, source: 'runtime', cluster: inv.cluster, namespace: w.namespace, name: w.name, type: w.type, image_ref: img.ref, image_digest: img.digest ?? null, started_at: at, ended_at: null });
        }
      }
      const close = current.filter((r) => !seen.has(key({ namespace: r.namespace, type: r.type, name: r.name, imageRef: r.image_ref, imageDigest: r.image_digest }))).map((r) => r.id);
      for (const c of chunks(close, 500)) await trx.updateTable('workloads').set({ ended_at: at }).where('org_id', '=', this.org.id).where('id', 'in', c).execute();
      for (const c of chunks(open, 2000)) await trx.insertInto('workloads').values(c).execute();
      let opened = 0;
      let changed = 0;
      for (const w of openedWorkloads) {
        if (storedWorkloads.has(w)) changed++;
        else opened++;
      }
      let closed = 0;
      for (const w of storedWorkloads) if (!seenWorkloads.has(w)) closed++;
      return { environment: inv.environment, cluster: inv.cluster, workloads: seenWorkloads.size, opened, changed, closed };
    });
  }

  /**
   * `scout environment ENV IMAGE`: this image (its repository) runs in ENV now, replacing the
   * image of the same repository recorded there before (as Docker Scout's CLI does).
   */
  async setEnvironmentImage(environment: string, image: { ref: string; repository: string; digest?: string }, now = new Date()): Promise<Workload> {
    checkEnvironmentName(environment);
    const at = now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('workloads')
        .set({ ended_at: at })
        .where('org_id', '=', this.org.id)
        .where('environment', '=', environment)
        .where('source', '=', 'manual')
        .where('name', '=', image.repository)
        .where('ended_at', 'is', null)
        .execute();
      const row: WorkloadsTable = { id: randomUUID(), org_id: this.org.id, environment, source: 'manual', cluster: '', namespace: '', name: image.repository, type: 'Image', image_ref: image.ref, image_digest: image.digest ?? null, started_at: at, ended_at: null };
      await trx.insertInto('workloads').values(row).execute();
      return workloadOf(row);
    });
  }

  /**
   * Environments with something running now, by name (one row per name, so the name is the key),
   * in one query a page: the page's environments first (grouped, cut at the limit), then each
   * one's distinct workloads counted by a subquery of that environment alone, so the counting
   * is bounded by the page and costs no round trip per row.
   */
  async listEnvironments(page: PageRequest): Promise<Page<EnvironmentSummary>> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string']);
    const orgId = this.org.id;
    let environments = this.db
      .selectFrom('workloads')
      .select((eb) => ['environment', eb.fn.max('started_at').as('last'), eb.fn.count<number | string>('image_ref').distinct().as('images')])
      .where('org_id', '=', orgId)
      .where('ended_at', 'is', null);
    if (after) environments = environments.where('environment', '>', String(after[0]));
    const pageOfEnvironments = environments.groupBy('environment').orderBy('environment').limit(limit + 1);
    const rows = await this.db
      .selectFrom(pageOfEnvironments.as('p'))
      .select((eb) => [
        'p.environment',
        'p.last',
        'p.images',
        // A workload is its (namespace, type, name, cluster): a count of distinct tuples, which
        // SQLite's count(DISTINCT …) cannot take, so the distinct tuples are counted as rows.
        eb
          .selectFrom(
            eb
              .selectFrom('workloads as d')
              .select(['d.namespace', 'd.type', 'd.name', 'd.cluster'])
              .distinct()
              .where('d.org_id', '=', orgId)
              .where('d.environment', '=', eb.ref('p.environment'))
              .where('d.ended_at', 'is', null)
              .as('w'),
          )
          .select((c) => c.fn.countAll<number | string>().as('n'))
          .as('workloads'),
      ])
      .orderBy('p.environment')
      .execute();
    return pageOf(rows, limit, (r) => ({ name: r.environment, workloads: Number(r.workloads), images: Number(r.images), lastChangeAt: String(r.last) }), (r) => [r.environment]);
  }

  /** Workloads of an environment: those running now, or with `history` every period ever recorded. */
  async environmentWorkloads(environment: string, opts: { history?: boolean } & PageRequest): Promise<Page<Workload>> {
    const limit = limitOf(opts);
    const after = decodeCursor(opts.cursor, ['string', 'string', 'string', 'string', 'string']);
    let q = this.db.selectFrom('workloads').selectAll().where('org_id', '=', this.org.id).where('environment', '=', environment);
    if (!opts.history) q = q.where('ended_at', 'is', null);
    if (after) q = q.where((eb) => eb(eb.refTuple('cluster', 'namespace', 'name', 'started_at', 'id'), '>', eb.tuple(String(after[0]), String(after[1]), String(after[2]), String(after[3]), String(after[4]))));
    const rows = await q.orderBy('cluster').orderBy('namespace').orderBy('name').orderBy('started_at').orderBy('id').limit(limit + 1).execute();
    return pageOf(rows, limit, workloadOf, (r) => [r.cluster, r.namespace, r.name, r.started_at, r.id]);
  }

  /**
   * Workloads running now an image with an open finding of this vulnerability (any of its ids),
   * a page at a time by environment, cluster, namespace and name (the id breaks ties, so the
   * order is total and a cursor never skips or repeats a workload).
   */
  async workloadsWithVulnerability(id: string, page: PageRequest): Promise<Page<Workload>> {
    const orgId = this.org.id;
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string', 'string', 'string', 'string', 'string']);
    let q = this.db
      .selectFrom('workloads as w')
      .selectAll('w')
      .where('w.org_id', '=', orgId)
      .where('w.ended_at', 'is', null)
      .where('w.image_digest', 'in', (eb) =>
        eb
          .selectFrom('findings as f')
          .innerJoin('images as i', 'i.id', 'f.image_id')
          .select('i.digest')
          .where('f.org_id', '=', orgId)
          .where('i.org_id', '=', orgId)
          .where('f.vulnerability_id', 'in', aliasedVulnerabilities(this.db, orgId, id))
          .where('f.fixed_at', 'is', null)
          .where('f.withdrawn_at', 'is', null),
      );
    if (after) q = q.where((eb) => eb(eb.refTuple('w.environment', 'w.cluster', 'w.namespace', 'w.name', 'w.id'), '>', eb.tuple(String(after[0]), String(after[1]), String(after[2]), String(after[3]), String(after[4]))));
    const rows = await q.orderBy('w.environment').orderBy('w.cluster').orderBy('w.namespace').orderBy('w.name').orderBy('w.id').limit(limit + 1).execute();
    return pageOf(rows, limit, workloadOf, (r) => [r.environment, r.cluster, r.namespace, r.name, r.id]);
  }

  /** Where these image digests run now. */
  async environmentsOf(digests: readonly string[]): Promise<Map<string, EventEnvironment[]>> {
    return environmentsOf(this.db, this.org.id, digests);
  }
}
