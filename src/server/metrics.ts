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
 * Gauges are read from the database when scraped, so every replica reports the same totals.
 */
import { sql, type Kysely } from 'kysely';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobOutcome, JobQueue } from '../jobs/queue.js';
import type { PlatformDatabase } from '../store/kysely/schema.js';

export interface MetricsDeps {
  db: Kysely<PlatformDatabase>;
  queue?: JobQueue;
}

const OPEN = sql<boolean>`f.fixed_at IS NULL AND f.withdrawn_at IS NULL`;

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
        const rows = await db
          .selectFrom('findings as f')
          .innerJoin('orgs as o', 'o.id', 'f.org_id')
          .select(['o.name as org', 'f.severity', (eb) => eb.fn.countAll<number>().as('n')])
          .where(OPEN)
          .where('o.catalog', '=', 0)
          .groupBy(['o.name', 'f.severity'])
          .execute();
        this.reset();
        for (const r of rows) this.set({ org: r.org, severity: r.severity }, Number(r.n));
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
          .innerJoin('images as i', (j) => j.onRef('i.org_id', '=', 'w.org_id').onRef('i.digest', '=', 'w.image_digest'))
          .select(['w.org_id', 'w.environment', 'i.id as image_id'])
          .distinct()
          .where('w.ended_at', 'is', null);
        const rows = await db
          .selectFrom(running.as('e'))
          .innerJoin('findings as f', 'f.image_id', 'e.image_id')
          .innerJoin('orgs as o', 'o.id', 'e.org_id')
          .select(['o.name as org', 'e.environment', 'f.severity', (eb) => eb.fn.countAll<number>().as('n')])
          .where(OPEN)
          .groupBy(['o.name', 'e.environment', 'f.severity'])
          .execute();
        this.reset();
        for (const r of rows) this.set({ org: r.org, environment: r.environment, severity: r.severity }, Number(r.n));
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
