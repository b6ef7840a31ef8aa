/**
 * Policy results on the platform (migration 005): each image's latest evaluation, the history
 * of its changes, and the facts a re-evaluation reads back from what a push stored. Every query
 * carries the organisation's id.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ImageMetadata } from '../../image/metadata.js';
import type { PolicyReport } from '../../policy/evaluate.js';
import type { FindingFacts, PolicyFacts } from '../../policy/input.js';
import type { PolicyResult, PolicyStatus } from '../../policy/types.js';
import type { SeverityLevel } from '../../match/severity.js';
import type { DistroInfo, Package, Sbom } from '../../sbom/model.js';
import { uuidv7 } from '../../util/uuid7.js';
import type { ImagePolicy, ImagePolicyStatus, PolicyHistoryEntry, PolicySummary, SecretScan } from '../platform-store.js';
import { chunks, orgColumn } from './dialect.js';
import type { PlatformDatabase } from './schema.js';
import { secretScansOf, supplyChainOf, type SupplyChainFacts } from './supply-chain.js';

type Db = Kysely<PlatformDatabase> | Transaction<PlatformDatabase>;

function summaryOf(r: { status: string; grade: string | null; score: number | null; evaluated_at: string }): PolicySummary {
  return { status: r.status as ImagePolicyStatus, grade: r.grade as PolicySummary['grade'], score: r.score === null ? null : Number(r.score), evaluatedAt: r.evaluated_at };
}

/** The latest verdict of each of these images (none before the first evaluation). */
export async function policySummariesOf(db: Db, orgId: string, imageIds: readonly string[]): Promise<Map<string, PolicySummary>> {
  const out = new Map<string, PolicySummary>();
  for (const ids of chunks([...new Set(imageIds)], 500)) {
    const rows = await db.selectFrom('policy_results').select(['image_id', 'status', 'grade', 'score', 'evaluated_at']).where(orgColumn('org_id'), '=', orgId).where('image_id', 'in', ids).execute();
    for (const r of rows) out.set(r.image_id, summaryOf(r));
  }
  return out;
}

interface StoredReport {
  health: PolicyReport['health'];
  results: PolicyResult[];
}

/** The latest evaluation with its results, and every change, newest first. */
export async function readImagePolicy(db: Db, orgId: string, imageId: string): Promise<{ current: ImagePolicy | null; history: PolicyHistoryEntry[] }> {
  const [row, history] = await Promise.all([
    db.selectFrom('policy_results').selectAll().where('org_id', '=', orgId).where('image_id', '=', imageId).executeTakeFirst(),
    db.selectFrom('policy_history').selectAll().where('org_id', '=', orgId).where('image_id', '=', imageId).orderBy('id', 'desc').limit(500).execute(),
  ]);
  const current = row ? { ...summaryOf(row), ...(JSON.parse(row.report) as StoredReport) } : null;
  return {
    current,
    history: history.map((h) => ({
      ...summaryOf(h),
      trigger: h.trigger as PolicyHistoryEntry['trigger'],
      results: JSON.parse(h.results) as PolicyHistoryEntry['results'],
    })),
  };
}

/** What changed between two evaluations of one image. */
export interface PolicyChange {
  previous: PolicySummary;
  current: PolicySummary;
  /** Policies whose status changed (one that appeared or went away has `null` on that side). */
  policies: { id: string; title: string; previous: PolicyStatus | null; status: PolicyStatus | null }[];
}

/** One image's evaluation, as recordPolicyReports stores it. */
export interface PolicyReportOf {
  orgId: string;
  imageId: string;
  report: PolicyReport;
  status: ImagePolicyStatus;
}

/** policy_results rows per upsert: 7 columns, well under either backend's parameter limit. */
const RESULTS_PER_STATEMENT = 500;

/**
 * Stores each evaluation as its image's latest, and a history row when its results differ from
 * the previous ones (any policy's status, or the first evaluation). Returns, per report in the
 * same order, the change when there was a previous evaluation and a policy's status moved (the
 * caller's event), else undefined.
 *
 * Set-based, so a re-match judging a thousand images costs a few statements, not a few per
 * image: the previous results in one read per chunk, the new ones in one upsert per chunk (a
 * row exists or not; either way it ends as this evaluation), the history rows in multi-row
 * inserts. An image appears at most once in `reports`.
 */
