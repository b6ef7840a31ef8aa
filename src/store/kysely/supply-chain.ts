/**
 * What a push carries besides the SBOM (migration 005): the attestations found beside the
 * image, its provenance facts and the secret scan; and the base-image answer provenance gives.
 * Every query carries the organisation's id; a base image is read from the organisation's own
 * images or the public catalogue, as the layer match reads it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { StoredProvenance } from '../../policy/input.js';
import type { BaseImageMatch, ImageUpload, PushedAttestations, SecretScan } from '../platform-store.js';
import { chunks, orgColumn } from './dialect.js';
import type { PlatformDatabase } from './schema.js';

type Db = Kysely<PlatformDatabase> | Transaction<PlatformDatabase>;

/** Writes the attestations, provenance and secret scan of a new image, in its push's transaction. */
export async function insertSupplyChain(trx: Db, orgId: string, imageId: string, upload: ImageUpload, at: string): Promise<void> {
  if (upload.attestations || upload.provenance) {
    const p = upload.provenance;
    await trx
      .insertInto('image_provenance')
      .values({
        image_id: imageId,
        org_id: orgId,
        // Provenance facts came, so a provenance attestation did, whatever the flags say.
        has_provenance: upload.attestations?.provenance || p ? 1 : 0,
        has_sbom: upload.attestations?.sbom ? 1 : 0,
        base_name: p?.baseImage?.name ?? null,
        base_digest: p?.baseImage?.digest ?? null,
        provenance: p ? JSON.stringify(p) : null,
      })
      .execute();
  }
  if (upload.secrets) {
    await trx
      .insertInto('image_secrets')
      .values({ image_id: imageId, org_id: orgId, scanned_at: upload.secrets.scannedAt || at, finding_count: upload.secrets.findings.length, report: JSON.stringify({ ...upload.secrets, scannedAt: upload.secrets.scannedAt || at }) })
      .execute();
  }
}

/**
 * A push of a digest already stored: what it brings that the stored image lacks is added (the
 * image pushed first without --secrets, or from a source without its attestations). An
 * attestation found once exists, so the flags only turn on; stored provenance facts stay (the
 * same digest was built once); a new secret scan replaces the stored one (the newer client's
 * rules are the better judge of the same files). Returns whether anything changed, so the
 * caller judges the image's policies again.
 */
export async function addSupplyChain(trx: Db, orgId: string, imageId: string, upload: ImageUpload, at: string): Promise<boolean> {
  let changed = false;
  if (upload.attestations || upload.provenance) {
    const row = await trx.selectFrom('image_provenance').selectAll().where('org_id', '=', orgId).where('image_id', '=', imageId).executeTakeFirst();
    if (!row) {
      const { secrets: _secrets, ...provenanceOnly } = upload;
      await insertSupplyChain(trx, orgId, imageId, provenanceOnly, at);
      changed = true;
    } else {
      const p = row.provenance === null ? upload.provenance : undefined;
      const hasProvenance = Number(row.has_provenance) === 1 || !!upload.attestations?.provenance || !!upload.provenance;
      const hasSbom = Number(row.has_sbom) === 1 || !!upload.attestations?.sbom;
      if (p || hasProvenance !== (Number(row.has_provenance) === 1) || hasSbom !== (Number(row.has_sbom) === 1)) {
        await trx
          .updateTable('image_provenance')
          .set({
            has_provenance: hasProvenance ? 1 : 0,
            has_sbom: hasSbom ? 1 : 0,
            ...(p ? { provenance: JSON.stringify(p), base_name: p.baseImage?.name ?? null, base_digest: p.baseImage?.digest ?? null } : {}),
          })
          .where('org_id', '=', orgId)
          .where('image_id', '=', imageId)
          .execute();
        changed = true;
      }
    }
  }
  if (upload.secrets) {
    const scannedAt = upload.secrets.scannedAt || at;
    const report = JSON.stringify({ ...upload.secrets, scannedAt });
    const row = await trx.selectFrom('image_secrets').select('report').where('org_id', '=', orgId).where('image_id', '=', imageId).executeTakeFirst();
    if (!row) await trx.insertInto('image_secrets').values({ image_id: imageId, org_id: orgId, scanned_at: scannedAt, finding_count: upload.secrets.findings.length, report }).execute();
    else await trx.updateTable('image_secrets').set({ scanned_at: scannedAt, finding_count: upload.secrets.findings.length, report }).where('org_id', '=', orgId).where('image_id', '=', imageId).execute();
    changed = true;
  }
  return changed;
}

export interface SupplyChainFacts {
  attestations?: PushedAttestations;
  provenance?: StoredProvenance;
}

