/**
 * The dashboard's organisation-wide queries over Kysely (SQLite and PostgreSQL). Contract:
 * ../dashboard-reader.ts. Every query carries this organisation's id on the org-owned table it
 * starts from; shared tables (packages) are only joined through those rows.
 */
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import { SEVERITY_LEVELS, type SeverityLevel } from '../../match/severity.js';
import { buildPurl } from '../../sbom/purl.js';
import type { ScoutEvent } from '../../notify/events.js';
import type { BaseImageUse, DashboardReader, ImageRef, OverviewData, PackageName, PackageNameFilter, TrendPoint, VexCounts, VulnerabilityFilter, VulnerabilitySummary } from '../dashboard-reader.js';
import type { Org, Page, PageRequest, SeverityCounts, VexStatusFilter } from '../platform-store.js';
import { decodeCursor, encodeCursor, limitOf, pageOf } from './cursor.js';
import { chunks, likeEscaped } from './dialect.js';
import { COUNT_COLUMNS, countsOfRow } from './image-counts.js';
import type { PlatformDatabase } from './schema.js';
import { settlePackageIndex } from './package-index.js';

const DAY_MS = 86_400_000;

function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0 };
}

function levelOf(s: string): SeverityLevel {
  return (SEVERITY_LEVELS as readonly string[]).includes(s) ? (s as SeverityLevel) : 'unknown';
}

/** Worst first: critical 0 … unknown 5. */
const RANK = sql<number>`case f.severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 when 'negligible' then 4 else 5 end`;

const like = (text: string) => sql`${`%${likeEscaped(text.trim().toLowerCase())}%`} escape '\\'`;

type DayCount = { day: string; severity: string; n: number | string | bigint };

/**
 * Findings open at the end of each day from `start` to `today`, walking back from the open
 * counts now: open at the end of day d = open now − opened after d + closed after d. (The same
 * as opened by d − closed by d, without reading any finding older than the window.)
 */
export function trendOf(openNow: SeverityCounts, opened: readonly DayCount[], closed: readonly DayCount[], start: string, today: string): TrendPoint[] {
  const counts = { ...openNow };
  const out: TrendPoint[] = [];
  const byDay = (rows: readonly DayCount[]) => {
    const m = new Map<string, DayCount[]>();
    for (const r of rows) m.set(r.day, [...(m.get(r.day) ?? []), r]);
    return m;
  };
  const openedOn = byDay(opened);
  const closedOn = byDay(closed);
  // Whatever opened or closed after today (a clock behind the data's) is undone first.
  for (const r of opened) if (r.day > today) counts[levelOf(r.severity)] -= Number(r.n);
  for (const r of closed) if (r.day > today) counts[levelOf(r.severity)] += Number(r.n);
  for (let t = Date.parse(`${today}T00:00:00Z`); t >= Date.parse(`${start}T00:00:00Z`); t -= DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push({ date: day, counts: { ...counts } });
    // Going back past this day: what opened on it was not open yet, what closed on it still was.
    for (const r of openedOn.get(day) ?? []) counts[levelOf(r.severity)] -= Number(r.n);
    for (const r of closedOn.get(day) ?? []) counts[levelOf(r.severity)] += Number(r.n);
  }
  return out.reverse();
}

/** A query over this organisation's open findings (`f`), filters applied, nothing selected yet. */
type OpenFindings = SelectQueryBuilder<PlatformDatabase & { f: PlatformDatabase['findings'] }, 'f', object>;

/** Open findings by VEX status, none counted yet. */
function emptyVexCounts(): VexCounts {
  return { not_affected: 0, affected: 0, fixed: 0, under_investigation: 0, none: 0 };
}

/**
 * Keeps the findings (`f`) whose VEX status is one of `wanted` (`none`: no row in finding_vex),
 * as an image's findings are filtered: each finding's row is found by finding_vex's key.
 */
function withVexStatus(q: OpenFindings, orgId: string, wanted: readonly VexStatusFilter[]): OpenFindings {
  const statuses = wanted.filter((v) => v !== 'none');
  const none = wanted.includes('none');
  const decided = (eb: ExpressionBuilder<PlatformDatabase & { f: PlatformDatabase['findings'] }, 'f'>) =>
    eb.selectFrom('finding_vex as v').select('v.status').where('v.org_id', '=', orgId).whereRef('v.image_id', '=', 'f.image_id').whereRef('v.purl', '=', 'f.purl').whereRef('v.vulnerability_id', '=', 'f.vulnerability_id');
  return q.where((eb) => eb.or([...(statuses.length ? [eb.exists(decided(eb).where('v.status', 'in', statuses))] : []), ...(none ? [eb.not(eb.exists(decided(eb)))] : [])]));
}

