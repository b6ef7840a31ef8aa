/**
 * VEX statements on the platform (migration 010): OpenVEX documents an organisation sends
 * (POST /v1/vex, or with a push: `scout push --vex-location`), and the VEX status each of its
 * findings gets from them, by the CLI's own rules (src/match/vex.ts): a statement applies when
 * it names one of the finding's ids and its product is the package (purl, subcomponent) or the
 * image itself; the newest statement that applies decides. A document sent with a push speaks
 * of that image only, as `--vex-location` speaks of the one scan; one sent to /v1/vex applies
 * to every image of the organisation its products name. Another organisation's statements are
 * never read: every query carries the organisation's id.
 *
 * The deciding statement of each finding is kept in `finding_vex`, worked out again whenever
 * statements arrive or go (for the findings of the vulnerabilities they name) and whenever
 * findings arrive (a push, a re-match), so lists filter on it by index.
 */
import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { ImageMetadata } from '../../image/metadata.js';
import { decidingStatement, indexVex, namesImage, refOf, type NamesImage, type VexDocument, type VexStatement, type VexStatus } from '../../match/vex.js';
import type { VexStatementRef } from '../../match/types.js';
import { buildPurl, tryParsePurl, type PurlParts } from '../../sbom/purl.js';
import { uuidv7 } from '../../util/uuid7.js';
import type { Page, PageRequest } from '../platform-store.js';
import { decodeCursor, limitOf, pageOf } from './cursor.js';
import { chunks } from './dialect.js';
import type { FindingVexTable, PlatformDatabase } from './schema.js';

type Db = Kysely<PlatformDatabase> | Transaction<PlatformDatabase>;

/** Where a stored document came from. */
export type VexSource = 'api' | 'push';

/** A finding's VEX status: the deciding statement, and the stored document it is in. */
export interface FindingVex {
  status: VexStatus;
  /** The vulnerability as the statement names it. */
  vulnerability: string;
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
  statusNotes?: string;
  /** The statement's timestamp, else its document's. */
  timestamp?: string;
  /** The stored document (GET /v1/vex/ID) and what it says of itself. */
  document: { id: string; source: VexSource; documentId?: string; author?: string; file?: string };
}

export interface VexDocumentSummary {
  id: string;
  /** The document's own @id, author and timestamp, when it gives them. */
  documentId?: string;
  author?: string;
  timestamp?: string;
  source: VexSource;
  /** The file name `scout push --vex-location` read it from. */
  file?: string;
  /** The image a push sent it with: it speaks of that image only. */
  image?: { digest: string };
  statementCount: number;
  /** The vulnerabilities its statements name (at most 20). */
  vulnerabilities: string[];
  createdAt: string;
  /** How many of the organisation's findings it decides now. */
  findings: number;
}

/** A statement as stored: the CLI's own, its products reduced to the package URLs they name. */
export type StoredVexStatement = Omit<VexStatement, 'products'> & { products: { purls: string[]; subcomponents: string[] }[] };

export interface VexDocumentDetail extends VexDocumentSummary {
  statements: StoredVexStatement[];
}

export interface VexFilter {
  /** Documents with a statement naming this id (any alias, case-insensitive). */
  vulnerability?: string;
}

/** Stored statements carry the parsed statement; the document is our row. */
function contentHash(doc: VexDocument, imageId: string | undefined): string {
  const { file: _file, ...rest } = doc;
  return createHash('sha256').update(JSON.stringify({ image: imageId ?? null, ...rest })).digest('hex');
}

/**
 * Stores documents for the organisation (each once: the same document again, for the same
 * image or none, is the stored one) and works out the VEX status of the findings they name.
 * Returns each document's stored id, whether it was new, and the images whose findings changed
 * VEX status (their policies are judged again by the caller).
 */
