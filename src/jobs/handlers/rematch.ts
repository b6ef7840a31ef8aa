/**
 * `rematch`: after advisories changed, re-match only the stored packages they name and update
 * findings, never reading an image again.
 *
 * - prepare (outside the transaction): stored packages by the advisories' (ecosystem,
 *   normalised name) keys, the images holding them, and `match()` on those packages only. A
 *   package is matched once per distribution, however many images hold it.
 * - apply (one transaction with the job's completion): diff against the stored findings of
 *   those (image, package) pairs, for the changed vulnerabilities only, then write:
 *     matched, not stored (or stored closed) → opened, event `vulnerability.new`
 *     matched and open                      → last_seen_at, severity, fix version refreshed
 *     open, no longer matched               → `withdrawn_at` when no live advisory has that id
 *                                             any more (`vulnerability.withdrawn`), else
 *                                             `fixed_at` (the advisory now says this version
 *                                             is not affected: `vulnerability.fixed`)
 *   Events (one per image, vulnerability and kind, listing the packages) and their webhook
 *   deliveries commit in the same transaction; findings are never deleted. The images' policies
 *   are evaluated again in it too (`policy.changed` when a policy's status moved).
 * Retried after a crash, the diff runs against what is stored: nothing is applied twice.
 */
import { refreshFindingVex } from '../../store/kysely/vex-store.js';
import { sql, type Kysely, type Transaction } from 'kysely';
import { normalizePackageName } from '../../advisories/ecosystems.js';
import type { Finding } from '../../match/types.js';
import type { SeverityLevel } from '../../match/severity.js';
import type { EventKind, ScoutEvent } from '../../notify/events.js';
import type { DistroInfo, Package, Sbom } from '../../sbom/model.js';
import type { AdvisoryStore } from '../../store/advisory-store.js';
import { environmentsOf, recordEvents, type DeliverPayload } from '../../store/kysely/activity-store.js';
import { chunks } from '../../store/kysely/dialect.js';
import { settlePackageIndex } from '../../store/kysely/package-index.js';
import { findingDetail } from '../../store/kysely/org-store.js';
import { ImageCountDeltas } from '../../store/kysely/image-counts.js';
import type { PlatformDatabase } from '../../store/kysely/schema.js';
import { uuidv7 } from '../../util/uuid7.js';
import { timed, type JobPhases } from '../phases.js';
import type { JobHandler } from '../queue.js';
import type { JobsDatabase } from '../schema.js';
import { appendAll } from '../../util/arrays.js';

export interface RematchKey {
  ecosystem: string;
  /** Absent: every stored package of the ecosystem (after a whole feed was replaced). */
  name?: string;
}

export interface RematchPayload {
  /** (ecosystem, package name) of every affected entry of the changed records, old and new. */
  keys: RematchKey[];
  /**
   * Ids and aliases of the changed records: only findings of these are re-decided. Absent:
   * every finding of the packages (a whole feed was replaced, so any of them may have changed).
   */
  ids?: string[];
}

interface Target {
  orgId: string;
  imageId: string;
  digest: string;
  repository?: string;
  purl: string;
  group: string;
}

interface Prepared {
  targets: Target[];
  desired: Map<string, Finding[]>;
}

export interface RematchDeps {
  db: Kysely<PlatformDatabase>;
  advisories: AdvisoryStore;
  /** Queues deliver-webhook jobs inside the given transaction. */
  enqueueDeliveries: (trx: Transaction<PlatformDatabase>, payloads: DeliverPayload[]) => Promise<void>;
  dialect: 'sqlite' | 'postgres';
}

/**
 * Re-matches apply one at a time on PostgreSQL (a transaction-level advisory lock, taken before
 * the stored findings are read): two workers re-matching the same vulnerability at once would
 * otherwise both close a finding each saw open, and both move the image's counts and record
 * the event. SQLite has one writer anyway.
 */
const REMATCH_LOCK_KEY = 0x72656d61;

const KEY_CHUNK = 200;