/** One vulnerability's matching open findings, aggregated: what a row of the list shows. */
type Aggregate = { id: string; rank: number; images: number; kev: number; cvss: number | null; fixable: number };

export class KyselyDashboardQueries implements DashboardReader {
  constructor(
    private readonly db: Kysely<PlatformDatabase>,
    private readonly org: Org,
  ) {}

  /** Open findings of this organisation. */
  private openFindings(): OpenFindings {
    return this.db.selectFrom('findings as f').where('f.org_id', '=', this.org.id).where('f.fixed_at', 'is', null).where('f.withdrawn_at', 'is', null);
  }

  /**
   * Open findings of this organisation with one of these package URLs: each purl seeks its open
   * findings in findings_open_purl (migration 12), which holds every column the list reads. As
   * `purl IN (subquery)` SQLite instead walked another index of the findings and read each row
   * for its purl (the total of `?q=npm-pkg-1` at 10,000 images: 77 ms of CPU; so, 2.8 ms).
   * CROSS JOIN is how SQLite is told to start from the left table; PostgreSQL plans it as any
   * inner join. packages.purl is unique, so each finding appears once.
   */
  private openFindingsOf(purls: ReturnType<KyselyDashboardQueries['purlsMatching']>): OpenFindings {
    const q = this.db
      .selectFrom(purls.as('m'))
      .crossJoin('findings as f')
      .whereRef('f.purl', '=', 'm.purl')
      .where('f.org_id', '=', this.org.id)
      .where('f.fixed_at', 'is', null)
      .where('f.withdrawn_at', 'is', null);
    // `m` is only the purls to start from: callers see the findings alone, as openFindings gives them.
    return q as unknown as OpenFindings;
  }

  private async refsOf(imageIds: readonly string[]): Promise<Map<string, ImageRef>> {
    const out = new Map<string, ImageRef>();
    if (!imageIds.length) return out;
    const rows = await this.db
      .selectFrom('images as i')
      .leftJoin('repositories as r', 'r.id', 'i.repository_id')
      .select(['i.id', 'i.digest', 'r.name as repository'])
      .where('i.org_id', '=', this.org.id)
      .where('i.id', 'in', imageIds)
      .execute();
    for (const r of rows) out.set(r.id, { digest: r.digest, ...(r.repository ? { repository: r.repository } : {}), tags: [] });
    const tags = await this.db.selectFrom('tags').select(['image_id', 'name']).where('org_id', '=', this.org.id).where('image_id', 'in', imageIds).where('until_at', 'is', null).orderBy('name').execute();
    for (const t of tags) out.get(t.image_id)?.tags.push(t.name);
    return out;
  }

  /** The stored open-finding counts of these images. */
  private async countsOf(imageIds: readonly string[]): Promise<Map<string, SeverityCounts>> {
    const out = new Map<string, SeverityCounts>();
    if (!imageIds.length) return out;
    const rows = await this.db.selectFrom('images').select(['id', ...COUNT_COLUMNS]).where('org_id', '=', this.org.id).where('id', 'in', imageIds).execute();
    for (const r of rows) out.set(r.id, countsOfRow(r));
    return out;
  }