export async function addVexDocuments(
  trx: Transaction<PlatformDatabase>,
  orgId: string,
  docs: readonly VexDocument[],
  opts: { source: VexSource; imageId?: string; by?: string; at?: string; files?: readonly (string | undefined)[] },
): Promise<{ ids: string[]; created: boolean[]; changedImages: string[] }> {
  const at = opts.at ?? new Date().toISOString();
  const ids: string[] = [];
  const created: boolean[] = [];
  const named = new Set<string>();
  for (const [i, doc] of docs.entries()) {
    const hash = contentHash(doc, opts.imageId);
    const existing = await trx.selectFrom('vex_documents').select('id').where('org_id', '=', orgId).where('content_hash', '=', hash).executeTakeFirst();
    if (existing) {
      ids.push(existing.id);
      created.push(false);
      continue;
    }
    const id = uuidv7();
    await trx
      .insertInto('vex_documents')
      .values({
        id,
        org_id: orgId,
        document_id: doc.id ?? null,
        author: doc.author ?? null,
        timestamp: doc.timestamp ?? null,
        source: opts.source,
        file: opts.files?.[i] ?? null,
        image_id: opts.imageId ?? null,
        content_hash: hash,
        statement_count: doc.statements.length,
        created_at: at,
        created_by: opts.by ?? null,
      })
      .execute();
    const statements = doc.statements.map((st, ordinal) => ({ vex_id: id, ordinal, org_id: orgId, vulnerability: st.vulnerability, status: st.status, statement: JSON.stringify(st) }));
    for (const c of chunks(statements, 200)) await trx.insertInto('vex_statements').values(c).execute();
    const idRows = doc.statements.flatMap((st, ordinal) => [...new Set([st.vulnerability, ...st.aliases].map((v) => v.toUpperCase()))].map((vulnerability) => ({ org_id: orgId, vulnerability, vex_id: id, ordinal })));
    for (const c of chunks(idRows, 200)) await trx.insertInto('vex_statement_ids').values(c).execute();
    for (const r of idRows) named.add(r.vulnerability);
    ids.push(id);
    created.push(true);
  }
  if (!named.size) return { ids, created, changedImages: [] };
  const changedImages = await refreshFindingVex(trx, orgId, opts.imageId ? { imageIds: [opts.imageId] } : { ids: [...named] });
  return { ids, created, changedImages };
}

/** Deletes a document of the organisation; the findings it decided are worked out again. Undefined: no such document. */
export async function deleteVexDocument(trx: Transaction<PlatformDatabase>, orgId: string, id: string): Promise<{ changedImages: string[] } | undefined> {
  const doc = await trx.selectFrom('vex_documents').select(['id', 'image_id']).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!doc) return undefined;
  const named = (await trx.selectFrom('vex_statement_ids').select('vulnerability').distinct().where('org_id', '=', orgId).where('vex_id', '=', id).execute()).map((r) => r.vulnerability);
  // The findings it decided lose their status first; another statement may decide them again.
  const decided = (await trx.selectFrom('finding_vex').select('image_id').distinct().where('org_id', '=', orgId).where('vex_id', '=', id).execute()).map((r) => r.image_id);
  await trx.deleteFrom('finding_vex').where('org_id', '=', orgId).where('vex_id', '=', id).execute();
  await deleteVexRows(trx, orgId, [id]);
  const changed = await refreshFindingVex(trx, orgId, doc.image_id ? { imageIds: [doc.image_id] } : { ids: named });
  return { changedImages: [...new Set([...decided, ...changed])] };
}

/** The rows of these documents (the findings they decided keep theirs until worked out again). */
async function deleteVexRows(trx: Db, orgId: string, ids: readonly string[]): Promise<void> {
  for (const c of chunks(ids, 500)) {
    await trx.deleteFrom('vex_statement_ids').where('org_id', '=', orgId).where('vex_id', 'in', c).execute();
    await trx.deleteFrom('vex_statements').where('org_id', '=', orgId).where('vex_id', 'in', c).execute();
    await trx.deleteFrom('vex_documents').where('org_id', '=', orgId).where('id', 'in', c).execute();
  }
}

/** With images that go: the documents their pushes brought, and their findings' VEX rows. */
export async function deleteImagesVex(trx: Db, orgId: string, imageIds: readonly string[]): Promise<void> {
  await trx.deleteFrom('finding_vex').where('org_id', '=', orgId).where('image_id', 'in', imageIds).execute();
  const docs = (await trx.selectFrom('vex_documents').select('id').where('org_id', '=', orgId).where('image_id', 'in', imageIds).execute()).map((r) => r.id);
  if (docs.length) await deleteVexRows(trx, orgId, docs);
}