/** Stored packages whose advisory key is one of these: an exact ecosystem, or any release of a bare one ('Debian' → 'Debian:12'). */
async function packagesByKeys(db: Kysely<PlatformDatabase>, keys: readonly RematchKey[]) {
  const out: PlatformDatabase['packages'][] = [];
  const norm = (k: RematchKey) => (k.name === undefined ? undefined : normalizePackageName(k.ecosystem, k.name));
  const uniq = [...new Map(keys.map((k) => [`${k.ecosystem}\0${norm(k) ?? '*'}`, { ecosystem: k.ecosystem, name: norm(k) }])).values()];
  for (const c of chunks(uniq, KEY_CHUNK)) {
    const rows = await db
      .selectFrom('packages')
      .selectAll()
      .where((eb) =>
        eb.or(
          c.map((k) => {
            const ecosystem = k.ecosystem.includes(':') ? eb('ecosystem', '=', k.ecosystem) : eb.or([eb('ecosystem', '=', k.ecosystem), eb.and([eb('ecosystem', '>', `${k.ecosystem}:`), eb('ecosystem', '<', `${k.ecosystem};`)])]);
            return k.name === undefined ? ecosystem : eb.and([eb('match_name', '=', k.name), ecosystem]);
          }),
        ),
      )
      .execute();
    appendAll(out, rows);
  }
  return out;
}

async function prepare(deps: RematchDeps, payload: RematchPayload, phases: JobPhases): Promise<Prepared> {
  const { targets, groups } = await timed(phases, 'query', () => targetsOf(deps, payload), true);
  const desired = await timed(phases, 'match', () => matchGroups(deps, payload, groups), true);
  return { targets, desired };
}

type Groups = Map<string, { distro?: DistroInfo; pkg: Package }>;

/** The stored (image, package) pairs the payload's keys name, and the distinct packages to match among them. */
async function targetsOf(deps: RematchDeps, payload: RematchPayload): Promise<{ targets: Target[]; groups: Groups }> {
  const pkgs = await packagesByKeys(deps.db, payload.keys);
  const byPurl = new Map(pkgs.map((p) => [p.purl, p]));
  const targets: Target[] = [];
  // group → the package to match, per distribution
  const groups: Groups = new Map();
  // Every stored image's packages are in package_images once it settles, the newest push's too.
  if (byPurl.size) await settlePackageIndex(deps.db);
  for (const c of chunks([...byPurl.keys()], 500)) {
    const rows = await deps.db
      .selectFrom('package_images as pi')
      .innerJoin('image_packages as ip', (j) => j.onRef('ip.image_id', '=', 'pi.image_id').onRef('ip.ordinal', '=', 'pi.ordinal'))
      .innerJoin('images as i', 'i.id', 'ip.image_id')
      .leftJoin('repositories as r', 'r.id', 'i.repository_id')
      .select(['ip.org_id', 'ip.image_id', 'ip.purl', 'ip.detail', 'i.digest', 'i.distro', 'r.name as repository'])
      .where('pi.purl', 'in', c)
      .execute();
    for (const r of rows) {
      const detail = JSON.parse(r.detail) as Omit<Package, 'purl' | 'name' | 'version' | 'type'>;
      // Language packages an OS package installed are the distribution's to report: push-time
      // matching left them out ('os-owned'), so does this.
      if (detail.ownedBy) continue;
      const p = byPurl.get(r.purl)!;
      const group = `${r.distro ?? ''}\0${r.purl}\0${JSON.stringify(detail.source ?? null)}`;
      if (!groups.has(group)) {
        const pkg = { ...detail, id: `g${groups.size}`, purl: p.purl, name: p.name, ...(p.namespace !== null ? { namespace: p.namespace } : {}), version: p.version, type: p.type, locations: [], licenses: [] } as Package;
        groups.set(group, { ...(r.distro ? { distro: JSON.parse(r.distro) as DistroInfo } : {}), pkg });
      }
      targets.push({ orgId: r.org_id, imageId: r.image_id, digest: r.digest, ...(r.repository ? { repository: r.repository } : {}), purl: r.purl, group });
    }
  }
  return { targets, groups };
}