  async overview(now = new Date(), days = 30): Promise<OverviewData> {
    const org = this.org.id;
    const today = now.toISOString().slice(0, 10);
    const windowStart = new Date(Date.parse(`${today}T00:00:00Z`) - (days - 1) * DAY_MS).toISOString().slice(0, 10);
    // The expressions findings_org_first_day and findings_org_closed_day index (migration 6).
    const firstDay = sql<string>`substr(f.first_seen_at, 1, 10)`;
    const closedDay = sql<string>`substr(coalesce(f.fixed_at, f.withdrawn_at), 1, 10)`;
    const [images, repositories, bySeverity, firstSeen, opened, closed, top] = await Promise.all([
      this.db.selectFrom('images').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', org).executeTakeFirstOrThrow(),
      this.db.selectFrom('repositories').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', org).executeTakeFirstOrThrow(),
      // The stored per-image counts, summed: the same open findings, without grouping them.
      this.db
        .selectFrom('images')
        .select(COUNT_COLUMNS.map((c) => sql<number>`coalesce(sum(${sql.ref(c)}), 0)`.as(c)))
        .where('org_id', '=', org)
        .executeTakeFirstOrThrow(),
      this.db.selectFrom('findings as f').select(sql<string | null>`min(${firstDay})`.as('day')).where('f.org_id', '=', org).executeTakeFirst(),
      // Only the findings opened or closed inside the window, by day, from the indexes alone:
      // the trend walks back from today's counts.
      this.db.selectFrom('findings as f').select([firstDay.as('day'), 'f.severity']).select((eb) => eb.fn.countAll<number>().as('n')).where('f.org_id', '=', org).where(firstDay, '>=', windowStart).groupBy([firstDay, 'f.severity']).execute(),
      this.db.selectFrom('findings as f').select([closedDay.as('day'), 'f.severity']).select((eb) => eb.fn.countAll<number>().as('n')).where('f.org_id', '=', org).where(closedDay, '>=', windowStart).groupBy([closedDay, 'f.severity']).execute(),
      this.db
        .selectFrom('images')
        .select(['id as image_id', 'fixable_critical as critical', 'fixable_high as high'])
        .where('org_id', '=', org)
        .where((eb) => eb.or([eb('fixable_critical', '>', 0), eb('fixable_high', '>', 0)]))
        .orderBy('fixable_critical', 'desc')
        .orderBy('fixable_high', 'desc')
        .orderBy('id', 'desc')
        .limit(5)
        .execute(),
    ]);
    const vulnerabilities = countsOfRow(bySeverity);
    const first = firstSeen?.day ?? undefined;
    const trend = first ? trendOf(vulnerabilities, opened, closed, first > windowStart ? first : windowStart, today) : [];

    const ids = top.map((r) => r.image_id);
    const [refs, counts, environments, events] = await Promise.all([this.refsOf(ids), this.countsOf(ids), this.environmentCounts(), this.latestEvents(5)]);
    return {
      images: Number(images.n),
      repositories: Number(repositories.n),
      vulnerabilities,
      trend,
      topImages: top.flatMap((r) => {
        const ref = refs.get(r.image_id);
        return ref ? [{ ...ref, fixable: { critical: Number(r.critical), high: Number(r.high) }, vulnerabilities: counts.get(r.image_id) ?? emptyCounts() }] : [];
      }),
      environments,
      events,
    };
  }

  /** Per environment: the distinct stored images running there now, their stored counts summed. */
  private async environmentCounts(): Promise<OverviewData['environments']> {
    const running = this.db
      .selectFrom('workloads as w')
      .innerJoin('images as i', (j) => j.onRef('i.digest', '=', 'w.image_digest').onRef('i.org_id', '=', 'w.org_id'))
      .select(['w.environment', 'i.id', ...COUNT_COLUMNS.map((c) => `i.${c}` as const)])
      .distinct()
      .where('w.org_id', '=', this.org.id)
      .where('w.ended_at', 'is', null);
    const rows = await this.db
      .selectFrom(running.as('e'))
      .select('e.environment')
      .select((eb) => eb.fn.countAll<number>().as('images'))
      .select(COUNT_COLUMNS.map((c) => sql<number>`sum(${sql.ref(`e.${c}`)})`.as(c)))
      .groupBy('e.environment')
      .orderBy('e.environment')
      .execute();
    return rows.map((r) => ({ name: r.environment, images: Number(r.images), vulnerabilities: countsOfRow(r) }));
  }

  /** The latest events as delivered (their stored payload), newest first. */
  private async latestEvents(n: number): Promise<ScoutEvent[]> {
    const rows = await this.db.selectFrom('events').select('payload').where('org_id', '=', this.org.id).orderBy('id', 'desc').limit(n).execute();
    return rows.map((r) => JSON.parse(r.payload) as ScoutEvent);
  }