/** With the organisation: every VEX row it has. */
export async function deleteOrgVex(trx: Db, orgId: string): Promise<void> {
  for (const t of ['finding_vex', 'vex_statement_ids', 'vex_statements', 'vex_documents'] as const) await trx.deleteFrom(t).where('org_id', '=', orgId).execute();
}

type FindingKey = { image_id: string; purl: string; vulnerability_id: string };
const keyOf = (r: FindingKey) => `${r.image_id}\0${r.purl}\0${r.vulnerability_id}`;

/**
 * Works out again the deciding statement of the findings in scope: an image's findings (a push,
 * a re-match, a document sent with a push), or the findings of the vulnerabilities these ids
 * name (a document sent or deleted). Returns the images where a finding's status changed.
 */
export async function refreshFindingVex(trx: Db, orgId: string, scope: { imageIds: readonly string[] } | { ids: readonly string[] }): Promise<string[]> {
  let findings: (FindingKey & { detail: string })[] = [];
  let existing: FindingVexTable[] = [];
  if ('imageIds' in scope) {
    if (!scope.imageIds.length) return [];
    // An organisation without statements (most) pays one indexed lookup; it has no finding_vex
    // rows either (deleting its last document worked them out again).
    const any = await trx.selectFrom('vex_statements').select('vex_id').where('org_id', '=', orgId).limit(1).executeTakeFirst();
    if (!any) return [];
    for (const ids of chunks(scope.imageIds, 500)) {
      existing = existing.concat(await trx.selectFrom('finding_vex').selectAll().where('org_id', '=', orgId).where('image_id', 'in', ids).execute());
      findings = findings.concat(await trx.selectFrom('findings').select(['image_id', 'purl', 'vulnerability_id', 'detail']).where('org_id', '=', orgId).where('image_id', 'in', ids).execute());
    }
  } else {
    const upper = [...new Set(scope.ids.map((i) => i.toUpperCase()))];
    const vulns = new Set<string>();
    for (const c of chunks(upper, 500)) {
      const rows = await trx.selectFrom('vulnerability_aliases').select('vulnerability_id').distinct().where('org_id', '=', orgId).where((eb) => eb(eb.fn('upper', ['alias']), 'in', c)).execute();
      for (const r of rows) vulns.add(r.vulnerability_id);
    }
    for (const c of chunks([...vulns], 500)) {
      findings = findings.concat(await trx.selectFrom('findings').select(['image_id', 'purl', 'vulnerability_id', 'detail']).where('org_id', '=', orgId).where('vulnerability_id', 'in', c).execute());
      existing = existing.concat(await trx.selectFrom('finding_vex').selectAll().where('org_id', '=', orgId).where('vulnerability_id', 'in', c).execute());
    }
  }
  const idsOf = new Map<string, string[]>();
  const allIds = new Set<string>();
  for (const f of findings) {
    const d = JSON.parse(f.detail) as { ids?: string[] };
    const ids = [...new Set([f.vulnerability_id, ...(d.ids ?? [])])];
    idsOf.set(keyOf(f), ids);
    for (const id of ids) allIds.add(id.toUpperCase());
  }
  const docs = await documentsNaming(trx, orgId, [...allIds]);
  const imageIds = [...new Set(findings.map((f) => f.image_id))];
  const identities = await imageIdentities(trx, orgId, imageIds);
  // Per image: the organisation-wide documents and those its pushes brought, in arrival order.
  // Images without documents of their own share one index of the organisation-wide ones: an
  // index per image held every statement once per image (2 GB for 2,000 statements at 4,000 images).
  const indexes = new Map<string, ReturnType<typeof indexVex>>();
  const withOwn = new Set(docs.flatMap((d) => (d.imageId === null ? [] : [d.imageId])));
  let shared: ReturnType<typeof indexVex> | undefined;
  const indexFor = (imageId: string) => {
    if (!withOwn.has(imageId)) return (shared ??= indexVex(docs.filter((d) => d.imageId === null).map((d) => d.doc)));
    let ix = indexes.get(imageId);
    if (!ix) indexes.set(imageId, (ix = indexVex(docs.filter((d) => d.imageId === null || d.imageId === imageId).map((d) => d.doc))));
    return ix;
  };
  const byId = new Map(docs.map((d) => [d.id, d]));
  const wanted = new Map<string, FindingVexTable>();
  const purls = new Map<string, PurlParts | undefined>();
  for (const f of findings) {
    if (!purls.has(f.purl)) purls.set(f.purl, tryParsePurl(f.purl));
    const best = decidingStatement(indexFor(f.image_id), idsOf.get(keyOf(f))!, purls.get(f.purl), identities.get(f.image_id) ?? (() => false));
    if (!best) continue;
    const stored = byId.get(best.doc.file)!;
    wanted.set(keyOf(f), { image_id: f.image_id, purl: f.purl, vulnerability_id: f.vulnerability_id, org_id: orgId, status: best.st.status, vex_id: stored.id, detail: JSON.stringify(findingVexOf(refOf(best.doc, best.st), stored)) });
  }
  const changed = new Set<string>();
  const had = new Map(existing.map((r) => [keyOf(r), r]));
  const gone: FindingVexTable[] = [];
  for (const [k, r] of had) {
    const w = wanted.get(k);
    if (!w) gone.push(r);
    if (!w || w.status !== r.status) changed.add(r.image_id);
  }
  const add: FindingVexTable[] = [];
  for (const [k, w] of wanted) {
    const r = had.get(k);
    if (r && r.status === w.status && r.vex_id === w.vex_id && r.detail === w.detail) continue;
    if (r) gone.push(r);
    if (!r || r.status !== w.status) changed.add(w.image_id);
    add.push(w);
  }
  // A document naming a vulnerability of a thousand images changes a thousand rows: deleted a
  // hundred keys a statement (row values, which SQLite and PostgreSQL both read), not one each.
  for (const c of chunks(gone, 100)) {
    await trx
      .deleteFrom('finding_vex')
      .where('org_id', '=', orgId)
      .where((eb) => eb(eb.refTuple('image_id', 'purl', 'vulnerability_id'), 'in', c.map((r) => eb.tuple(r.image_id, r.purl, r.vulnerability_id))))
      .execute();
  }
  for (const c of chunks(add, 100)) await trx.insertInto('finding_vex').values(c).execute();
  return [...changed];
}

