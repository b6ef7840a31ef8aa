/**
 * One organisation's view of the platform store. Every query here carries `this.org.id`; shared
 * tables (layers, packages) are only reached through org-owned rows. See platform-store.ts.
 */
import { randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Insertable, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import { chainIds } from '../../image/chain-id.js';
import type { ImageMetadata } from '../../image/metadata.js';
import { ecosystemFor } from '../../match/ecosystem.js';
import { normalizePackageName } from '../../advisories/ecosystems.js';
import type { SeverityLevel } from '../../match/severity.js';
import type { Finding } from '../../match/types.js';
import type { DistroInfo, Package } from '../../sbom/model.js';
import { tryParsePurl } from '../../sbom/purl.js';
import { ScoutError } from '../../util/errors.js';
import type {
  BaseImageMatch,
  ImageDetail,
  ImageFilter,
  ImageSort,
  ImageSortKey,
  PackageFilter,
  ImagePolicy,
  ImageSummary,
  ImageUpload,
  FindingFilter,
  OnVexChanged,
  PolicyHistoryEntry,
  SecretScan,
  OnImageCreated,
  Org,
  OrgStore,
  Page,
  PageRequest,
  PutResult,
  RepositorySummary,
  RepositoryTag,
  StoredFinding,
  StoredLayer,
  StoredPackage,
  TokenInfo,
  TokenScope,
  Usage,
} from '../platform-store.js';
import { IMAGE_SORT_KEYS } from '../platform-store.js';
import type { DashboardReader } from '../dashboard-reader.js';
import { rankCandidates, type BaseCandidate, type Recommendations } from '../../platform/recommendations.js';
import { decodeCursor, limitOf, pageOf } from './cursor.js';
import { KyselyDashboardQueries } from './dashboard-queries.js';
import { chunks, isUniqueViolation, likeEscaped, orgColumn, rowsPerInsert } from './dialect.js';
import type { FindingsTable, ImagePackagesTable, ImagesTable, PackagesTable, PlatformDatabase, VulnerabilityAliasesTable } from './schema.js';
import { queuePackageIndex, settleAfterPush, settlePackageIndex } from './package-index.js';
import { BulkStatement } from './bulk.js';
import { aliasedVulnerabilities } from './vulnerability-aliases.js';
import { createTokenRow, tokenInfoOf } from './tokens.js';
import { countsOfRow, refreshImageCounts } from './image-counts.js';
import { addSupplyChain, insertSupplyChain, provenanceBases, secretScansOf, supplyChainOf } from './supply-chain.js';
import { imageFactsOfRows, policySummariesOf, readImagePolicy, type StoredPackageRow } from './policy-store.js';
import { Precompiled } from './precompiled.js';
import type { VexDocument } from '../../match/vex.js';
import { addVexDocuments, deleteImagesVex, deleteVexDocument, findingVexByKey, findingVexKey, getVexDocument, listVexDocuments, type FindingVex, type VexDocumentDetail, type VexDocumentSummary, type VexFilter, type VexSource } from './vex-store.js';

type Db = Kysely<PlatformDatabase> | Transaction<PlatformDatabase>;

const DAY_MS = 86_400_000;

/** Each image sort key: the expressions ordered by (ties broken by id) and their cursor types. */
const IMAGE_SORT: Record<ImageSortKey, { exprs: RawBuilder<string | number>[]; kinds: ('string' | 'number')[] }> = {
  pushed: { exprs: [sql`i.pushed_at`], kinds: ['string'] },
  name: { exprs: [sql`coalesce((SELECT r.name FROM repositories r WHERE r.id = i.repository_id), '')`], kinds: ['string'] },
  created: { exprs: [sql`coalesce(i.created, '')`], kinds: ['string'] },
  size: { exprs: [sql`i.size_compressed`], kinds: ['number'] },
  packages: { exprs: [sql`i.package_count`], kinds: ['number'] },
  // Worst first when descending: critical, then high, medium and low decide ties.
  vulnerabilities: { exprs: [sql`i.open_critical`, sql`i.open_high`, sql`i.open_medium`, sql`i.open_low`], kinds: ['number', 'number', 'number', 'number'] },
};

/**
 * The severity filter on the stored counts: at least one open finding this bad, or none at all.
 * `+ 0` keeps SQLite from reading images_org_severity by range and sorting every match: the
 * page is read in order from images_org_list, which holds the counts too.
 */
const SEVERITY_FILTER: Record<NonNullable<ImageFilter['severity']>, RawBuilder<boolean>> = {
  critical: sql`i.open_critical + 0 > 0`,
  high: sql`i.open_critical + i.open_high > 0`,
  medium: sql`i.open_critical + i.open_high + i.open_medium > 0`,
  none: sql`i.open_critical + i.open_high + i.open_medium + i.open_low + i.open_negligible + i.open_unknown = 0`,
};


/** The advisory lookup key of a purl, as the advisory store normalises it (null: not matchable). */
function matchKey(pkg: Pick<Package, 'purl' | 'name' | 'version' | 'type' | 'namespace'>, distro: DistroInfo | undefined): { ecosystem: string | null; match_name: string | null } {
  const m = ecosystemFor({ ...pkg, id: pkg.purl, licenses: [], locations: [], foundBy: '' }, distro);
  if (!m.ok) return { ecosystem: null, match_name: null };
  const ecosystem = m.query.ecosystems[0];
  return { ecosystem, match_name: normalizePackageName(ecosystem, m.query.name) };
}

/** Everything of a Package that is not the purl's own, stored per image. */
function packageDetail(p: Package): string {
  const { purl: _purl, name: _name, namespace: _ns, version: _v, type: _t, ...rest } = p;
  return JSON.stringify(rest);
}

export function findingDetail(f: Finding): string {
  return JSON.stringify({
    ids: f.ids,
    packageName: f.package.name,
    packageVersion: f.package.version,
    packageType: f.package.type,
    fixedVersions: f.fixedVersions,
    ...(f.summary ? { summary: f.summary } : {}),
    ...(f.epss ? { epss: { score: f.epss.score, percentile: f.epss.percentile } } : {}),
    // Policies' grace period counts from it (the platform evaluates them after each re-match).
    ...(f.published ? { published: f.published } : {}),
  });
}

/** Rows a statement of a push carries at most (bulk.ts: a few shapes, each prepared once). */
const PUSH_ROWS = 250;

/** A packages row's fields an image's package takes from it (the stored ones: the first push of a purl wrote them). */
type SharedPackageFields = Pick<PackagesTable, 'purl' | 'type' | 'namespace' | 'name' | 'version'>;
const STORED_PURLS = new BulkStatement<{ purl: string }>(['purl'], (db, rows) => db.selectFrom('packages').select(['purl', 'type', 'namespace', 'name', 'version']).where('purl', 'in', rows.map((r) => r.purl)), PUSH_ROWS);
const NEW_PACKAGES = new BulkStatement<PackagesTable>(
  ['purl', 'type', 'namespace', 'name', 'version', 'ecosystem', 'match_name'],
  // The rows it wrote: a purl another transaction wrote meanwhile is not among them (read again).
  (db, rows) => db.insertInto('packages').values(rows).onConflict((oc) => oc.column('purl').doNothing()).returning('purl'),
  PUSH_ROWS,
);
const IMAGE_PACKAGES = new BulkStatement<ImagePackagesTable>(['image_id', 'ordinal', 'org_id', 'purl', 'layer_diff_id', 'relationship', 'detail'], (db, rows) => db.insertInto('image_packages').values(rows), PUSH_ROWS);
const FINDINGS = new BulkStatement<FindingsTable>(
  ['image_id', 'purl', 'vulnerability_id', 'org_id', 'severity', 'cvss_score', 'status', 'fixed_version', 'kev', 'first_seen_at', 'last_seen_at', 'fixed_at', 'withdrawn_at', 'detail'],
  (db, rows) => db.insertInto('findings').values(rows),
  PUSH_ROWS,
);
/** Only a vulnerability new to the organisation adds rows; the others are there (its own id among them). */
const VULNERABILITY_ALIASES = new BulkStatement<VulnerabilityAliasesTable>(
  ['org_id', 'vulnerability_id', 'alias'],
  (db, rows) => db.insertInto('vulnerability_aliases').values(rows).onConflict((oc) => oc.doNothing()),
  PUSH_ROWS,
);

export class KyselyOrgStore implements OrgStore {
  readonly dashboard: DashboardReader;

  constructor(
    private readonly db: Kysely<PlatformDatabase>,
    readonly org: Org,
  ) {
    this.dashboard = new KyselyDashboardQueries(db, org);
  }

  // ---- writing ---------------------------------------------------------------------------

  async putImage(upload: ImageUpload, now = new Date(), onCreated?: OnImageCreated, onSupplied?: OnImageCreated, retried = false): Promise<PutResult> {
    const m = upload.metadata;
    if (!m.digest) throw new ScoutError('bad-image', 'image metadata has no digest');
    const at = now.toISOString();
    try {
      const created = await this.db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('images').select(['id', 'repository_id']).where('org_id', '=', this.org.id).where('digest', '=', m.digest).executeTakeFirst();
        if (existing) {
          await trx.updateTable('images').set({ last_seen_at: at }).where('id', '=', existing.id).execute();
          if (upload.repository && upload.tags?.length) {
            const repoId = await this.repositoryId(trx, upload.repository, at);
            await this.moveTags(trx, repoId, upload.tags, existing.id, at);
          }
          if ((await addSupplyChain(trx, this.org.id, existing.id, upload, at)) && onSupplied) await onSupplied(trx, existing.id);
          return false;
        }
        const repoId = upload.repository ? await this.repositoryId(trx, upload.repository, at) : null;
        const imageId = randomUUID();
        const chains = chainIds(m.layers.map((l) => l.diffId));
        await trx.insertInto('images').values(this.imageRow(imageId, repoId, m, upload, chains, at)).execute();
        const metadataJson = JSON.stringify(m);
        await trx.insertInto('image_metadata').values({ image_id: imageId, org_id: this.org.id, metadata: metadataJson }).execute();
        await this.insertLayers(trx, imageId, m, chains);
        const packageRows = await this.insertPackages(trx, imageId, upload.packages, upload.distro);
        await queuePackageIndex(trx, this.org.id, imageId);
        const findingRows = await this.insertFindings(trx, imageId, upload.findings, at);
        await insertSupplyChain(trx, this.org.id, imageId, upload, at);
        await refreshImageCounts(trx, [imageId]);
        if (repoId && upload.tags?.length) await this.moveTags(trx, repoId, upload.tags, imageId, at);
        if (onCreated) {
          // The image as storedPolicyFacts would read it back, from the rows just written: the
          // supply chain and secret scan rows are read only when the push brought any (a new
          // image id has none otherwise).
          const [supply, secrets] = await Promise.all([
            upload.attestations || upload.provenance ? supplyChainOf(trx, this.org.id, [imageId]) : undefined,
            upload.secrets ? secretScansOf(trx, this.org.id, [imageId]) : undefined,
          ]);
          const row = { id: imageId, org_id: this.org.id, digest: m.digest, distro: upload.distro ? JSON.stringify(upload.distro) : null, metadata: metadataJson, repository: upload.repository ?? null };
          await onCreated(trx, imageId, imageFactsOfRows(row, packageRows, findingRows, supply?.get(imageId), secrets?.get(imageId)));
        }
        return true;
      });
      if (created) await settleAfterPush(this.db);
      const image = await this.getImage(m.digest);
      if (!image) throw new ScoutError('store-lost', `image ${m.digest} vanished after it was stored`);
      return { created, image };
    } catch (err) {
      // Two pushes of one digest at once: the second loses the unique constraint race, and the
      // push is idempotent, so it answers with the stored image.
      if (isUniqueViolation(err)) {
        // Once more, now as a push of a stored digest: its provenance and secret scan are not lost.
        if (!retried && (upload.attestations || upload.provenance || upload.secrets)) return this.putImage(upload, now, onCreated, onSupplied, true);
        const image = await this.getImage(m.digest);
        if (image) return { created: false, image };
      }
      throw err;
    }
  }

  private imageRow(id: string, repoId: string | null, m: ImageMetadata, u: ImageUpload, chains: string[], at: string): Insertable<ImagesTable> {
    return {
      id,
      org_id: this.org.id,
      repository_id: repoId,
      digest: m.digest,
      index_digest: m.indexDigest ?? null,
      config_digest: m.configDigest,
      created: m.created ?? null,
      pushed_at: at,
      last_seen_at: at,
      os: m.platform.os,
      architecture: m.platform.architecture,
      variant: m.platform.variant ?? null,
      os_name: m.os.name ?? null,
      os_version: m.os.version ?? null,
      registry_host: m.registry?.host ?? null,
      registry_url: m.registry?.url ?? null,
      registry_type: m.registry?.type ?? null,
      size_compressed: m.size.compressed,
      size_uncompressed: m.size.uncompressed ?? null,
      layer_count: m.layers.length,
      package_count: u.packages.length,
      // An image without layers (scratch) has no chain: it can be nobody's base.
      top_chain_id: chains[chains.length - 1] ?? `empty:${m.digest}`,
      distro: u.distro ? JSON.stringify(u.distro) : null,
    };
  }

  private async repositoryId(trx: Db, name: string, at: string): Promise<string> {
    const found = await trx.selectFrom('repositories').select('id').where('org_id', '=', this.org.id).where('name', '=', name).executeTakeFirst();
    if (found) {
      await trx.updateTable('repositories').set({ last_pushed_at: at }).where('id', '=', found.id).execute();
      return found.id;
    }
    const id = randomUUID();
    await trx.insertInto('repositories').values({ id, org_id: this.org.id, name, created_at: at, last_pushed_at: at }).execute();
    return id;
  }

  /** Points each tag at the image; the row it pointed at before is closed, not deleted. */
  private async moveTags(trx: Db, repoId: string, tags: readonly string[], imageId: string, at: string): Promise<void> {
    for (const tag of new Set(tags)) {
      const current = await trx.selectFrom('tags').select(['id', 'image_id']).where('repository_id', '=', repoId).where('name', '=', tag).where('until_at', 'is', null).executeTakeFirst();
      if (current?.image_id === imageId) continue;
      if (current) await trx.updateTable('tags').set({ until_at: at }).where('id', '=', current.id).execute();
      await trx.insertInto('tags').values({ id: randomUUID(), org_id: this.org.id, repository_id: repoId, name: tag, image_id: imageId, since_at: at, until_at: null }).execute();
    }
  }

  private async insertLayers(trx: Db, imageId: string, m: ImageMetadata, chains: string[]): Promise<void> {
    if (!m.layers.length) return;
    const layerRows = m.layers.map((l, i) => ({
      chain_id: chains[i],
      diff_id: l.diffId,
      parent_chain_id: i === 0 ? null : chains[i - 1],
      depth: i + 1,
      uncompressed_size: l.uncompressedSize ?? null,
    }));
    for (const c of chunks(layerRows, rowsPerInsert(5))) await trx.insertInto('layers').values(c).onConflict((oc) => oc.column('chain_id').doNothing()).execute();
    const rows = m.layers.map((l, i) => ({
      image_id: imageId,
      position: i,
      org_id: this.org.id,
      chain_id: chains[i],
      digest: l.digest,
      media_type: l.mediaType,
      size: l.size,
      created_by: l.createdBy ?? null,
      created: l.created ?? null,
    }));
    for (const c of chunks(rows, rowsPerInsert(9))) await trx.insertInto('image_layers').values(c).execute();
  }

  /** Stores the image's packages; returns each as storedPolicyFacts reads it back (in ordinal order). */
  private async insertPackages(trx: Db, imageId: string, packages: readonly Package[], distro: DistroInfo | undefined): Promise<StoredPackageRow[]> {
    if (!packages.length) return [];
    // Most of a push's packages are stored already (images share them): only the others get a
    // row, and only theirs need the match key worked out.
    const purls = [...new Set(packages.map((p) => p.purl))];
    const stored = new Map<string, SharedPackageFields>();
    for (const r of await STORED_PURLS.run<SharedPackageFields>(trx, purls.map((purl) => ({ purl })))) stored.set(r.purl, r);
    const shared = new Map<string, PlatformDatabase['packages']>();
    for (const p of packages) {
      if (stored.has(p.purl) || shared.has(p.purl)) continue;
      shared.set(p.purl, { purl: p.purl, type: p.type, namespace: p.namespace ?? null, name: p.name, version: p.version, ...matchKey(p, distro) });
    }
    const written = new Set((await NEW_PACKAGES.run<{ purl: string }>(trx, [...shared.values()])).map((r) => r.purl));
    const lost = [];
    for (const [purl, row] of shared) {
      if (written.has(purl)) stored.set(purl, row);
      else lost.push({ purl });
    }
    // Written by a concurrent push between our read and our insert: its fields are the stored ones.
    if (lost.length) for (const r of await STORED_PURLS.run<SharedPackageFields>(trx, lost)) stored.set(r.purl, r);
    const rows = packages.map((p, i) => ({
      image_id: imageId,
      ordinal: i,
      org_id: this.org.id,
      purl: p.purl,
      layer_diff_id: p.introducedLayer?.diffId ?? null,
      relationship: p.relationship ?? null,
      detail: packageDetail(p),
    }));
    await IMAGE_PACKAGES.run(trx, rows);
    return rows.map((r) => {
      const f = stored.get(r.purl)!;
      return { detail: r.detail, purl: r.purl, name: f.name, namespace: f.namespace, version: f.version, type: f.type };
    });
  }

  /** Stores the image's findings; returns their rows (all open: a new image's). */
  private async insertFindings(trx: Db, imageId: string, findings: readonly Finding[], at: string): Promise<PlatformDatabase['findings'][]> {
    const rows = new Map<string, PlatformDatabase['findings']>();
    const aliases = new Map<string, VulnerabilityAliasesTable>();
    for (const f of findings) {
      // A distribution's "not affected" is no finding; the same purl at two paths is one.
      if (f.status === 'not-affected') continue;
      const key = `${f.package.purl}\0${f.id}`;
      if (rows.has(key)) continue;
      rows.set(key, {
        image_id: imageId,
        purl: f.package.purl,
        vulnerability_id: f.id,
        org_id: this.org.id,
        severity: f.severity.level,
        cvss_score: f.severity.score ?? null,
        status: f.status,
        fixed_version: f.fixedVersions[0] ?? null,
        kev: f.kev ? 1 : 0,
        first_seen_at: at,
        last_seen_at: at,
        fixed_at: null,
        withdrawn_at: null,
        detail: findingDetail(f),
      });
      for (const alias of [f.id, ...f.ids]) aliases.set(`${f.id}\0${alias}`, { org_id: this.org.id, vulnerability_id: f.id, alias });
    }
    const written = [...rows.values()];
    await FINDINGS.run(trx, written);
    await VULNERABILITY_ALIASES.run(trx, [...aliases.values()]);
    return written;
  }

  // ---- reading ---------------------------------------------------------------------------

  private async imageRowByDigest(digest: string) {
    return this.db
      .selectFrom('images as i')
      .innerJoin('image_metadata as m', 'm.image_id', 'i.id')
      .leftJoin('repositories as r', 'r.id', 'i.repository_id')
      .selectAll('i')
      .select(['r.name as repository', 'm.metadata'])
      .where('i.org_id', '=', this.org.id)
      .where('m.org_id', '=', this.org.id)
      .where('i.digest', '=', digest)
      .executeTakeFirst();
  }

  /** Current tags of these images, by image id. */
  private async tagsOf(imageIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!imageIds.length) return out;
    const rows = await this.db.selectFrom('tags').select(['image_id', 'name']).where('org_id', '=', this.org.id).where('image_id', 'in', imageIds).where('until_at', 'is', null).orderBy('name').execute();
    for (const r of rows) {
      const l = out.get(r.image_id) ?? [];
      l.push(r.name);
      out.set(r.image_id, l);
    }
    return out;
  }

  private summaryOf(r: Selectable<ImagesTable> & { repository: string | null }, tags: Map<string, string[]>): ImageSummary {
    const s: ImageSummary = {
      digest: r.digest,
      tags: tags.get(r.id) ?? [],
      pushedAt: r.pushed_at,
      lastSeenAt: r.last_seen_at,
      platform: { os: r.os, architecture: r.architecture, ...(r.variant ? { variant: r.variant } : {}) },
      os: { ...(r.os_name ? { name: r.os_name } : {}), ...(r.os_version ? { version: r.os_version } : {}) },
      size: { compressed: Number(r.size_compressed), ...(r.size_uncompressed !== null ? { uncompressed: Number(r.size_uncompressed) } : {}) },
      layerCount: r.layer_count,
      packageCount: r.package_count,
      vulnerabilities: countsOfRow(r),
    };
    if (r.repository) s.repository = r.repository;
    if (r.created) s.created = r.created;
    if (r.registry_host || r.registry_url || r.registry_type) {
      s.registry = { ...(r.registry_host ? { host: r.registry_host } : {}), ...(r.registry_url ? { url: r.registry_url } : {}), ...(r.registry_type ? { type: r.registry_type } : {}) };
    }
    return s;
  }

  async hasImage(digest: string): Promise<boolean> {
    const row = await this.db.selectFrom('images').select('id').where('org_id', '=', this.org.id).where('digest', '=', digest).executeTakeFirst();
    return row !== undefined;
  }

  async getImage(digest: string): Promise<ImageDetail | undefined> {
    const r = await this.imageRowByDigest(digest);
    if (!r) return undefined;
    const tags = await this.tagsOf([r.id]);
    const metadata = JSON.parse(r.metadata) as ImageMetadata;
    const detail: ImageDetail = { ...this.summaryOf(r, tags), metadata };
    if (r.distro) detail.distro = JSON.parse(r.distro) as DistroInfo;
    const [supply, provenanceBase, policy] = await Promise.all([supplyChainOf(this.db, this.org.id, [r.id]), provenanceBases(this.db, this.org.id, [r.id]), policySummariesOf(this.db, this.org.id, [r.id])]);
    const facts = supply.get(r.id);
    if (facts?.attestations) detail.attestations = facts.attestations;
    if (facts?.provenance) detail.provenance = facts.provenance;
    // What the build's provenance names comes first; the layer match answers otherwise.
    const base = provenanceBase.get(r.id) ?? (await this.findBaseImage(chainIds(metadata.layers.map((l) => l.diffId))));
    if (base) detail.baseImage = base;
    const verdict = policy.get(r.id);
    if (verdict) detail.policy = verdict;
    return detail;
  }

  async listImages(filter: ImageFilter, page: PageRequest, sort: ImageSort = { by: 'pushed', order: 'desc' }): Promise<Page<ImageSummary>> {
    const limit = limitOf(page);
    const key = IMAGE_SORT[sort.by];
    if (!key) throw new ScoutError('bad-sort', `images sort by ${IMAGE_SORT_KEYS.join(', ')}`);
    const after = decodeCursor(page.cursor, [...key.kinds, 'string']);
    // No join: the repository and tag conditions are IN lists of ids, so the count reads the
    // images_org_text and images_org_severity indexes alone (10,000 images in a few ms).
    const filtered = () => {
      let q = this.db.selectFrom('images as i').where('i.org_id', '=', this.org.id);
      const repos = () => this.db.selectFrom('repositories as rr').select('rr.id').where('rr.org_id', '=', this.org.id);
      if (filter.repository !== undefined) q = q.where('i.repository_id', 'in', repos().where('rr.name', '=', filter.repository));
      const text = filter.q?.trim().toLowerCase();
      if (text) {
        const like = sql`${`%${likeEscaped(text)}%`} escape '\\'`;
        const currentTags = () => this.db.selectFrom('tags as t').where('t.org_id', '=', this.org.id).where('t.until_at', 'is', null);
        q = q.where((eb) =>
          eb.or([
            eb('i.repository_id', 'in', repos().where(sql`lower(rr.name)`, 'like', like)),
            eb(sql`lower(i.digest)`, 'like', like),
            eb(sql`lower(coalesce(i.os_name, ''))`, 'like', like),
            // A current tag, or with a colon the reference `repository:tag` ("web:1.0" finds
            // acme/web:1.0). Without one the text lies in the repository name or in the tag, so
            // the tags alone are read: joining each of them to its repository is not free.
            eb(
              'i.id',
              'in',
              text.includes(':')
                ? currentTags().innerJoin('repositories as tr', 'tr.id', 't.repository_id').select('t.image_id').where(sql`lower(tr.name || ':' || t.name)`, 'like', like)
                : currentTags().select('t.image_id').where(sql`lower(t.name)`, 'like', like),
            ),
          ]),
        );
      }
      if (filter.severity) q = q.where(SEVERITY_FILTER[filter.severity]);
      return q;
    };
    const cmp = sort.order === 'asc' ? '>' : '<';
    // First the page's ids and sort keys alone (an index scan for most sorts, and a sort of
    // small tuples otherwise), then the whole rows of those ids: sorting whole rows, metadata
    // JSON and all, cost most of a request at 10,000 images.
    let q = filtered().select('i.id').select(key.exprs.map((e, n) => e.as(`k${n}`)));
    if (after) q = q.where(sql<boolean>`(${sql.join([...key.exprs, sql`i.id`])}) ${sql.raw(cmp)} (${sql.join(after)})`);
    for (const e of key.exprs) q = q.orderBy(e, sort.order);
    const [keys, total] = await Promise.all([
      q.orderBy('i.id', sort.order).limit(limit + 1).execute(),
      filtered().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const ids = keys.slice(0, limit).map((r) => r.id);
    const [rows, tags, bases, provenance, policies] = await Promise.all([
      // By primary key: orgColumn keeps SQLite off the org_id indexes (dialect.ts).
      ids.length ? this.db.selectFrom('images as i').leftJoin('repositories as r', 'r.id', 'i.repository_id').selectAll('i').select('r.name as repository').where(orgColumn('i.org_id'), '=', this.org.id).where('i.id', 'in', ids).execute() : Promise.resolve([]),
      this.tagsOf(ids),
      this.baseImagesOf(ids),
      provenanceBases(this.db, this.org.id, ids),
      policySummariesOf(this.db, this.org.id, ids),
    ]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out = pageOf(
      keys,
      limit,
      (k) => {
        const s = this.summaryOf(byId.get(k.id)!, tags);
        const b = provenance.get(k.id) ?? bases.get(k.id);
        if (b) s.baseImage = b;
        const verdict = policies.get(k.id);
        if (verdict) s.policy = verdict;
        return s;
      },
      (k) => {
        const row = k as unknown as Record<string, string | number>;
        return [...key.kinds.map((kind, n) => (kind === 'number' ? Number(row[`k${n}`]) : String(row[`k${n}`]))), k.id];
      },
    );
    out.total = Number(total.n);
    return out;
  }

  /**
   * The base image of each of these images, in one query: the stored image (this
   * organisation's or the public catalogue's) whose top chain ID is the longest proper prefix
   * of the image's chain, by the rule `findBaseImage` applies to one chain.
   */
  private async baseImagesOf(imageIds: readonly string[]): Promise<Map<string, BaseImageMatch>> {
    const out = new Map<string, BaseImageMatch>();
    if (!imageIds.length) return out;
    const rows = await this.db
      .selectFrom('image_layers as il')
      .innerJoin('images as i', 'i.id', 'il.image_id')
      .innerJoin('images as b', 'b.top_chain_id', 'il.chain_id')
      .innerJoin('orgs as o', 'o.id', 'b.org_id')
      .leftJoin('repositories as r', 'r.id', 'b.repository_id')
      .select(['il.image_id', 'b.id', 'b.digest', 'b.layer_count', 'b.pushed_at', 'o.catalog', 'r.name as repository'])
      .where(orgColumn('il.org_id'), '=', this.org.id)
      .where(orgColumn('i.org_id'), '=', this.org.id)
      .where('il.image_id', 'in', imageIds)
      .whereRef('il.position', '<', sql`i.layer_count - 1`)
      .where((eb) => eb.or([eb('b.org_id', '=', this.org.id), eb('o.catalog', '=', 1)]))
      .execute();
    const best = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      const b = best.get(r.image_id);
      const better = !b || r.layer_count > b.layer_count || (r.layer_count === b.layer_count && (Number(r.catalog) < Number(b.catalog) || (Number(r.catalog) === Number(b.catalog) && r.pushed_at > b.pushed_at)));
      if (better) best.set(r.image_id, r);
    }
    const baseIds = [...new Set([...best.values()].map((b) => b.id))];
    const tags = new Map<string, string[]>();
    // A catalogue base's tags belong to the catalogue: read by image id, as findBaseImage does.
    if (baseIds.length) {
      for (const t of await this.db.selectFrom('tags').select(['image_id', 'name']).where('image_id', 'in', baseIds).where('until_at', 'is', null).orderBy('name').execute()) {
        tags.set(t.image_id, [...(tags.get(t.image_id) ?? []), t.name]);
      }
    }
    for (const [imageId, b] of best) {
      out.set(imageId, { digest: b.digest, ...(b.repository ? { repository: b.repository } : {}), tags: tags.get(b.id) ?? [], layers: b.layer_count, catalog: Number(b.catalog) === 1, from: 'layers' });
    }
    return out;
  }

  async listRepositories(page: PageRequest): Promise<Page<RepositorySummary>> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string']);
    let q = this.db
      .selectFrom('repositories as r')
      .select(['r.id', 'r.name', 'r.created_at', 'r.last_pushed_at'])
      .select((eb) => eb.selectFrom('images as i').whereRef('i.repository_id', '=', 'r.id').select((e2) => e2.fn.countAll<number>().as('n')).as('image_count'))
      .where('r.org_id', '=', this.org.id);
    if (after) q = q.where('r.name', '>', String(after[0]));
    const rows = await q.orderBy('r.name').limit(limit + 1).execute();
    const kept = rows.slice(0, limit).map((r) => r.id);
    const tags = new Map<string, string[]>();
    if (kept.length) {
      const t = await this.db.selectFrom('tags').select(['repository_id', 'name']).where('org_id', '=', this.org.id).where('repository_id', 'in', kept).where('until_at', 'is', null).orderBy('name').execute();
      for (const x of t) tags.set(x.repository_id, [...(tags.get(x.repository_id) ?? []), x.name]);
    }
    return pageOf(
      rows,
      limit,
      (r) => ({ name: r.name, createdAt: r.created_at, lastPushedAt: r.last_pushed_at, imageCount: Number(r.image_count ?? 0), tags: tags.get(r.id) ?? [] }),
      (r) => [r.name],
    );
  }

  async repositoryTags(repository: string, page: PageRequest): Promise<Page<RepositoryTag> | undefined> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string']);
    const repo = await this.db.selectFrom('repositories').select('id').where('org_id', '=', this.org.id).where('name', '=', repository).executeTakeFirst();
    if (!repo) return undefined;
    // A repository has one current tag of a name (tags_current), so the name alone orders them.
    let q = this.db
      .selectFrom('tags as t')
      .innerJoin('images as i', 'i.id', 't.image_id')
      .select(['t.name', 't.since_at', 'i.digest', 'i.index_digest'])
      .where('t.org_id', '=', this.org.id)
      .where('t.repository_id', '=', repo.id)
      .where('t.until_at', 'is', null);
    if (after) q = q.where('t.name', '>', String(after[0]));
    const rows = await q.orderBy('t.name').limit(limit + 1).execute();
    return pageOf(rows, limit, (r) => ({ tag: r.name, digest: r.digest, ...(r.index_digest ? { indexDigest: r.index_digest } : {}), since: r.since_at }), (r) => [r.name]);
  }

  async tagImage(digest: string, repository: string, tags: readonly string[], now = new Date()): Promise<ImageDetail | undefined> {
    const at = now.toISOString();
    const found = await this.db.transaction().execute(async (trx) => {
      const image = await trx.selectFrom('images').select('id').where('org_id', '=', this.org.id).where('digest', '=', digest).executeTakeFirst();
      if (!image) return false;
      await trx.updateTable('images').set({ last_seen_at: at }).where('id', '=', image.id).execute();
      if (tags.length) await this.moveTags(trx, await this.repositoryId(trx, repository, at), tags, image.id, at);
      return true;
    });
    return found ? this.getImage(digest) : undefined;
  }

  async untag(repository: string, tag: string, now = new Date()): Promise<boolean> {
    const repo = await this.db.selectFrom('repositories').select('id').where('org_id', '=', this.org.id).where('name', '=', repository).executeTakeFirst();
    if (!repo) return false;
    const r = await this.db
      .updateTable('tags')
      .set({ until_at: now.toISOString() })
      .where('org_id', '=', this.org.id)
      .where('repository_id', '=', repo.id)
      .where('name', '=', tag)
      .where('until_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async markSeen(digests: readonly string[], now = new Date()): Promise<number> {
    const unique = [...new Set(digests)];
    if (!unique.length) return 0;
    const r = await this.db.updateTable('images').set({ last_seen_at: now.toISOString() }).where('org_id', '=', this.org.id).where('digest', 'in', unique).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  private async imageId(digest: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('images').select('id').where('org_id', '=', this.org.id).where('digest', '=', digest).executeTakeFirst();
    return r?.id;
  }

  /** Bottom first, by position (unique within an image). */
  async imageLayers(digest: string, page: PageRequest): Promise<Page<StoredLayer> | undefined> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['number']);
    const id = await this.imageId(digest);
    if (!id) return undefined;
    let q = this.db
      .selectFrom('image_layers as il')
      .innerJoin('layers as l', 'l.chain_id', 'il.chain_id')
      .select(['il.position', 'il.digest', 'il.chain_id', 'il.media_type', 'il.size', 'il.created_by', 'il.created', 'l.diff_id', 'l.uncompressed_size'])
      .where('il.org_id', '=', this.org.id)
      .where('il.image_id', '=', id);
    if (after) q = q.where('il.position', '>', Number(after[0]));
    const rows = await q.orderBy('il.position').limit(limit + 1).execute();
    return pageOf(rows, limit, (r) => ({
      position: r.position,
      digest: r.digest,
      diffId: r.diff_id,
      chainId: r.chain_id,
      mediaType: r.media_type,
      size: Number(r.size),
      ...(r.uncompressed_size !== null ? { uncompressedSize: Number(r.uncompressed_size) } : {}),
      ...(r.created_by ? { createdBy: r.created_by } : {}),
      ...(r.created ? { created: r.created } : {}),
    }), (r) => [r.position]);
  }

  async imagePackages(digest: string, page: PageRequest, filter: PackageFilter = {}): Promise<Page<StoredPackage> | undefined> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['number']);
    const id = await this.imageId(digest);
    if (!id) return undefined;
    const matching = () => {
      let q = this.db.selectFrom('image_packages as ip').innerJoin('packages as p', 'p.purl', 'ip.purl').where('ip.org_id', '=', this.org.id).where('ip.image_id', '=', id);
      const text = filter.q?.trim().toLowerCase();
      if (text) {
        // The stored detail is the package's JSON: licenses, paths, layer, owner and the rest.
        const like = `%${likeEscaped(text)}%`;
        q = q.where((eb) => eb.or([eb(sql`lower(p.purl)`, 'like', sql`${like} escape '\\'`), eb(sql`lower(ip.detail)`, 'like', sql`${like} escape '\\'`)]));
      }
      return q;
    };
    let q = matching().select(['ip.ordinal', 'ip.detail', 'p.purl', 'p.name', 'p.namespace', 'p.version', 'p.type']);
    if (after) q = q.where('ip.ordinal', '>', Number(after[0]));
    // One image's packages (thousands at most): counting the matches is cheap, and the
    // dashboard shows "N shown of M" under a search.
    const [rows, total] = await Promise.all([q.orderBy('ip.ordinal').limit(limit + 1).execute(), matching().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()]);
    const out = pageOf(
      rows,
      limit,
      (r) => ({ ...(JSON.parse(r.detail) as Omit<Package, 'purl' | 'name' | 'version' | 'type'>), purl: r.purl, name: r.name, ...(r.namespace !== null ? { namespace: r.namespace } : {}), version: r.version, type: r.type }) as Package,
      (r) => [r.ordinal],
    );
    out.total = Number(total.n);
    return out;
  }

  async imageFindings(digest: string, page: PageRequest, filter: FindingFilter = {}): Promise<Page<StoredFinding> | undefined> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string', 'string']);
    const id = await this.imageId(digest);
    if (!id) return undefined;
    let q = this.db.selectFrom('findings').selectAll('findings').where(orgColumn('findings.org_id'), '=', this.org.id).where('findings.image_id', '=', id);
    if (filter.vex?.length) {
      const statuses = filter.vex.filter((v) => v !== 'none');
      const none = filter.vex.includes('none');
      // The finding's row of finding_vex (none: no statement applies).
      const decided = (eb: ExpressionBuilder<PlatformDatabase & { findings: FindingsTable }, 'findings'>) =>
        eb.selectFrom('finding_vex as v').select('v.status').where('v.org_id', '=', this.org.id).whereRef('v.image_id', '=', 'findings.image_id').whereRef('v.purl', '=', 'findings.purl').whereRef('v.vulnerability_id', '=', 'findings.vulnerability_id');
      q = q.where((eb) => eb.or([...(statuses.length ? [eb.exists(decided(eb).where('v.status', 'in', statuses))] : []), ...(none ? [eb.not(eb.exists(decided(eb)))] : [])]));
    }
    if (after) q = q.where((eb) => eb(eb.refTuple('findings.vulnerability_id', 'findings.purl'), '>', eb.tuple(String(after[0]), String(after[1]))));
    const rows = await q.orderBy('findings.vulnerability_id').orderBy('findings.purl').limit(limit + 1).execute();
    const vex = await findingVexByKey(this.db, this.org.id, rows.slice(0, limit));
    return pageOf(rows, limit, (r) => storedFinding(r, vex.get(findingVexKey(r))), (r) => [r.vulnerability_id, r.purl]);
  }

  // ---- VEX ---------------------------------------------------------------------------------

  async addVex(docs: readonly VexDocument[], opts: { source: VexSource; imageDigest?: string; by?: string; files?: readonly (string | undefined)[] }, onChanged?: OnVexChanged): Promise<{ ids: string[]; created: boolean[]; changedImages: number } | undefined> {
    const imageId = opts.imageDigest === undefined ? undefined : await this.imageId(opts.imageDigest);
    if (opts.imageDigest !== undefined && !imageId) return undefined;
    return this.db.transaction().execute(async (trx) => {
      const r = await addVexDocuments(trx, this.org.id, docs, { source: opts.source, ...(imageId ? { imageId } : {}), ...(opts.by ? { by: opts.by } : {}), ...(opts.files ? { files: opts.files } : {}) });
      if (r.changedImages.length && onChanged) await onChanged(trx, r.changedImages);
      return { ids: r.ids, created: r.created, changedImages: r.changedImages.length };
    });
  }

  listVex(filter: VexFilter, page: PageRequest): Promise<Page<VexDocumentSummary>> {
    return listVexDocuments(this.db, this.org.id, filter, page);
  }

  getVex(id: string): Promise<VexDocumentDetail | undefined> {
    return getVexDocument(this.db, this.org.id, id);
  }

  async deleteVex(id: string, onChanged?: OnVexChanged): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const r = await deleteVexDocument(trx, this.org.id, id);
      if (!r) return false;
      if (r.changedImages.length && onChanged) await onChanged(trx, r.changedImages);
      return true;
    });
  }

  async imageSecrets(digest: string): Promise<SecretScan | null | undefined> {
    const id = await this.imageId(digest);
    if (!id) return undefined;
    return (await secretScansOf(this.db, this.org.id, [id])).get(id) ?? null;
  }

  async imagePolicy(digest: string): Promise<{ current: ImagePolicy | null; history: PolicyHistoryEntry[] } | undefined> {
    const id = await this.imageId(digest);
    if (!id) return undefined;
    return readImagePolicy(this.db, this.org.id, id);
  }

  async vulnerabilityUsage(id: string, page: PageRequest): Promise<Page<Usage>> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string', 'string', 'string']);
    let q = this.db
      .selectFrom('findings as f')
      .innerJoin('images as i', 'i.id', 'f.image_id')
      .leftJoin('repositories as r', 'r.id', 'i.repository_id')
      .select(['i.id as image_id', 'i.digest', 'r.name as repository', 'f.purl', 'f.vulnerability_id', 'f.severity', 'f.status', 'f.detail'])
      .where('f.org_id', '=', this.org.id)
      .where('i.org_id', '=', this.org.id)
      .where('f.vulnerability_id', 'in', aliasedVulnerabilities(this.db, this.org.id, id));
    if (after) q = q.where((eb) => eb(eb.refTuple('i.digest', 'f.purl', 'f.vulnerability_id'), '>', eb.tuple(String(after[0]), String(after[1]), String(after[2]))));
    const rows = await q.orderBy('i.digest').orderBy('f.purl').orderBy('f.vulnerability_id').limit(limit + 1).execute();
    const [tags, vex] = await Promise.all([this.tagsOf(rows.slice(0, limit).map((r) => r.image_id)), findingVexByKey(this.db, this.org.id, rows.slice(0, limit))]);
    return pageOf(
      rows,
      limit,
      (r) => {
        const d = JSON.parse(r.detail) as { packageVersion: string; fixedVersions: string[] };
        return {
          digest: r.digest,
          ...(r.repository ? { repository: r.repository } : {}),
          tags: tags.get(r.image_id) ?? [],
          purl: r.purl,
          packageVersion: d.packageVersion,
          vulnerabilityId: r.vulnerability_id,
          severity: r.severity as SeverityLevel,
          status: r.status,
          fixedVersions: d.fixedVersions,
          ...(vex.has(findingVexKey(r)) ? { vex: vex.get(findingVexKey(r))! } : {}),
        };
      },
      (r) => [r.digest, r.purl, r.vulnerability_id],
    );
  }

  async packageUsage(purl: string, page: PageRequest): Promise<Page<Usage>> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string', 'string']);
    const parts = tryParsePurl(purl);
    if (!parts) throw new ScoutError('bad-purl', `"${purl}" is not a package URL`);
    await settlePackageIndex(this.db);
    let q = this.db
      .selectFrom('package_images as ip')
      .innerJoin('packages as p', 'p.purl', 'ip.purl')
      .innerJoin('images as i', 'i.id', 'ip.image_id')
      .leftJoin('repositories as r', 'r.id', 'i.repository_id')
      .select(['i.id as image_id', 'i.digest', 'r.name as repository', 'p.purl', 'p.version'])
      .distinct()
      .where('ip.org_id', '=', this.org.id)
      .where('i.org_id', '=', this.org.id);
    if (parts.version) q = q.where('p.purl', '=', purl);
    else {
      q = q.where('p.type', '=', parts.type).where('p.name', '=', parts.name);
      q = parts.namespace ? q.where('p.namespace', '=', parts.namespace) : q.where('p.namespace', 'is', null);
    }
    if (after) q = q.where((eb) => eb(eb.refTuple('i.digest', 'p.purl'), '>', eb.tuple(String(after[0]), String(after[1]))));
    const rows = await q.orderBy('i.digest').orderBy('p.purl').limit(limit + 1).execute();
    const tags = await this.tagsOf(rows.slice(0, limit).map((r) => r.image_id));
    return pageOf(
      rows,
      limit,
      (r) => ({ digest: r.digest, ...(r.repository ? { repository: r.repository } : {}), tags: tags.get(r.image_id) ?? [], purl: r.purl, packageVersion: r.version }),
      (r) => [r.digest, r.purl],
    );
  }

  async findBaseImage(chains: readonly string[]): Promise<BaseImageMatch | undefined> {
    return layerBaseImage(this.db, this.org.id, chains);
  }

  async recommendBaseImages(chains: readonly string[]): Promise<Recommendations> {
    const base = await this.findBaseImage(chains);
    if (!base) return { recommendations: [] };
    // The base is this organisation's image or the catalogue's (its own first, as findBaseImage
    // chose); the other tagged images of its repository are the candidates, read where it lives.
    const row = await this.db
      .selectFrom('images as i')
      .innerJoin('orgs as o', 'o.id', 'i.org_id')
      .select(['i.id', 'i.org_id', 'i.repository_id'])
      .where('i.digest', '=', base.digest)
      .where((eb) => eb.or([eb('i.org_id', '=', this.org.id), eb('o.catalog', '=', 1)]))
      .orderBy('o.catalog', 'asc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const rows = await this.db
      .selectFrom('images as i')
      .leftJoin('tags as t', (j) => j.onRef('t.image_id', '=', 'i.id').on('t.until_at', 'is', null))
      .leftJoin('repositories as r', 'r.id', 'i.repository_id')
      .select(['i.id', 'i.digest', 'i.os_name', 'i.os_version', 'i.created', 'i.size_compressed', 'i.fixable_critical', 'i.fixable_high', 'r.name as repository', 't.name as tag'])
      .where('i.org_id', '=', row.org_id)
      .where(row.repository_id === null ? (eb) => eb('i.id', '=', row.id) : (eb) => eb('i.repository_id', '=', row.repository_id))
      .orderBy('t.name')
      .execute();
    const byId = new Map<string, BaseCandidate>();
    for (const r of rows) {
      const c = byId.get(r.id) ?? {
        digest: r.digest,
        ...(r.repository ? { repository: r.repository } : {}),
        tags: [],
        ...(r.os_name ? { osFamily: r.os_name } : {}),
        ...(r.os_version ? { osVersion: r.os_version } : {}),
        ...(r.created ? { created: r.created } : {}),
        size: Number(r.size_compressed),
        // Kept with the image by push and re-match (image-counts.ts): open, with a fixed version.
        fixable: { critical: Number(r.fixable_critical), high: Number(r.fixable_high) },
      };
      if (r.tag !== null) c.tags.push(r.tag);
      byId.set(r.id, c);
    }
    const current = byId.get(row.id)!;
    // Other tags: untagged images of the repository are nobody's recommendation.
    const others = [...byId].filter(([id, c]) => id !== row.id && c.tags.length > 0).map(([, c]) => c);
    return { base: { ...base, current }, recommendations: rankCandidates(current, others) };
  }

  // ---- deleting --------------------------------------------------------------------------

  async deleteImage(digest: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('images').select(['id', 'repository_id']).where('org_id', '=', this.org.id).where('digest', '=', digest).executeTakeFirst();
      if (!row) return false;
      await deleteImages(trx, this.org.id, [row.id]);
      if (row.repository_id) await deleteEmptyRepositories(trx, this.org.id, [row.repository_id]);
      return true;
    });
  }

  async deleteRepository(name: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const repo = await trx.selectFrom('repositories').select('id').where('org_id', '=', this.org.id).where('name', '=', name).executeTakeFirst();
      if (!repo) return false;
      const images = await trx.selectFrom('images').select('id').where('org_id', '=', this.org.id).where('repository_id', '=', repo.id).execute();
      await deleteImages(trx, this.org.id, images.map((i) => i.id));
      await trx.deleteFrom('tags').where('org_id', '=', this.org.id).where('repository_id', '=', repo.id).execute();
      await trx.deleteFrom('repositories').where('org_id', '=', this.org.id).where('id', '=', repo.id).execute();
      return true;
    });
  }

  async setRetention(days: number | null): Promise<Org> {
    if (days !== null && (!Number.isInteger(days) || days < 1)) throw new ScoutError('bad-retention', 'retention must be a whole number of days, at least 1 (or null to keep images)');
    await this.db.updateTable('orgs').set({ retention_days: days }).where('id', '=', this.org.id).execute();
    (this.org as { retentionDays: number | null }).retentionDays = days;
    return this.org;
  }

  async prune(now = new Date()): Promise<number> {
    const row = await this.db.selectFrom('orgs').select('retention_days').where('id', '=', this.org.id).executeTakeFirst();
    const days = row?.retention_days;
    if (!days) return 0;
    const cutoff = new Date(now.getTime() - days * DAY_MS).toISOString();
    let total = 0;
    // Bounded batches, each its own transaction: a big backlog never holds one huge lock.
    for (;;) {
      const n = await this.db.transaction().execute(async (trx) => {
        const old = await trx.selectFrom('images').select(['id', 'repository_id']).where('org_id', '=', this.org.id).where('last_seen_at', '<', cutoff).limit(200).execute();
        if (!old.length) return 0;
        await deleteImages(trx, this.org.id, old.map((o) => o.id));
        await deleteEmptyRepositories(trx, this.org.id, [...new Set(old.map((o) => o.repository_id).filter((x): x is string => x !== null))]);
        return old.length;
      });
      total += n;
      if (n < 200) return total;
    }
  }

  // ---- tokens ----------------------------------------------------------------------------

  /** By creation, oldest first (the id breaks ties, so a cursor never skips nor repeats a token). */
  async listTokens(page: PageRequest): Promise<Page<TokenInfo>> {
    const limit = limitOf(page);
    const after = decodeCursor(page.cursor, ['string', 'string']);
    let q = this.db.selectFrom('tokens').selectAll().where('org_id', '=', this.org.id);
    if (after) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(String(after[0]), String(after[1]))));
    const rows = await q.orderBy('created_at').orderBy('id').limit(limit + 1).execute();
    return pageOf(rows, limit, tokenInfoOf, (r) => [r.created_at, r.id]);
  }

  async createToken(name: string, scope: TokenScope): Promise<{ token: string; info: TokenInfo }> {
    const { token, row } = createTokenRow(this.org.id, name, scope);
    await this.db.insertInto('tokens').values(row).execute();
    return { token, info: tokenInfoOf(row) };
  }

  async revokeToken(id: string): Promise<boolean> {
    const r = await this.db.updateTable('tokens').set({ revoked_at: new Date().toISOString() }).where('org_id', '=', this.org.id).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

/**
 * The base image by layers: the stored image (this organisation's or the public catalogue's)
 * whose top chain ID is the longest proper prefix of `chains`. A function of the database
 * handle, so a push's transaction can ask it too.
 */
/**
 * The base-image query, compiled once per number of prefixes for each database handle (local
 * analysis runs it on every request; building it cost more than running it).
 */
const baseImageQueries = new WeakMap<Db, Precompiled<[string, readonly string[]], BaseImageRow>>();
type BaseImageRow = { id: string; digest: string; layer_count: number; catalog: number; repository: string | null; tag: string | null };

function baseImageQuery(db: Db): Precompiled<[string, readonly string[]], BaseImageRow> {
  let q = baseImageQueries.get(db);
  if (!q) {
    q = new Precompiled(([orgId, prefixes]) => db
      .selectFrom('images as i')
      .innerJoin('orgs as o', 'o.id', 'i.org_id')
      .leftJoin('repositories as r', 'r.id', 'i.repository_id')
      .leftJoin('tags as t', (j) => j.onRef('t.image_id', '=', 'i.id').on('t.until_at', 'is', null))
      .select(['i.id', 'i.digest', 'i.layer_count', 'o.catalog', 'r.name as repository', 't.name as tag'])
      .where('i.top_chain_id', 'in', prefixes)
      .where((eb) => eb.or([eb('i.org_id', '=', orgId), eb('o.catalog', '=', 1)]))
      .orderBy('i.layer_count', 'desc')
      .orderBy('o.catalog', 'asc')
      .orderBy('i.pushed_at', 'desc')
      .orderBy('i.id'));
    baseImageQueries.set(db, q);
  }
  return q;
}

export async function layerBaseImage(db: Db, orgId: string, chains: readonly string[]): Promise<BaseImageMatch | undefined> {
  // Proper prefixes only: an image with the very same layers is a sibling, not a base.
  const prefixes = chains.slice(0, -1);
  if (!prefixes.length) return undefined;
  // One round trip: the candidates with their current tags, best first (longest; among equals
  // the organisation's own image, then the latest pushed), so the best one's tag rows come
  // first and together. On a loaded PostgreSQL each round trip costs milliseconds.
  // No LIMIT: on SQLite an ORDER BY with a LIMIT (a bounded sorter, opened on every run) cost
  // ~10 times the rest of this query, the costliest part of a repeated local analysis. The
  // database sorts every candidate either way; the candidates are the stored images whose
  // layers are exactly a proper prefix of these (the versions of this image's bases), a few
  // rows each (one per current tag).
  const { rows } = await db.executeQuery(baseImageQuery(db).with([orgId, prefixes]));
  const best = rows[0];
  return best ? baseImageMatchOf(best, rows) : undefined;
}

/** The base image a candidate row names, with the current tags its rows (among `rows`) carry. */
function baseImageMatchOf<R extends Pick<BaseImageRow, 'digest' | 'layer_count' | 'catalog' | 'repository' | 'tag'> & { id: unknown }>(best: R, rows: readonly R[]): BaseImageMatch {
  const tags = rows.filter((r) => r.id === best.id && r.tag !== null).map((r) => r.tag!).sort();
  return {
    digest: best.digest,
    ...(best.repository ? { repository: best.repository } : {}),
    tags,
    layers: best.layer_count,
    catalog: Number(best.catalog) === 1,
    from: 'layers',
  };
}

/** Distinct prefixes one layerBaseImages query names at most (an image with more is queried alone). */
const PREFIXES_PER_QUERY = 500;

/**
 * layerBaseImage for many images of one organisation (a re-match judges hundreds), in a few
 * queries instead of one each: images are grouped so that the distinct proper prefixes of a
 * group fit one query, and every image's prefixes fall in one group. A query returns the
 * candidates of all its images best first, as layerBaseImage's does; each image takes the
 * first row whose top chain ID is one of its own prefixes (the rows of its own candidates, in
 * the same order), so each answer is the one layerBaseImage gives that image alone.
 */
export async function layerBaseImages(db: Db, orgId: string, chainsOfImages: readonly (readonly string[])[]): Promise<(BaseImageMatch | undefined)[]> {
  if (chainsOfImages.length === 1) return [await layerBaseImage(db, orgId, chainsOfImages[0])];
  const out: (BaseImageMatch | undefined)[] = chainsOfImages.map(() => undefined);
  const groups: { images: number[]; prefixes: Set<string> }[] = [];
  let open: { images: number[]; prefixes: Set<string> } | undefined;
  for (const [i, chains] of chainsOfImages.entries()) {
    const prefixes = chains.slice(0, -1);
    if (!prefixes.length) continue;
    const added = prefixes.filter((p) => !open?.prefixes.has(p));
    if (!open || open.prefixes.size + added.length > PREFIXES_PER_QUERY) groups.push((open = { images: [], prefixes: new Set() }));
    open.images.push(i);
    for (const p of prefixes) open.prefixes.add(p);
  }
  for (const g of groups) {
    const rows = await db
      .selectFrom('images as i')
      .innerJoin('orgs as o', 'o.id', 'i.org_id')
      .leftJoin('repositories as r', 'r.id', 'i.repository_id')
      .leftJoin('tags as t', (j) => j.onRef('t.image_id', '=', 'i.id').on('t.until_at', 'is', null))
      .select(['i.id', 'i.top_chain_id', 'i.digest', 'i.layer_count', 'o.catalog', 'r.name as repository', 't.name as tag'])
      .where('i.top_chain_id', 'in', [...g.prefixes])
      .where((eb) => eb.or([eb('i.org_id', '=', orgId), eb('o.catalog', '=', 1)]))
      .orderBy('i.layer_count', 'desc')
      .orderBy('o.catalog', 'asc')
      .orderBy('i.pushed_at', 'desc')
      .orderBy('i.id')
      .execute();
    if (!rows.length) continue;
    for (const i of g.images) {
      const own = new Set(chainsOfImages[i].slice(0, -1));
      const best = rows.find((r) => own.has(r.top_chain_id));
      if (best) out[i] = baseImageMatchOf(best, rows);
    }
  }
  return out;
}

function storedFinding(r: PlatformDatabase['findings'], vex?: FindingVex): StoredFinding {
  const d = JSON.parse(r.detail) as { ids: string[]; packageName: string; packageVersion: string; packageType: string; fixedVersions: string[]; summary?: string; epss?: { score: number; percentile: number } };
  return {
    vulnerabilityId: r.vulnerability_id,
    ids: d.ids,
    purl: r.purl,
    packageName: d.packageName,
    packageVersion: d.packageVersion,
    packageType: d.packageType,
    severity: r.severity as SeverityLevel,
    ...(r.cvss_score !== null ? { cvssScore: Number(r.cvss_score) } : {}),
    status: r.status,
    fixedVersions: d.fixedVersions,
    kev: Number(r.kev) === 1,
    ...(d.epss ? { epss: d.epss } : {}),
    ...(d.summary ? { summary: d.summary } : {}),
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    ...(r.fixed_at ? { fixedAt: r.fixed_at } : {}),
    ...(r.withdrawn_at ? { withdrawnAt: r.withdrawn_at } : {}),
    ...(vex ? { vex } : {}),
  };
}

/**
 * Deletes these images of one org and every row that belonged only to them: their findings,
 * packages rows, layers rows and tag history, then shared packages and layers nothing else uses.
 */
export async function deleteImages(trx: Db, orgId: string, imageIds: readonly string[]): Promise<void> {
  // The packages rows nothing uses are found through package_images: every image in it first.
  if (imageIds.length) await settlePackageIndex(trx);
  for (const ids of chunks(imageIds, 500)) {
    const purls = (await trx.selectFrom('image_packages').select('purl').distinct().where('org_id', '=', orgId).where('image_id', 'in', ids).execute()).map((r) => r.purl);
    const chains = (await trx.selectFrom('image_layers').select('chain_id').distinct().where('org_id', '=', orgId).where('image_id', 'in', ids).execute()).map((r) => r.chain_id);
    const vulns = (await trx.selectFrom('findings').select('vulnerability_id').distinct().where('org_id', '=', orgId).where('image_id', 'in', ids).execute()).map((r) => r.vulnerability_id);
    // An image's events (and their delivery log) go with it; where it ran (workloads) stays:
    // that is the environment's history, not the image's.
    await trx.deleteFrom('webhook_deliveries').where('org_id', '=', orgId).where('event_id', 'in', (eb) => eb.selectFrom('events').select('id').where('org_id', '=', orgId).where('image_id', 'in', ids)).execute();
    await trx.deleteFrom('events').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('policy_history').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('policy_results').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('image_secrets').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('image_provenance').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await deleteImagesVex(trx, orgId, ids);
    await trx.deleteFrom('findings').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('package_images').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('image_packages').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('image_layers').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('tags').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('image_metadata').where('org_id', '=', orgId).where('image_id', 'in', ids).execute();
    await trx.deleteFrom('images').where('org_id', '=', orgId).where('id', 'in', ids).execute();
    for (const c of chunks(purls, 500)) {
      await trx.deleteFrom('packages').where('purl', 'in', c).where((eb) => eb.not(eb.exists(eb.selectFrom('package_images as ip').select('ip.purl').whereRef('ip.purl', '=', 'packages.purl')))).execute();
    }
    // A vulnerability's aliases stay while any finding of the organisation has it.
    for (const c of chunks(vulns, 500)) {
      await trx
        .deleteFrom('vulnerability_aliases')
        .where('org_id', '=', orgId)
        .where('vulnerability_id', 'in', c)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('findings as f').select('f.vulnerability_id').where('f.org_id', '=', orgId).whereRef('f.vulnerability_id', '=', 'vulnerability_aliases.vulnerability_id'))))
        .execute();
    }
    // Deepest first: a layer row is another's parent only by value, but keep the order readable.
    for (const c of chunks(chains, 500)) {
      await trx.deleteFrom('layers').where('chain_id', 'in', c).where((eb) => eb.not(eb.exists(eb.selectFrom('image_layers as il').select('il.chain_id').whereRef('il.chain_id', '=', 'layers.chain_id')))).execute();
    }
  }
}

/** Repositories left with no image are deleted with their tag history. */
async function deleteEmptyRepositories(trx: Db, orgId: string, repoIds: readonly string[]): Promise<void> {
  for (const id of repoIds) {
    const left = await trx.selectFrom('images').select('id').where('org_id', '=', orgId).where('repository_id', '=', id).limit(1).executeTakeFirst();
    if (left) continue;
    await trx.deleteFrom('tags').where('org_id', '=', orgId).where('repository_id', '=', id).execute();
    await trx.deleteFrom('repositories').where('org_id', '=', orgId).where('id', '=', id).execute();
  }
}