  async vulnerabilities(filter: VulnerabilityFilter, page: PageRequest): Promise<Page<VulnerabilitySummary>> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['number', 'string']);
    const text = filter.q?.trim() ? filter.q : undefined;
    // Which of the two sets the text is in at all: a set it is in no part of is left out of the
    // filter (a purl IN an empty set still reads each finding's row to compare it).
    const found = text ? await this.textFound(text) : undefined;
    if (found && !found.ids && !found.purls) return { items: [], total: 0 };
    // The open findings the filters keep (`vex` too unless told otherwise: a row's VEX counts
    // are of the findings every other filter keeps). A text found in package URLs only starts
    // from those purls (openFindingsOf), so the index of open findings by purl is read, not
    // every finding.
    const byPurls = text !== undefined && found !== undefined && found.purls && !found.ids;
    const matching = (byVex = true) => {
      let q = byPurls ? this.openFindingsOf(this.purlsMatching(text)) : this.openFindings();
      if (byVex && filter.vex?.length) q = withVexStatus(q, this.org.id, filter.vex);
      // The severity's rank too, which it implies: findings_org_open_rank is read for that rank only.
      if (filter.severity) q = q.where('f.severity', '=', filter.severity).where(RANK, '=', Math.max(0, SEVERITY_LEVELS.indexOf(filter.severity)));
      if (filter.kev) q = q.where('f.kev', '=', 1);
      if (text && found && !byPurls) {
        q = q.where((eb) => eb.or([...(found.ids ? [eb('f.vulnerability_id', 'in', this.idsMatching(text))] : []), ...(found.purls ? [eb('f.purl', 'in', this.purlsMatching(text))] : [])]));
      }
      return q;
    };
    // The page in (rank, id) order: candidates read from the start of findings_org_open_rank
    // (migration 9), a (rank, id) pair per vulnerability and severity it has, and stopping once
    // there are enough; then the aggregates of those candidates alone. A candidate stays when its
    // rank is the vulnerability's worst (it also appears under its milder severities) and it
    // passes the fixable filter; too few kept, the next candidates after the last one are read.
    const rows: Aggregate[] = [];
    let from = after ? ([Number(after[0]), String(after[1])] as const) : undefined;
    for (let batch = limit + 1; rows.length <= limit; batch *= 4) {
      let c = matching().select([RANK.as('rank'), 'f.vulnerability_id as id']).distinct();
      if (from) c = c.where(sql<boolean>`(${RANK}, f.vulnerability_id) > (${from[0]}, ${from[1]})`);
      const candidates = await c.orderBy(RANK).orderBy('f.vulnerability_id').limit(batch).execute();
      if (!candidates.length) break;
      const aggregates = await this.aggregatesOf(matching, [...new Set(candidates.map((r) => r.id))]);
      for (const cand of candidates) {
        const a = aggregates.get(cand.id);
        if (!a || Number(a.rank) !== Number(cand.rank)) continue;
        if (filter.fixable !== undefined && (Number(a.fixable) === 1) !== filter.fixable) continue;
        rows.push(a);
        if (rows.length > limit) break;
      }
      if (candidates.length < batch) break;
      const last = candidates[candidates.length - 1]!;
      from = [Number(last.rank), last.id];
    }
    // The distinct ids, counted (no aggregate per vulnerability); fixable ones are those with a
    // matching finding that has a fix version, the others the rest. A DISTINCT subquery, not
    // count(distinct): PostgreSQL sorts all 80,000 ids for the latter, and hashes them for this.
    const distinct = (q: OpenFindings) =>
      this.db
        .selectFrom(q.select('f.vulnerability_id').distinct().as('d'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
        .then((r) => Number(r.n));
    const withFix = () => distinct(matching().where('f.fixed_version', 'is not', null));
    const total = filter.fixable === undefined ? await distinct(matching()) : filter.fixable ? await withFix() : (await distinct(matching())) - (await withFix());
    const ids = rows.slice(0, limit).map((r) => r.id);
    const packages = new Map<string, string[]>();
    const details = new Map<string, { summary?: string; epss?: { score: number; percentile: number } }>();
    const [running, vexCounts] = await Promise.all([this.runningOf(matching, ids), this.vexCountsOf(() => matching(false), ids)]);
    if (ids.length) {
      const names = await this.openFindings()
        .innerJoin('packages as p', 'p.purl', 'f.purl')
        .select(['f.vulnerability_id', 'p.name'])
        .distinct()
        .where('f.vulnerability_id', 'in', ids)
        .orderBy('p.name')
        .execute();
      for (const n of names) {
        const l = packages.get(n.vulnerability_id) ?? [];
        if (l.length < 10) l.push(n.name);
        packages.set(n.vulnerability_id, l);
      }
      const d = await this.openFindings().select('f.vulnerability_id').select(sql<string>`max(f.detail)`.as('detail')).where('f.vulnerability_id', 'in', ids).groupBy('f.vulnerability_id').execute();
      for (const r of d) details.set(r.vulnerability_id, JSON.parse(r.detail) as { summary?: string; epss?: { score: number; percentile: number } });
    }
    const out = pageOf(
      rows,
      limit,
      (r): VulnerabilitySummary => {
        const d = details.get(r.id);
        return {
          id: r.id,
          severity: SEVERITY_LEVELS[Number(r.rank)] ?? 'unknown',
          ...(r.cvss !== null && r.cvss !== undefined ? { cvssScore: Number(r.cvss) } : {}),
          kev: Number(r.kev) === 1,
          ...(d?.epss ? { epss: { score: d.epss.score, percentile: d.epss.percentile } } : {}),
          ...(d?.summary ? { summary: d.summary } : {}),
          fixable: Number(r.fixable) === 1,
          images: Number(r.images),
          environments: running.get(r.id)?.environments ?? 0,
          workloads: running.get(r.id)?.workloads ?? 0,
          packages: packages.get(r.id) ?? [],
          vex: vexCounts.get(r.id) ?? emptyVexCounts(),
        };
      },
      (r) => [Number(r.rank), r.id],
    );
    out.total = total;
    return out;
  }

  /*
   * `?q=` is matched against the small distinct sets the text can be in, not against the id and
   * purl of every open finding (80,000 at 10,000 images, each LIKE twice per statement): the ids
   * each of the organisation's vulnerabilities is known by (vulnerability_aliases: its own id is
   * one of its aliases) and the package URLs stored (packages: every finding's purl is one of a
   * pushed image's packages, which the push stores). Each is an uncorrelated IN subquery, which
   * SQLite and PostgreSQL evaluate once per statement; the findings are then kept by vulnerability
   * id or purl. Subqueries rather than bound lists: a short text matches thousands of purls.
   */
  private idsMatching(text: string) {
    return this.db.selectFrom('vulnerability_aliases as a').select('a.vulnerability_id').where('a.org_id', '=', this.org.id).where(sql`lower(a.alias)`, 'like', like(text));
  }

  private purlsMatching(text: string) {
    return this.db.selectFrom('packages as p').select('p.purl').where(sql`lower(p.purl)`, 'like', like(text));
  }

  private async textFound(text: string): Promise<{ ids: boolean; purls: boolean }> {
    const [ids, purls] = await Promise.all([this.idsMatching(text).limit(1).execute(), this.purlsMatching(text).limit(1).execute()]);
    return { ids: ids.length > 0, purls: purls.length > 0 };
  }

  /**
   * Where the images a row counts run now: per vulnerability, the environments and the workloads
   * (environment, cluster, namespace, type, name: a workload running several images is one)
   * running an image with one of its findings that `matching` keeps. One query for the page:
   * each affected image once per vulnerability, joined to its running workloads by digest.
   */
  private async runningOf(matching: () => OpenFindings, ids: readonly string[]): Promise<Map<string, { environments: number; workloads: number }>> {
    const out = new Map<string, { environments: number; workloads: number }>();
    if (!ids.length) return out;
    const org = this.org.id;
    const affected = matching()
      .innerJoin('images as i', 'i.id', 'f.image_id')
      .select(['f.vulnerability_id', 'i.digest'])
      .distinct()
      .where('i.org_id', '=', org)
      .where('f.vulnerability_id', 'in', ids);
    const workloads = this.db
      .selectFrom(affected.as('a'))
      .innerJoin('workloads as w', 'w.image_digest', 'a.digest')
      .select(['a.vulnerability_id', 'w.environment', 'w.cluster', 'w.namespace', 'w.type', 'w.name'])
      .distinct()
      .where('w.org_id', '=', org)
      .where('w.ended_at', 'is', null);
    const rows = await this.db
      .selectFrom(workloads.as('r'))
      .select('r.vulnerability_id')
      .select((eb) => [eb.fn.count<number>('r.environment').distinct().as('environments'), eb.fn.countAll<number>().as('workloads')])
      .groupBy('r.vulnerability_id')
      .execute();
    for (const r of rows) out.set(r.vulnerability_id, { environments: Number(r.environments), workloads: Number(r.workloads) });
    return out;
  }

  /**
   * Per vulnerability of the page, the findings `matching` keeps by VEX status: one grouped query,
   * each finding's finding_vex row joined by its key (no row: none).
   */
  private async vexCountsOf(matching: () => OpenFindings, ids: readonly string[]): Promise<Map<string, VexCounts>> {
    const out = new Map<string, VexCounts>();
    if (!ids.length) return out;
    const status = sql<string>`coalesce(v.status, 'none')`;
    const rows = await matching()
      .leftJoin('finding_vex as v', (j) => j.onRef('v.image_id', '=', 'f.image_id').onRef('v.purl', '=', 'f.purl').onRef('v.vulnerability_id', '=', 'f.vulnerability_id').on('v.org_id', '=', this.org.id))
      .select(['f.vulnerability_id', status.as('status')])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('f.vulnerability_id', 'in', ids)
      .groupBy(['f.vulnerability_id', status])
      .execute();
    for (const r of rows) {
      const counts = out.get(r.vulnerability_id) ?? emptyVexCounts();
      if (r.status in counts) counts[r.status as VexStatusFilter] += Number(r.n);
      out.set(r.vulnerability_id, counts);
    }
    return out;
  }

  /** Each of these vulnerabilities' findings that `matching` keeps, aggregated. */
  private async aggregatesOf(matching: () => OpenFindings, ids: readonly string[]): Promise<Map<string, Aggregate>> {
    const out = new Map<string, Aggregate>();
    for (const part of chunks(ids, 500)) {
      const rows = await matching()
        .select('f.vulnerability_id as id')
        .select([
          sql<number>`min(${RANK})`.as('rank'),
          sql<number>`count(distinct f.image_id)`.as('images'),
          sql<number>`max(f.kev)`.as('kev'),
          sql<number | null>`max(f.cvss_score)`.as('cvss'),
          sql<number>`max(case when f.fixed_version is null then 0 else 1 end)`.as('fixable'),
        ])
        .where('f.vulnerability_id', 'in', part)
        .groupBy('f.vulnerability_id')
        .execute();
      for (const r of rows) out.set(r.id, r);
    }
    return out;
  }

  async packageNames(filter: PackageNameFilter, page: PageRequest): Promise<Page<PackageName>> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string', 'string', 'string']);
    // Which images have which package: package_images, once every stored image is in it.
    await settlePackageIndex(this.db);
    let inner = this.db
      .selectFrom('package_images as ip')
      .innerJoin('packages as p', 'p.purl', 'ip.purl')
      .where('ip.org_id', '=', this.org.id)
      .select(['p.name', 'p.type', sql<string>`coalesce(p.namespace, '')`.as('ns')])
      .select(sql<number>`count(distinct ip.image_id)`.as('images'))
      .groupBy(['p.name', 'p.type', sql`coalesce(p.namespace, '')`]);
    if (filter.type) inner = inner.where('p.type', '=', filter.type);
    if (filter.q?.trim()) {
      const pattern = like(filter.q);
      inner = inner.where((eb) => eb.or([eb(sql`lower(p.name)`, 'like', pattern), eb(sql`lower(coalesce(p.namespace, ''))`, 'like', pattern)]));
    }
    let q = this.db.selectFrom(inner.as('g')).selectAll();
    if (after) q = q.where(sql<boolean>`(g.name, g.type, g.ns) > (${String(after[0])}, ${String(after[1])}, ${String(after[2])})`);
    const rows = await q.orderBy('g.name').orderBy('g.type').orderBy('g.ns').limit(limit + 1).execute();
    const kept = rows.slice(0, limit);
    const versions = new Map<string, string[]>();
    if (kept.length) {
      const v = await this.db
        .selectFrom('package_images as ip')
        .innerJoin('packages as p', 'p.purl', 'ip.purl')
        .select(['p.name', 'p.type', sql<string>`coalesce(p.namespace, '')`.as('ns'), 'p.version'])
        .distinct()
        .where('ip.org_id', '=', this.org.id)
        .where('p.name', 'in', [...new Set(kept.map((r) => r.name))])
        .orderBy('p.version')
        .execute();
      for (const r of v) {
        const k = `${r.type}\0${r.ns}\0${r.name}`;
        const l = versions.get(k) ?? [];
        if (l.length < 20) l.push(r.version);
        versions.set(k, l);
      }
    }
    return pageOf(
      rows,
      limit,
      (r): PackageName => ({
        purl: buildPurl({ type: r.type, ...(r.ns ? { namespace: r.ns } : {}), name: r.name }),
        type: r.type,
        ...(r.ns ? { namespace: r.ns } : {}),
        name: r.name,
        versions: versions.get(`${r.type}\0${r.ns}\0${r.name}`) ?? [],
        images: Number(r.images),
      }),
      (r) => [r.name, r.type, r.ns],
    );
  }

  async baseImages(page: PageRequest): Promise<Page<BaseImageUse>> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['number', 'string']);
    // Every (image, candidate base) pair: a stored image whose top chain ID is a proper prefix
    // of the image's chain, among this organisation's images and the public catalogue.
    const pairs = await this.db
      .selectFrom('image_layers as il')
      .innerJoin('images as i', 'i.id', 'il.image_id')
      .innerJoin('images as b', 'b.top_chain_id', 'il.chain_id')
      .innerJoin('orgs as o', 'o.id', 'b.org_id')
      .select(['il.image_id', 'b.id', 'b.org_id', 'b.digest', 'b.layer_count', 'b.pushed_at', 'o.catalog', 'b.repository_id'])
      .where('il.org_id', '=', this.org.id)
      .where('i.org_id', '=', this.org.id)
      .whereRef('il.position', '<', sql`i.layer_count - 1`)
      .where((eb) => eb.or([eb('b.org_id', '=', this.org.id), eb('o.catalog', '=', 1)]))
      .execute();
    const best = new Map<string, (typeof pairs)[number]>();
    for (const r of pairs) {
      const b = best.get(r.image_id);
      const better = !b || r.layer_count > b.layer_count || (r.layer_count === b.layer_count && (Number(r.catalog) < Number(b.catalog) || (Number(r.catalog) === Number(b.catalog) && r.pushed_at > b.pushed_at)));
      if (better) best.set(r.image_id, r);
    }
    const uses = new Map<string, { base: (typeof pairs)[number]; children: string[] }>();
    for (const [imageId, b] of best) {
      const u = uses.get(b.id) ?? { base: b, children: [] };
      u.children.push(imageId);
      uses.set(b.id, u);
    }
    const sorted = [...uses.values()].sort((a, b) => b.children.length - a.children.length || (a.base.digest < b.base.digest ? -1 : 1));
    const from = after ? sorted.findIndex((u) => u.children.length < Number(after[0]) || (u.children.length === Number(after[0]) && u.base.digest > String(after[1]))) : 0;
    const slice = from < 0 ? [] : sorted.slice(from, from + limit + 1);
    const kept = slice.slice(0, limit);
    const baseIds = kept.map((u) => u.base.id);
    const childIds = kept.flatMap((u) => u.children.slice(0, 5));
    const ownBaseIds = kept.filter((u) => u.base.org_id === this.org.id).map((u) => u.base.id);
    const [childRefs, counts, baseRows, baseTags] = await Promise.all([
      this.refsOf(childIds),
      this.countsOf(ownBaseIds),
      baseIds.length ? this.db.selectFrom('images as b').leftJoin('repositories as r', 'r.id', 'b.repository_id').select(['b.id', 'r.name as repository']).where('b.id', 'in', baseIds).execute() : Promise.resolve([]),
      // A catalogue base's tags belong to the catalogue: read by image id, as findBaseImage does.
      baseIds.length ? this.db.selectFrom('tags').select(['image_id', 'name']).where('image_id', 'in', baseIds).where('until_at', 'is', null).orderBy('name').execute() : Promise.resolve([]),
    ]);
    const repoOf = new Map(baseRows.map((r) => [r.id, r.repository]));
    const items: BaseImageUse[] = kept.map((u) => {
      const repository = repoOf.get(u.base.id);
      return {
        digest: u.base.digest,
        ...(repository ? { repository } : {}),
        tags: baseTags.filter((t) => t.image_id === u.base.id).map((t) => t.name),
        layers: u.base.layer_count,
        catalog: Number(u.base.catalog) === 1,
        images: u.children.length,
        children: u.children.slice(0, 5).flatMap((c) => (childRefs.has(c) ? [childRefs.get(c)!] : [])),
        ...(u.base.org_id === this.org.id ? { vulnerabilities: counts.get(u.base.id) ?? emptyCounts() } : {}),
      };
    });
    const out: Page<BaseImageUse> = { items };
    if (slice.length > limit) out.next = encodeCursor([items[items.length - 1].images, items[items.length - 1].digest]);
    return out;
  }
}