export async function recordPolicyReports(trx: Db, reports: readonly PolicyReportOf[], trigger: PolicyHistoryEntry['trigger'], first = false): Promise<(PolicyChange | undefined)[]> {
  // `first`: the images were stored in this transaction, so none has an evaluation to read.
  const before = new Map<string, PlatformDatabase['policy_results']>();
  if (!first) {
    for (const ids of chunks([...new Set(reports.map((r) => r.imageId))], 500)) {
      for (const row of await trx.selectFrom('policy_results').selectAll().where('image_id', 'in', ids).execute()) before.set(row.image_id, row);
    }
  }
  const rows: PlatformDatabase['policy_results'][] = [];
  const history: PlatformDatabase['policy_history'][] = [];
  const out: (PolicyChange | undefined)[] = [];
  for (const { orgId, imageId, report, status } of reports) {
    // Each organisation reads only its own rows.
    const was = before.get(imageId);
    const prior = was?.org_id === orgId ? was : undefined;
    const row = { image_id: imageId, org_id: orgId, status, grade: report.health.grade, score: report.health.score, evaluated_at: report.evaluatedAt, report: JSON.stringify({ health: report.health, results: report.results } satisfies StoredReport) };
    rows.push(row);
    const then = new Map((prior ? (JSON.parse(prior.report) as StoredReport).results : []).map((r) => [r.id, r]));
    const now = new Map(report.results.map((r) => [r.id, r]));
    const policies = [...new Set([...now.keys(), ...then.keys()])]
      .filter((id) => now.get(id)?.status !== then.get(id)?.status)
      .map((id) => ({ id, title: (now.get(id) ?? then.get(id))!.title, previous: then.get(id)?.status ?? null, status: now.get(id)?.status ?? null }));
    if (prior && !policies.length) {
      out.push(undefined);
      continue;
    }
    history.push({
      id: uuidv7(),
      org_id: orgId,
      image_id: imageId,
      evaluated_at: report.evaluatedAt,
      trigger,
      status,
      grade: report.health.grade,
      score: report.health.score,
      results: JSON.stringify(report.results.map((r) => ({ id: r.id, status: r.status, violations: r.violations.length }))),
    });
    out.push(prior ? { previous: summaryOf(prior), current: summaryOf(row), policies } : undefined);
  }
  for (const c of chunks(rows, RESULTS_PER_STATEMENT)) {
    await trx
      .insertInto('policy_results')
      .values(c)
      .onConflict((oc) =>
        oc.column('image_id').doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          grade: eb.ref('excluded.grade'),
          score: eb.ref('excluded.score'),
          evaluated_at: eb.ref('excluded.evaluated_at'),
          report: eb.ref('excluded.report'),
        }))
          // Never another organisation's row (an image id is one organisation's).
          .whereRef('policy_results.org_id', '=', 'excluded.org_id'),
      )
      .execute();
  }
  for (const c of chunks(history, RESULTS_PER_STATEMENT)) await trx.insertInto('policy_history').values(c).execute();
  return out;
}

/** A stored image with what its policies read, as its push stored it. */
export interface StoredImageFacts {
  orgId: string;
  imageId: string;
  digest: string;
  repository?: string;
  metadata: ImageMetadata;
  facts: Omit<PolicyFacts, 'layerBase'>;
}

/** An image's row as storedPolicyFacts reads it (images joined to image_metadata and repositories). */
export interface StoredImageRow {
  id: string;
  org_id: string;
  digest: string;
  distro: string | null;
  metadata: string;
  repository: string | null;
}

/** A row of image_packages joined to its packages row, as storedPolicyFacts reads it. */
export interface StoredPackageRow {
  detail: string;
  purl: string;
  name: string;
  namespace: string | null;
  version: string;
  type: string;
}

/** A findings row, as storedPolicyFacts reads it (only open findings are facts). */
export interface StoredFindingRow {
  vulnerability_id: string;
  purl: string;
  status: string;
  severity: string;
  cvss_score: number | string | null;
  kev: number | string;
  detail: string;
  /** A VEX not_affected statement decides it (finding_vex): policies leave it out, as the CLI's do. */
  notAffected?: boolean;
}

