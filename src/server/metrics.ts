/**
 * Prometheus metrics of a server or worker process (prom-client's text format), served on the
 * ops listener (src/server/ops.ts), never on the API port: their labels name organisations and
 * environments, which only the operator may see.
 * - scout_findings_open{org,severity}: open findings of every stored image (catalogue excluded).
 * - scout_environment_findings_open{org,environment,severity}: open findings of the images
 *   running now in each environment (an image in two workloads counts once per environment).
 * - scout_jobs{name,state}: the job queue's depth, read from the shared `jobs` table.
 * - scout_job_duration_seconds{name,outcome}: jobs this process ran.
 * - scout_http_request_duration_seconds{method,route,status}: API requests this process answered.
 * Gauges are read from the database when scraped, so every replica reports the same totals. The
 * findings gauges sum the open counts stored on each image row (kept by push and re-match), so a
 * scrape reads one row per image, never the findings table; every severity is reported, 0 too.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobOutcome, JobQueue } from '../jobs/queue.js';
import type { PlatformDatabase } from '../store/kysely/schema.js';
import { COUNT_COLUMNS } from '../store/kysely/image-counts.js';

export interface MetricsDeps {
  db: Kysely<PlatformDatabase>;
  queue?: JobQueue;
}

/** SUM of each stored count column of the images `i` in the group, named as the column. */
function sumsOf(eb: ExpressionBuilder<{ i: PlatformDatabase['images'] }, 'i'>) {
  return COUNT_COLUMNS.map((c) => eb.fn.sum<number | string | null>(`i.${c}`).as(c));
}

/** [severity, count] of a row of `sumsOf` (SUM is a string on PostgreSQL, null over no row). */
function severitiesOf(r: Partial<Record<(typeof COUNT_COLUMNS)[number], number | string | null>>): [string, number][] {
  return COUNT_COLUMNS.map((c) => [c.slice('open_'.length), Number(r[c] ?? 0)]);
}

export class PlatformMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobDuration: Histogram<'name' | 'outcome'>;

  constructor(deps: MetricsDeps) {
    const { db, queue } = deps;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'scout_' });
    this.httpDuration = new Histogram({
      name: 'scout_http_request_duration_seconds',
      help: 'API requests answered by this process, by route pattern (never the raw URL) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'scout_job_duration_seconds',
      help: 'Job attempts run by this process, by job name and outcome (ok, failed)',
      labelNames: ['name', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    new Gauge({
      name: 'scout_findings_open',
      help: 'Open findings (not fixed, not withdrawn) of stored images, by organisation and severity',
      labelNames: ['org', 'severity'],
      registers,
      async collect() {
        // The per-image counts that push and re-match keep (migration 004): one row per image
        // summed, not every finding grouped.
        const rows = await db
          .selectFrom('images as i')
          .innerJoin('orgs as o', 'o.id', 'i.org_id')
          .select((eb) => [eb.ref('o.name').as('org'), ...sumsOf(eb)])
          .where('o.catalog', '=', 0)
          .groupBy('o.name')
          .execute();
        this.reset();
        for (const r of rows) for (const [severity, n] of severitiesOf(r)) this.set({ org: r.org, severity }, n);
      },
    });
    new Gauge({
      name: 'scout_environment_findings_open',
      help: 'Open findings of the images running now in each environment, by organisation, environment and severity',
      labelNames: ['org', 'environment', 'severity'],
      registers,
      async collect() {
        const running = db
          .selectFrom('workloads as w')
          .innerJoin('images as ri', (j) => j.onRef('ri.org_id', '=', 'w.org_id').onRef('ri.digest', '=', 'w.image_digest'))
          .select(['w.org_id', 'w.environment', 'ri.id as image_id'])
          .distinct()
          .where('w.ended_at', 'is', null);
        const rows = await db
          .selectFrom(running.as('e'))
          .innerJoin('images as i', 'i.id', 'e.image_id')
          .innerJoin('orgs as o', 'o.id', 'e.org_id')
          .select((eb) => [eb.ref('o.name').as('org'), eb.ref('e.environment').as('environment'), ...sumsOf(eb)])
          .groupBy(['o.name', 'e.environment'])
          .execute();
        this.reset();
        for (const r of rows) for (const [severity, n] of severitiesOf(r)) this.set({ org: r.org, environment: r.environment, severity }, n);
      },
    });
    if (queue) {
      new Gauge({
        name: 'scout_jobs',
        help: 'Jobs in the shared queue by name and state (ready, retry, active, done, failed; done and failed until pruned)',
        labelNames: ['name', 'state'],
        registers,
        async collect() {
          const depth = await queue.depth();
          this.reset();
          for (const d of depth) this.set({ name: d.name, state: d.state }, d.count);
        },
      });
      queue.onOutcome((o) => this.recordJob(o));
    }
  }

  recordJob(o: JobOutcome): void {
    this.jobDuration.observe({ name: o.name, outcome: o.ok ? 'ok' : 'failed' }, o.durationMs / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