/** The findings of the changed advisories, by package group: one match() per distribution over that distribution's packages. */
async function matchGroups(deps: RematchDeps, payload: RematchPayload, groups: Groups): Promise<Map<string, Finding[]>> {
  const byDistro = new Map<string, { distro?: DistroInfo; items: [string, Package][] }>();
  for (const [group, g] of groups) {
    const dk = JSON.stringify(g.distro ?? null);
    const e = byDistro.get(dk) ?? { ...(g.distro ? { distro: g.distro } : {}), items: [] };
    byDistro.set(dk, e);
    e.items.push([group, g.pkg]);
  }
  const desired = new Map<string, Finding[]>();
  const changed = payload.ids ? new Set(payload.ids) : undefined;
  const { match } = await import('../../match/matcher.js');
  for (const { distro, items } of byDistro.values()) {
    const sbom: Sbom = { schema: 'iechor-scout/sbom@1', generatedAt: new Date().toISOString(), tool: { name: 'iechor-scout', version: 'rematch' }, ...(distro ? { distro } : {}), packages: items.map(([, p]) => p), packageCount: items.length, warnings: [] };
    const result = await match(sbom, deps.advisories);
    const groupOf = new Map(items.map(([g, p]) => [p.id, g]));
    for (const f of result.findings) {
      if (f.status === 'not-affected') continue;
      if (changed && !f.ids.some((id) => changed.has(id)) && !changed.has(f.id)) continue;
      const g = groupOf.get(f.package.id)!;
      const list = desired.get(g) ?? [];
      desired.set(g, list);
      list.push(f);
    }
  }
  return desired;
}

/** True when no live (not withdrawn) advisory carries this id any more. */
async function isWithdrawn(advisories: AdvisoryStore, id: string): Promise<boolean> {
  const found = [...(await advisories.byAlias(id))];
  const own = await advisories.get(id);
  if (own) found.push(own);
  return found.every((a) => a.withdrawn);
}

/** Stored findings of these images and purls, by `${image}\0${purl}`. */
async function storedFindings(trx: Transaction<PlatformDatabase>, imageIds: readonly string[], purls: readonly string[]): Promise<Map<string, PlatformDatabase['findings'][]>> {
  const stored = new Map<string, PlatformDatabase['findings'][]>();
  for (const ic of chunks([...imageIds], 500)) {
    for (const pc of chunks([...purls], 500)) {
      const rows = await trx.selectFrom('findings').selectAll().where('image_id', 'in', ic).where('purl', 'in', pc).execute();
      for (const r of rows) {
        const k = `${r.image_id}\0${r.purl}`;
        const list = stored.get(k) ?? [];
        stored.set(k, list);
        list.push(r);
      }
    }
  }
  return stored;
}