/** The finding's view of a statement: what it says, and which stored document it is in. */
function findingVexOf(ref: VexStatementRef, doc: StoredDoc): FindingVex {
  return {
    status: ref.status,
    vulnerability: ref.vulnerability,
    ...(ref.justification ? { justification: ref.justification } : {}),
    ...(ref.impactStatement ? { impactStatement: ref.impactStatement } : {}),
    ...(ref.actionStatement ? { actionStatement: ref.actionStatement } : {}),
    ...(ref.statusNotes ? { statusNotes: ref.statusNotes } : {}),
    ...(ref.timestamp ? { timestamp: ref.timestamp } : {}),
    document: { id: doc.id, source: doc.source, ...(doc.doc.id ? { documentId: doc.doc.id } : {}), ...(doc.doc.author ? { author: doc.doc.author } : {}), ...(doc.file ? { file: doc.file } : {}) },
  };
}

interface StoredDoc {
  id: string;
  imageId: string | null;
  source: VexSource;
  file?: string;
  /** As src/match/vex.ts reads it; `file` is the stored id, so a deciding statement finds its row. */
  doc: VexDocument;
}

/** The organisation's documents with a statement naming one of these ids (upper case), only those statements, in arrival order. */
async function documentsNaming(db: Db, orgId: string, ids: readonly string[]): Promise<StoredDoc[]> {
  const wanted = new Map<string, Set<number>>();
  for (const c of chunks(ids, 500)) {
    const rows = await db.selectFrom('vex_statement_ids').select(['vex_id', 'ordinal']).where('org_id', '=', orgId).where('vulnerability', 'in', c).execute();
    for (const r of rows) {
      if (!wanted.has(r.vex_id)) wanted.set(r.vex_id, new Set());
      wanted.get(r.vex_id)!.add(Number(r.ordinal));
    }
  }
  if (!wanted.size) return [];
  const out: StoredDoc[] = [];
  for (const c of chunks([...wanted.keys()].sort(), 200)) {
    const [docs, statements] = await Promise.all([
      db.selectFrom('vex_documents').selectAll().where('org_id', '=', orgId).where('id', 'in', c).execute(),
      db.selectFrom('vex_statements').select(['vex_id', 'ordinal', 'statement']).where('org_id', '=', orgId).where('vex_id', 'in', c).orderBy('vex_id').orderBy('ordinal').execute(),
    ]);
    for (const d of docs.sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const sts = statements.filter((s) => s.vex_id === d.id && wanted.get(d.id)!.has(Number(s.ordinal))).map((s) => JSON.parse(s.statement) as VexStatement);
      const doc: VexDocument = { file: d.id, statements: sts, ...(d.document_id ? { id: d.document_id } : {}), ...(d.author ? { author: d.author } : {}), ...(d.timestamp ? { timestamp: d.timestamp } : {}) };
      out.push({ id: d.id, imageId: d.image_id, source: d.source as VexSource, ...(d.file ? { file: d.file } : {}), doc });
    }
  }
  return out;
}