/**
 * Strings in code point order: the order of SQLite's BINARY collation and of PostgreSQL's
 * C collation (UTF-8 byte order), whatever the database's own collation is. JavaScript's `<`
 * compares UTF-16 code units, which puts U+10000 and above (surrogates) before U+E000–U+FFFF.
 */
export function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) rank above 0xE000–0xFFFF, as the code points they encode do.
    const fx = x >= 0xd800 ? (x >= 0xe000 ? x - 0x800 : x + 0x2000) : x;
    const fy = y >= 0xd800 ? (y >= 0xe000 ? y - 0x800 : y + 0x2000) : y;
    return fx - fy;
  }
  return a.length - b.length;
}

/**
 * The packages of these rows: each row's detail with the purl's fields after it. The details
 * are parsed as one JSON array (500 parses, and 500 spreads into new objects, were a push's
 * largest cost after matching); a detail is an object without those fields (packageDetail), so
 * setting them on it gives what `{ ...detail, purl, … }` gives, keys in the same order.
 */
function packagesOfRows(rows: readonly StoredPackageRow[]): Package[] {
  if (!rows.length) return [];
  // Details are packageDetail's JSON.stringify of an object, one value each; anything else (a
  // row written by hand) is parsed on its own, as before, and throws as it did.
  let details: unknown[];
  try {
    details = JSON.parse(`[${rows.map((r) => r.detail).join(',')}]`) as unknown[];
  } catch {
    details = [];
  }
  return rows.map((p, i) => {
    const d = details.length === rows.length ? details[i] : JSON.parse(p.detail);
    // A row not written by a push (by hand: not an object, or with a purl field) as a spread reads it.
    const own = d !== null && typeof d === 'object' && !Array.isArray(d) && !PURL_FIELDS.some((k) => Object.hasOwn(d, k)) ? (d as Record<string, unknown>) : { ...(d as object) };
    own.purl = p.purl;
    own.name = p.name;
    if (p.namespace !== null) own.namespace = p.namespace;
    own.version = p.version;
    own.type = p.type;
    return own as unknown as Package;
  });
}

const PURL_FIELDS = ['purl', 'name', 'namespace', 'version', 'type'];

/**
 * The policy facts of one stored image from its rows: the metadata, packages (in ordinal order)
 * and distro as the SBOM gave them, the open findings (by vulnerability, then purl), and the
 * attestations, provenance and secret scan of the push. One function for the rows read back
 * (storedPolicyFacts) and for the rows a push has just written (OrgStore.putImage hands them to
 * its onCreated), so a push and a re-evaluation judge the same data alike.
 */
export function imageFactsOfRows(
  img: StoredImageRow,
  packageRows: readonly StoredPackageRow[],
  findingRows: readonly StoredFindingRow[],
  supply: SupplyChainFacts | undefined,
  scan: SecretScan | undefined,
): StoredImageFacts {
  const metadata = JSON.parse(img.metadata) as ImageMetadata;
  const pkgs = packagesOfRows(packageRows);
  const sbom: Sbom = {
    schema: 'iechor-scout/sbom@1',
    generatedAt: metadata.created ?? '',
    tool: { name: 'iechor-scout', version: 'platform' },
    image: metadata,
    ...(img.distro ? { distro: JSON.parse(img.distro) as DistroInfo } : {}),
    packages: pkgs,
    packageCount: pkgs.length,
    warnings: [],
  };
  // (vulnerability, purl) is the key of an image's findings: a total order.
  const ordered = [...findingRows].sort((a, b) => codePointCompare(a.vulnerability_id, b.vulnerability_id) || codePointCompare(a.purl, b.purl));
  const findings: FindingFacts[] = ordered.map((f) => {
    const d = JSON.parse(f.detail) as { ids: string[]; packageName: string; packageVersion: string; packageType: string; fixedVersions: string[]; published?: string; epss?: { score: number } };
    return {
      id: f.vulnerability_id,
      ids: d.ids,
      status: f.status as FindingFacts['status'],
      fixedVersions: d.fixedVersions,
      ...(d.published ? { published: d.published } : {}),
      package: { name: d.packageName, version: d.packageVersion, type: d.packageType, purl: f.purl },
      severity: { level: f.severity as SeverityLevel, ...(f.cvss_score !== null ? { score: Number(f.cvss_score) } : {}) },
      ...(Number(f.kev) === 1 ? { kev: true } : {}),
      ...(d.epss ? { epss: { score: d.epss.score } } : {}),
      ...(f.notAffected ? { suppressed: true } : {}),
    };
  });
  return {
    orgId: img.org_id,
    imageId: img.id,
    digest: img.digest,
    ...(img.repository ? { repository: img.repository } : {}),
    metadata,
    facts: {
      sbom,
      findings,
      ...(scan ? { secrets: scan.findings } : {}),
      ...(supply?.attestations ? { attestations: supply.attestations } : {}),
      ...(supply?.provenance ? { provenance: supply.provenance } : {}),
    },
  };
}