async function apply(deps: RematchDeps, payload: RematchPayload, trx: Transaction<PlatformDatabase>, prepared: Prepared, phases: JobPhases): Promise<void> {
  const now = new Date().toISOString();
  const changed = payload.ids ? new Set(payload.ids) : undefined;
  const { desired } = prepared;
  // An image holding a purl twice (two locations) has one set of findings for it.
  const byPair = new Map<string, Target>();
  for (const t of prepared.targets) if (!byPair.has(`${t.imageId}\0${t.purl}`)) byPair.set(`${t.imageId}\0${t.purl}`, t);
  const targets = [...byPair.values()];
  if (!targets.length) return;
  const imageIds = [...new Set(targets.map((t) => t.imageId))];
  const purls = [...new Set(targets.map((t) => t.purl))];
  if (deps.dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(${REMATCH_LOCK_KEY})`.execute(trx);
  const stored = await timed(phases, 'stored', () => storedFindings(trx, imageIds, purls), true);
  const findingsStarted = performance.now();
  const findingsCpu = process.cpuUsage();
  const inserts: PlatformDatabase['findings'][] = [];
  const aliases: PlatformDatabase['vulnerability_aliases'][] = [];
  const changes: Change[] = [];
  const withdrawnCache = new Map<string, boolean>();
  // Every open finding opened, closed or changed, for the images' stored counts.
  const counts = new ImageCountDeltas();
  for (const t of targets) {
    const want = desired.get(t.group) ?? [];
    const have = stored.get(`${t.imageId}\0${t.purl}`) ?? [];
    const haveById = new Map(have.map((r) => [r.vulnerability_id, r]));
    const wanted = new Set<string>();
    for (const f of want) {
      wanted.add(f.id);
      const row = haveById.get(f.id);
      const base = { severity: f.severity.level, cvss_score: f.severity.score ?? null, status: f.status, fixed_version: f.fixedVersions[0] ?? null, kev: f.kev ? 1 : 0, last_seen_at: now, detail: findingDetail(f) };
      const change = { t, vuln: f.id, severity: f.severity.level, version: f.package.version, fixedVersions: f.fixedVersions };
      if (!row) {
        inserts.push({ image_id: t.imageId, purl: t.purl, vulnerability_id: f.id, org_id: t.orgId, first_seen_at: now, fixed_at: null, withdrawn_at: null, ...base });
        counts.add(t.imageId, base.severity, base.fixed_version, 1);
        for (const alias of new Set([f.id, ...f.ids])) aliases.push({ org_id: t.orgId, vulnerability_id: f.id, alias });
        changes.push({ ...change, kind: 'vulnerability.new' });
      } else {
        const reopened = row.fixed_at !== null || row.withdrawn_at !== null;
        if (!reopened) counts.add(t.imageId, row.severity, row.fixed_version, -1);
        counts.add(t.imageId, base.severity, base.fixed_version, 1);
        await trx.updateTable('findings').set({ ...base, fixed_at: null, withdrawn_at: null }).where('image_id', '=', t.imageId).where('purl', '=', t.purl).where('vulnerability_id', '=', f.id).execute();
        if (reopened) changes.push({ ...change, kind: 'vulnerability.new' });
      }
    }
    for (const row of have) {
      if (wanted.has(row.vulnerability_id) || row.fixed_at !== null || row.withdrawn_at !== null) continue;
      const detail = JSON.parse(row.detail) as { ids?: string[]; packageVersion: string; fixedVersions?: string[] };
      const ids = [row.vulnerability_id, ...(detail.ids ?? [])];
      if (changed && !ids.some((id) => changed.has(id))) continue;
      let gone = withdrawnCache.get(row.vulnerability_id);
      if (gone === undefined) withdrawnCache.set(row.vulnerability_id, (gone = await isWithdrawn(deps.advisories, row.vulnerability_id)));
      await trx
        .updateTable('findings')
        .set(gone ? { withdrawn_at: now } : { fixed_at: now })
        .where('image_id', '=', t.imageId)
        .where('purl', '=', t.purl)
        .where('vulnerability_id', '=', row.vulnerability_id)
        .execute();
      counts.add(t.imageId, row.severity, row.fixed_version, -1);
      changes.push({ t, kind: gone ? 'vulnerability.withdrawn' : 'vulnerability.fixed', vuln: row.vulnerability_id, severity: row.severity as SeverityLevel, version: detail.packageVersion, fixedVersions: detail.fixedVersions ?? [] });
    }
  }
  for (const c of chunks(inserts, 1000)) await trx.insertInto('findings').values(c).execute();
  // A vulnerability the organisation had already keeps its rows (the conflicts insert nothing).
  for (const c of chunks(aliases, 2000)) await trx.insertInto('vulnerability_aliases').values(c).onConflict((oc) => oc.doNothing()).execute();
  phases.findings = performance.now() - findingsStarted;
  const used = process.cpuUsage(findingsCpu);
  phases['cpu.findings'] = (used.user + used.system) / 1000;
  // New findings get the VEX status their organisation's statements give them, before the
  // policies judge them (one indexed lookup per organisation without statements).
  if (inserts.length) {
    const byOrg = new Map<string, Set<string>>();
    for (const r of inserts) byOrg.set(r.org_id, (byOrg.get(r.org_id) ?? new Set()).add(r.image_id));
    await timed(
      phases,
      'vex',
      async () => {
        for (const [orgId, ids] of byOrg) await refreshFindingVex(trx, orgId, { imageIds: [...ids] });
      },
      true,
    );
  }
  // Each image's counts move by what this re-match opened, closed or changed: no recount.
  await timed(phases, 'counts', () => counts.apply(trx), true);
  // `events` includes `enqueue` (the deliveries' jobs it queues).
  const enqueue = (payloads: DeliverPayload[]) => timed(phases, 'enqueue', () => deps.enqueueDeliveries(trx, payloads), true);
  if (changes.length) await timed(phases, 'events', () => recordChanges(trx, changes, imageIds, now, enqueue), true);
  // The policies judge the findings as they now are (a fix version that appeared makes a
  // vulnerability fixable): every image looked at, its results and events in this transaction.
  const { evaluateStoredImages } = await import('../../platform/policy-evaluation.js');
  await timed(phases, 'policies', () => evaluateStoredImages(trx, imageIds, { trigger: 'rematch', enqueue: (payloads) => deps.enqueueDeliveries(trx, payloads) }), true);
}

type Change = { t: Target; kind: EventKind; vuln: string; severity: SeverityLevel; version: string; fixedVersions: string[] };

/** One event per (image, vulnerability, kind), listing the image's packages it concerns. */
async function recordChanges(
  trx: Transaction<PlatformDatabase>,
  changes: readonly Change[],
  imageIds: readonly string[],
  now: string,
  enqueue: (payloads: DeliverPayload[]) => Promise<void>,
): Promise<void> {
  const grouped = new Map<string, Change[]>();
  for (const ch of changes) {
    const k = `${ch.t.imageId}\0${ch.vuln}\0${ch.kind}`;
    const list = grouped.get(k) ?? [];
    grouped.set(k, list);
    list.push(ch);
  }
  const tags = new Map<string, string[]>();
  for (const c of chunks(imageIds, 500)) {
    const rows = await trx.selectFrom('tags').select(['image_id', 'name']).where('image_id', 'in', c).where('until_at', 'is', null).orderBy('name').execute();
    for (const r of rows) tags.set(r.image_id, [...(tags.get(r.image_id) ?? []), r.name]);
  }
  const envByOrg = new Map<string, Map<string, ScoutEvent['environments']>>();
  for (const orgId of new Set(changes.map((c) => c.t.orgId))) {
    envByOrg.set(orgId, await environmentsOf(trx, orgId, changes.filter((c) => c.t.orgId === orgId).map((c) => c.t.digest)));
  }
  const events = [...grouped.values()].map((list) => {
    const { t, kind, vuln, severity } = list[0];
    const event: ScoutEvent = {
      id: uuidv7(),
      kind,
      createdAt: now,
      image: { digest: t.digest, ...(t.repository ? { repository: t.repository } : {}), tags: tags.get(t.imageId) ?? [] },
      vulnerability: { id: vuln, severity, packages: list.map((c) => ({ purl: c.t.purl, version: c.version, fixedVersions: c.fixedVersions })) },
      environments: envByOrg.get(t.orgId)?.get(t.digest) ?? [],
    };
    return { orgId: t.orgId, imageId: t.imageId, event };
  });
  await recordEvents(trx, events, enqueue);
}

export function rematchHandler(deps: RematchDeps): JobHandler<RematchPayload, Prepared> {
  // Loaded now, not by the first re-match that finds something (the policy engine's modules
  // took ~0.3 s to load and compile inside that job's transaction).
  void import('../../platform/policy-evaluation.js').catch(() => undefined);
  return {
    // A re-match runs for seconds: its phases' CPU is worth the readings.
    phaseCpu: true,
    prepare: (job) => prepare(deps, job.payload, job.phases),
    apply: (job, trx: Transaction<JobsDatabase>, prepared) => apply(deps, job.payload, trx as unknown as Transaction<PlatformDatabase>, prepared, job.phases),
  };
}

/** The rematch payload for changed advisory records (new and previous versions). */
export function rematchPayloadOf(records: readonly { id: string; aliases?: string[]; upstream?: string[]; affected: { package?: { ecosystem: string; name: string } }[] }[]): RematchPayload {
  const keys = new Map<string, RematchKey>();
  const ids = new Set<string>();
  for (const r of records) {
    ids.add(r.id);
    for (const a of r.aliases ?? []) ids.add(a);
    for (const a of r.upstream ?? []) ids.add(a);
    for (const a of r.affected) if (a.package) keys.set(`${a.package.ecosystem}\0${a.package.name}`, { ecosystem: a.package.ecosystem, name: a.package.name });
  }
  return { keys: [...keys.values()], ids: [...ids] };
}