/**
 * How a product purl names a stored image: as the CLI names a scanned one (its digests, the
 * reference it was read from), or by the repository it is stored in and its current tags.
 */
async function imageIdentities(db: Db, orgId: string, imageIds: readonly string[]): Promise<Map<string, NamesImage>> {
  const out = new Map<string, NamesImage>();
  for (const c of chunks(imageIds, 200)) {
    const [rows, tags] = await Promise.all([
      db.selectFrom('images as i').innerJoin('image_metadata as m', 'm.image_id', 'i.id').leftJoin('repositories as r', 'r.id', 'i.repository_id').select(['i.id', 'm.metadata', 'r.name as repository']).where('i.org_id', '=', orgId).where('i.id', 'in', c).execute(),
      db.selectFrom('tags').select(['image_id', 'name']).where('org_id', '=', orgId).where('image_id', 'in', c).where('until_at', 'is', null).execute(),
    ]);
    for (const r of rows) {
      const metadata = JSON.parse(r.metadata) as ImageMetadata;
      const variants: ImageMetadata[] = [metadata];
      if (r.repository) {
        const { host, repository } = splitRepository(r.repository);
        const own = tags.filter((t) => t.image_id === r.id).map((t) => t.name);
        for (const tag of own.length ? own : [undefined]) variants.push({ ...metadata, registry: { host, url: `https://${host}`, type: 'other', repository, ...(tag ? { tag } : {}) } });
      }
      out.set(r.id, (p) => variants.some((image) => namesImage(p, { image })));
    }
  }
  return out;
}

/** `registry.example/team/app` → host and repository; `team/app` is Docker Hub's. */
function splitRepository(name: string): { host: string; repository: string } {
  const [first, ...rest] = name.split('/');
  if (rest.length && (first.includes('.') || first.includes(':') || first === 'localhost')) return { host: first, repository: rest.join('/') };
  return { host: 'docker.io', repository: name.includes('/') ? name : `library/${name}` };
}

/** The VEX status of these findings of the organisation, by `image\0purl\0vulnerability`. */
export async function findingVexByKey(db: Db, orgId: string, keys: readonly FindingKey[]): Promise<Map<string, FindingVex>> {
  const out = new Map<string, FindingVex>();
  const images = [...new Set(keys.map((k) => k.image_id))];
  const vulns = [...new Set(keys.map((k) => k.vulnerability_id))];
  if (!keys.length) return out;
  for (const ic of chunks(images, 200)) {
    for (const vc of chunks(vulns, 200)) {
      const rows = await db.selectFrom('finding_vex').select(['image_id', 'purl', 'vulnerability_id', 'detail']).where('org_id', '=', orgId).where('image_id', 'in', ic).where('vulnerability_id', 'in', vc).execute();
      for (const r of rows) out.set(keyOf(r), JSON.parse(r.detail) as FindingVex);
    }
  }
  return out;
}
export { keyOf as findingVexKey };