/**
 * Rebuilds the policy facts of stored images from what their pushes stored (imageFactsOfRows).
 * Across organisations (a re-match touches every organisation's images); each image keeps its own.
 */
export async function storedPolicyFacts(db: Db, imageIds: readonly string[]): Promise<StoredImageFacts[]> {
  const out: StoredImageFacts[] = [];
  for (const some of chunks([...new Set(imageIds)], 200)) {
    const images = await db
      .selectFrom('images as i')
      .innerJoin('image_metadata as m', 'm.image_id', 'i.id')
      .leftJoin('repositories as r', 'r.id', 'i.repository_id')
      .select(['i.id', 'i.org_id', 'i.digest', 'i.distro', 'm.metadata', 'r.name as repository'])
      .where('i.id', 'in', some)
      .execute();
    // Only the images that have their push's metadata (all but rows written by hand) are judged.
    const ids = images.map((i) => i.id);
    if (!ids.length) continue;
    const packages = await db
      .selectFrom('image_packages as ip')
      .innerJoin('packages as p', 'p.purl', 'ip.purl')
      .select(['ip.image_id', 'ip.org_id', 'ip.detail', 'p.purl', 'p.name', 'p.namespace', 'p.version', 'p.type'])
      .where('ip.image_id', 'in', ids)
      .orderBy('ip.image_id')
      .orderBy('ip.ordinal')
      .execute();
    const [open, notAffected] = await Promise.all([
      db.selectFrom('findings').selectAll().where('image_id', 'in', ids).where('fixed_at', 'is', null).where('withdrawn_at', 'is', null).execute(),
      db.selectFrom('finding_vex').select(['image_id', 'purl', 'vulnerability_id']).where('image_id', 'in', ids).where('status', '=', 'not_affected').execute(),
    ]);
    // A VEX not_affected statement decides these: policies leave them out.
    const suppressed = new Set(notAffected.map((r) => `${r.image_id}\0${r.purl}\0${r.vulnerability_id}`));
    const findings = suppressed.size ? open.map((f) => (suppressed.has(`${f.image_id}\0${f.purl}\0${f.vulnerability_id}`) ? { ...f, notAffected: true } : f)) : open;
    // Each image's rows are its own (the same image id and organisation).
    const key = (r: { image_id: string; org_id: string }) => `${r.org_id}\0${r.image_id}`;
    const packagesOf = groupBy(packages, key);
    const findingsOf = groupBy(findings, key);
    // The supply chain and secret scans of the chunk's images, one read of each per organisation.
    const byOrg = groupBy(images, (i) => i.org_id);
    const supply = new Map<string, SupplyChainFacts>();
    const secrets = new Map<string, SecretScan>();
    for (const [orgId, list] of byOrg) {
      const [s, x] = await Promise.all([supplyChainOf(db, orgId, list.map((i) => i.id)), secretScansOf(db, orgId, list.map((i) => i.id))]);
      for (const [id, v] of s) supply.set(`${orgId}\0${id}`, v);
      for (const [id, v] of x) secrets.set(`${orgId}\0${id}`, v);
    }
    for (const img of images) {
      const k = `${img.org_id}\0${img.id}`;
      out.push(imageFactsOfRows(img, packagesOf.get(k) ?? [], findingsOf.get(k) ?? [], supply.get(k), secrets.get(k)));
    }
  }
  return out;
}

/** Rows by key, each list in the rows' order. */
function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