/** The attestations and provenance stored with these images (none for an image the push said nothing of). */
export async function supplyChainOf(db: Db, orgId: string, imageIds: readonly string[]): Promise<Map<string, SupplyChainFacts>> {
  const out = new Map<string, SupplyChainFacts>();
  for (const ids of chunks([...new Set(imageIds)], 500)) {
    const rows = await db.selectFrom('image_provenance').selectAll().where(orgColumn('org_id'), '=', orgId).where('image_id', 'in', ids).execute();
    for (const r of rows) {
      out.set(r.image_id, {
        attestations: { provenance: Number(r.has_provenance) === 1, sbom: Number(r.has_sbom) === 1 },
        ...(r.provenance ? { provenance: JSON.parse(r.provenance) as StoredProvenance } : {}),
      });
    }
  }
  return out;
}

/** The secret scans stored with these images (none for an image pushed without --secrets). */
export async function secretScansOf(db: Db, orgId: string, imageIds: readonly string[]): Promise<Map<string, SecretScan>> {
  const out = new Map<string, SecretScan>();
  for (const ids of chunks([...new Set(imageIds)], 500)) {
    const rows = await db.selectFrom('image_secrets').select(['image_id', 'report']).where(orgColumn('org_id'), '=', orgId).where('image_id', 'in', ids).execute();
    for (const r of rows) out.set(r.image_id, JSON.parse(r.report) as SecretScan);
  }
  return out;
}

/**
 * The base image each of these images' provenance names, by its digest: the stored image with
 * that manifest digest, or with that index digest and the image's own platform (BuildKit
 * records the digest the FROM reference resolved to, often a multi-platform index). The
 * organisation's own image comes before the catalogue's, the latest pushed first. A base no
 * stored image matches is still the answer (`layers` absent: which layers it accounts for is
 * not known). Images whose provenance names no base digest are not in the map: the caller
 * matches their layers.
 */
export async function provenanceBases(db: Db, orgId: string, imageIds: readonly string[]): Promise<Map<string, BaseImageMatch>> {
  const out = new Map<string, BaseImageMatch>();
  if (!imageIds.length) return out;
  const named = await db
    .selectFrom('image_provenance as p')
    .innerJoin('images as i', 'i.id', 'p.image_id')
    .select(['p.image_id', 'p.base_name', 'p.base_digest', 'i.os', 'i.architecture', 'i.variant'])
    .where(orgColumn('p.org_id'), '=', orgId)
    .where(orgColumn('i.org_id'), '=', orgId)
    .where('p.image_id', 'in', [...imageIds])
    .where('p.base_digest', 'is not', null)
    .execute();
  if (!named.length) return out;
  const digests = [...new Set(named.map((n) => n.base_digest!))];
  const candidates = await db
    .selectFrom('images as b')
    .innerJoin('orgs as o', 'o.id', 'b.org_id')
    .leftJoin('repositories as r', 'r.id', 'b.repository_id')
    .select(['b.id', 'b.digest', 'b.index_digest', 'b.os', 'b.architecture', 'b.variant', 'b.layer_count', 'b.pushed_at', 'o.catalog', 'r.name as repository'])
    .where((eb) => eb.or([eb('b.digest', 'in', digests), eb('b.index_digest', 'in', digests)]))
    .where((eb) => eb.or([eb('b.org_id', '=', orgId), eb('o.catalog', '=', 1)]))
    .orderBy('o.catalog', 'asc')
    .orderBy('b.pushed_at', 'desc')
    .orderBy('b.id')
    .execute();
  const chosen = new Map<string, (typeof candidates)[number]>();
  for (const n of named) {
    const hit = candidates.find(
      (c) => c.digest === n.base_digest || (c.index_digest === n.base_digest && c.os === n.os && c.architecture === n.architecture && (c.variant ?? null) === (n.variant ?? null)),
    );
    if (hit) chosen.set(n.image_id, hit);
  }
  const baseIds = [...new Set([...chosen.values()].map((c) => c.id))];
  const tags = new Map<string, string[]>();
  // A catalogue base's tags belong to the catalogue: read by image id, as the layer match does.
  if (baseIds.length) {
    for (const t of await db.selectFrom('tags').select(['image_id', 'name']).where('image_id', 'in', baseIds).where('until_at', 'is', null).orderBy('name').execute()) {
      tags.set(t.image_id, [...(tags.get(t.image_id) ?? []), t.name]);
    }
  }
  for (const n of named) {
    const c = chosen.get(n.image_id);
    const name = n.base_name ? { name: n.base_name } : {};
    out.set(
      n.image_id,
      c
        ? { digest: c.digest, ...(c.repository ? { repository: c.repository } : {}), tags: tags.get(c.id) ?? [], layers: c.layer_count, catalog: Number(c.catalog) === 1, from: 'provenance', ...name }
        : { digest: n.base_digest!, tags: [], catalog: false, from: 'provenance', ...name },
    );
  }
  return out;
}