// ---- reading documents ----------------------------------------------------------------------

async function summariesOf(db: Db, orgId: string, rows: PlatformDatabase['vex_documents'][]): Promise<VexDocumentSummary[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const imageIds = [...new Set(rows.map((r) => r.image_id).filter((x): x is string => x !== null))];
  const [names, counts, images] = await Promise.all([
    db.selectFrom('vex_statements').select(['vex_id', 'vulnerability']).distinct().where('org_id', '=', orgId).where('vex_id', 'in', ids).orderBy('vulnerability').execute(),
    db.selectFrom('finding_vex').select('vex_id').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('vex_id', 'in', ids).groupBy('vex_id').execute(),
    imageIds.length ? db.selectFrom('images').select(['id', 'digest']).where('org_id', '=', orgId).where('id', 'in', imageIds).execute() : Promise.resolve([]),
  ]);
  const digestOf = new Map(images.map((i) => [i.id, i.digest]));
  return rows.map((r) => {
    const digest = r.image_id ? digestOf.get(r.image_id) : undefined;
    return {
      id: r.id,
      ...(r.document_id ? { documentId: r.document_id } : {}),
      ...(r.author ? { author: r.author } : {}),
      ...(r.timestamp ? { timestamp: r.timestamp } : {}),
      source: r.source as VexSource,
      ...(r.file ? { file: r.file } : {}),
      ...(digest ? { image: { digest } } : {}),
      statementCount: Number(r.statement_count),
      vulnerabilities: names.filter((n) => n.vex_id === r.id).slice(0, 20).map((n) => n.vulnerability),
      createdAt: r.created_at,
      findings: Number(counts.find((c) => c.vex_id === r.id)?.n ?? 0),
    };
  });
}

/** The organisation's documents, newest first. */
export async function listVexDocuments(db: Db, orgId: string, filter: VexFilter, page: PageRequest): Promise<Page<VexDocumentSummary>> {
  const limit = limitOf(page);
  const after = decodeCursor(page.cursor, ['string']);
  let q = db.selectFrom('vex_documents').selectAll().where('org_id', '=', orgId);
  if (after) q = q.where('id', '<', String(after[0]));
  if (filter.vulnerability) {
    const v = filter.vulnerability.toUpperCase();
    q = q.where('id', 'in', (eb) => eb.selectFrom('vex_statement_ids').select('vex_id').where('org_id', '=', orgId).where('vulnerability', '=', v));
  }
  const rows = await q.orderBy('id', 'desc').limit(limit + 1).execute();
  const summaries = await summariesOf(db, orgId, rows.slice(0, limit));
  return pageOf(rows, limit, (r) => summaries.find((s) => s.id === r.id)!, (r) => [r.id]);
}

/** One document of the organisation with its statements; undefined: none with this id. */
export async function getVexDocument(db: Db, orgId: string, id: string): Promise<VexDocumentDetail | undefined> {
  const row = await db.selectFrom('vex_documents').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const [summary] = await summariesOf(db, orgId, [row]);
  const statements = await db.selectFrom('vex_statements').select('statement').where('org_id', '=', orgId).where('vex_id', '=', id).orderBy('ordinal').execute();
  return {
    ...summary,
    statements: statements.map((s) => {
      const st = JSON.parse(s.statement) as VexStatement;
      return {
        vulnerability: st.vulnerability,
        aliases: st.aliases,
        status: st.status,
        ...(st.justification ? { justification: st.justification } : {}),
        ...(st.impactStatement ? { impactStatement: st.impactStatement } : {}),
        ...(st.actionStatement ? { actionStatement: st.actionStatement } : {}),
        ...(st.statusNotes ? { statusNotes: st.statusNotes } : {}),
        ...(st.timestamp ? { timestamp: st.timestamp } : {}),
        products: st.products.map((p) => ({ purls: p.purls.map(buildPurl), subcomponents: p.subcomponents.map(buildPurl) })),
      };
    }),
  };
}
