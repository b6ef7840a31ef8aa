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
import type { ImagePolicy, ImagePolicyStatus, PolicyHistoryEntry, PolicySummary } from '../platform-store.js';
import { chunks, orgColumn } from './dialect.js';
import type { PlatformDatabase } from './schema.js';
import { secretScansOf, supplyChainOf } from './supply-chain.js';

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

/**
 * Stores an evaluation as the image's latest, and a history row when its results differ from
 * the previous ones (any policy's status, or the first evaluation). Returns the change, when
 * there was a previous evaluation and a policy's status moved: the caller's event.
 */
export async function recordPolicyReport(trx: Db, orgId: string, imageId: string, report: PolicyReport, status: ImagePolicyStatus, trigger: PolicyHistoryEntry['trigger']): Promise<PolicyChange | undefined> {
  const before = await trx.selectFrom('policy_results').selectAll().where('org_id', '=', orgId).where('image_id', '=', imageId).executeTakeFirst();
  const row = { status, grade: report.health.grade, score: report.health.score, evaluated_at: report.evaluatedAt, report: JSON.stringify({ health: report.health, results: report.results } satisfies StoredReport) };
  if (before) await trx.updateTable('policy_results').set(row).where('org_id', '=', orgId).where('image_id', '=', imageId).execute();
  else await trx.insertInto('policy_results').values({ image_id: imageId, org_id: orgId, ...row }).execute();
  const was = before ? (JSON.parse(before.report) as StoredReport).results : [];
  const now = new Map(report.results.map((r) => [r.id, r]));
  const then = new Map(was.map((r) => [r.id, r]));
  const policies = [...new Set([...now.keys(), ...then.keys()])]
    .filter((id) => now.get(id)?.status !== then.get(id)?.status)
    .map((id) => ({ id, title: (now.get(id) ?? then.get(id))!.title, previous: then.get(id)?.status ?? null, status: now.get(id)?.status ?? null }));
  if (before && !policies.length) return undefined;
  await trx
    .insertInto('policy_history')
    .values({
      id: uuidv7(),
      org_id: orgId,
      image_id: imageId,
      evaluated_at: report.evaluatedAt,
      trigger,
      status,
      grade: report.health.grade,
      score: report.health.score,
      results: JSON.stringify(report.results.map((r) => ({ id: r.id, status: r.status, violations: r.violations.length }))),
    })
    .execute();
  return before ? { previous: summaryOf(before), current: summaryOf({ ...row }), policies } : undefined;
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

/**
 * Rebuilds the policy facts of stored images: the metadata, packages and distro as the SBOM
 * gave them, the open findings, and the attestations, provenance and secret scan of the push.
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
    const findings = await db.selectFrom('findings').selectAll().where('image_id', 'in', ids).where('fixed_at', 'is', null).where('withdrawn_at', 'is', null).orderBy('vulnerability_id').orderBy('purl').execute();
    for (const img of images) {
      const [supply, secrets] = await Promise.all([supplyChainOf(db, img.org_id, [img.id]), secretScansOf(db, img.org_id, [img.id])]);
      const metadata = JSON.parse(img.metadata) as ImageMetadata;
      const pkgs = packages
        .filter((p) => p.image_id === img.id && p.org_id === img.org_id)
        .map((p) => ({ ...(JSON.parse(p.detail) as object), purl: p.purl, name: p.name, ...(p.namespace !== null ? { namespace: p.namespace } : {}), version: p.version, type: p.type }) as Package);
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
      const own: FindingFacts[] = findings
        .filter((f) => f.image_id === img.id && f.org_id === img.org_id)
        .map((f) => {
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
          };
        });
      const s = supply.get(img.id);
      const scan = secrets.get(img.id);
      out.push({
        orgId: img.org_id,
        imageId: img.id,
        digest: img.digest,
        ...(img.repository ? { repository: img.repository } : {}),
        metadata,
        facts: {
          sbom,
          findings: own,
          ...(scan ? { secrets: scan.findings } : {}),
          ...(s?.attestations ? { attestations: s.attestations } : {}),
          ...(s?.provenance ? { provenance: s.provenance } : {}),
        },
      });
    }
  }
  return out;
}
