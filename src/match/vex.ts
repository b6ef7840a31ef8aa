/**
 * OpenVEX 0.2.0 (https://github.com/openvex/spec): statements that say whether a product is
 * affected by a vulnerability. CycloneDX VEX (a BOM with `vulnerabilities[].analysis`) is read
 * as the OpenVEX statements it makes (./vex-cyclonedx.ts) and follows the same rules.
 *
 * - A statement applies to a finding when its vulnerability name or an alias is one of the
 *   finding's ids, and one of its products matches the package: a product's purl (`@id` or
 *   `identifiers.purl`) or a subcomponent's purl; a purl without version or qualifiers matches
 *   every version / qualifier set. A product that names the image itself (pkg:oci/..., or
 *   pkg:docker/...) with no subcomponents covers every package in the image. A product that
 *   names another image (digest, repository or tag) covers nothing here, subcomponents included.
 * - The newest statement (statement timestamp, else the document's) that applies wins.
 * - not_affected → the finding stays, marked `suppressed` with the justification; affected,
 *   fixed and under_investigation annotate it (`vex`).
 * Documents come from files, a directory (*.json), or the image itself (`*.vex.json`, captured
 * during the layer pass). A hostile document costs a warning naming the file, nothing else.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptureSpec } from '../image/capture.js';
import type { FileTree } from '../image/filetree.js';
import type { Package, Sbom } from '../sbom/model.js';
import { tryParsePurl, type PurlParts } from '../sbom/purl.js';
import { Warnings } from '../util/errors.js';
import type { Finding, VexStatementRef } from './types.js';
import { attachmentsCapture } from '../catalog/selection.js';
import { appendAll } from '../util/arrays.js';
import { imageNameParts } from '../sbom/formats/image-identity.js';
import { cycloneDxAsOpenVex, isCycloneDx } from './vex-cyclonedx.js';

export const VEX_LIMITS = {
  fileBytes: 8 * 1024 * 1024,
  statements: 20_000,
  productsPerStatement: 10_000,
  files: 200,
  stringLength: 4096,
};

export type VexStatus = VexStatementRef['status'];
export const VEX_STATUSES: readonly VexStatus[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];
const STATUSES: ReadonlySet<string> = new Set(VEX_STATUSES);

export interface VexProduct {
  purls: PurlParts[];
  subcomponents: PurlParts[];
}

export interface VexStatement {
  vulnerability: string;
  aliases: string[];
  products: VexProduct[];
  status: VexStatus;
  justification?: string;
  impactStatement?: string;
  actionStatement?: string;
  statusNotes?: string;
  timestamp?: string;
}

export interface VexDocument {
  file: string;
  id?: string;
  author?: string;
  timestamp?: string;
  statements: VexStatement[];
}

/** In-image VEX documents (`*.vex.json`): the same capture the SBOM step uses. */
export const vexCapture: CaptureSpec = attachmentsCapture;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v.length <= VEX_LIMITS.stringLength ? v : undefined;
}

function purlsOfComponent(c: unknown): PurlParts[] {
  if (!isObject(c)) return [];
  const out: PurlParts[] = [];
  const candidates = [c['@id'], isObject(c.identifiers) ? c.identifiers.purl : undefined];
  for (const s of candidates) {
    const t = str(s);
    if (t && t.startsWith('pkg:')) {
      const p = tryParsePurl(t);
      if (p) out.push(p);
    }
  }
  return out;
}

/** Parses one OpenVEX or CycloneDX VEX document. Bad statements are dropped with a warning; a bad document gives undefined. */
export function parseVex(input: string | Buffer | unknown, file: string, warnings: Warnings = new Warnings()): VexDocument | undefined {
  let doc: unknown = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    const text = input.toString();
    if (text.length > VEX_LIMITS.fileBytes) {
      warnings.add('vex-too-large', `VEX document larger than ${VEX_LIMITS.fileBytes} bytes`, { path: file });
      return undefined;
    }
    try {
      doc = JSON.parse(text);
    } catch (err) {
      warnings.add('vex-malformed', `VEX document is not JSON: ${err instanceof Error ? err.message.slice(0, 120) : ''}`, { path: file });
      return undefined;
    }
  }
  // CycloneDX: its analyses as OpenVEX statements; those that make none are dropped as bad statements are.
  let dropped: string[] = [];
  if (isCycloneDx(doc)) {
    if (!Array.isArray(doc.vulnerabilities)) {
      warnings.add('vex-malformed', 'CycloneDX document without vulnerabilities: no VEX statements', { path: file });
      return undefined;
    }
    if (doc.vulnerabilities.length > VEX_LIMITS.statements) warnings.add('vex-too-large', `${doc.vulnerabilities.length} vulnerabilities; only the first ${VEX_LIMITS.statements} are read`, { path: file });
    const read = cycloneDxAsOpenVex(doc, VEX_LIMITS.statements);
    doc = read.document;
    dropped = read.dropped;
  }
  if (!isObject(doc) || !Array.isArray(doc.statements)) {
    warnings.add('vex-malformed', 'not an OpenVEX or CycloneDX VEX document (no statements list)', { path: file });
    return undefined;
  }
  const context = str(doc['@context']);
  if (context && !/openvex/i.test(context)) warnings.add('vex-context', `unexpected @context ${JSON.stringify(context.slice(0, 80))}; read as OpenVEX`, { path: file });
  if (doc.statements.length > VEX_LIMITS.statements) {
    warnings.add('vex-too-large', `${doc.statements.length} statements; only the first ${VEX_LIMITS.statements} are read`, { path: file });
  }
  const out: VexDocument = { file, statements: [] };
  const id = str(doc['@id']);
  const author = str(doc.author);
  const timestamp = str(doc.timestamp);
  if (id) out.id = id;
  if (author) out.author = author;
  if (timestamp) out.timestamp = timestamp;
  let bad = dropped.length;
  const reasons = new Set<string>(dropped);
  for (const s of doc.statements.slice(0, VEX_LIMITS.statements)) {
    const st = parseStatement(s);
    if (typeof st === 'string') {
      bad++;
      reasons.add(st);
      continue;
    }
    out.statements.push(st);
  }
  if (bad) warnings.add('vex-statement-invalid', `${bad} VEX statement(s) ignored: ${[...reasons].slice(0, 5).join('; ')}`, { path: file });
  return out;
}

function parseStatement(s: unknown): VexStatement | string {
  if (!isObject(s)) return 'statement is not an object';
  const vuln = s.vulnerability;
  const name = isObject(vuln) ? str(vuln.name) : str(vuln);
  if (!name) return 'statement without vulnerability name';
  const status = str(s.status);
  if (!status || !STATUSES.has(status)) return `unknown status ${JSON.stringify(String(s.status).slice(0, 40))}`;
  const aliases = isObject(vuln) && Array.isArray(vuln.aliases) ? vuln.aliases.map(str).filter((a): a is string => !!a).slice(0, 100) : [];
  if (!Array.isArray(s.products) || s.products.length === 0) return `statement for ${name} names no products`;
  if (s.products.length > VEX_LIMITS.productsPerStatement) return `statement for ${name} has too many products`;
  const products: VexProduct[] = [];
  for (const p of s.products) {
    const purls = purlsOfComponent(p);
    const subs = isObject(p) && Array.isArray(p.subcomponents) ? p.subcomponents.slice(0, VEX_LIMITS.productsPerStatement).flatMap(purlsOfComponent) : [];
    if (purls.length || subs.length) products.push({ purls, subcomponents: subs });
  }
  if (!products.length) return `statement for ${name} has no product with a package URL`;
  const st: VexStatement = { vulnerability: name, aliases, products, status: status as VexStatus };
  const just = str(s.justification);
  const impact = str(s.impact_statement);
  if (status === 'not_affected' && !just && !impact) return `not_affected statement for ${name} has neither justification nor impact_statement`;
  if (just) st.justification = just;
  if (impact) st.impactStatement = impact;
  const action = str(s.action_statement);
  if (action) st.actionStatement = action;
  const notes = str(s.status_notes);
  if (notes) st.statusNotes = notes;
  const ts = str(s.timestamp) ?? str(s.last_updated);
  if (ts) st.timestamp = ts;
  return st;
}

/** Loads a VEX file, or every *.json file of a directory (not recursive). */
export async function loadVex(path: string, warnings: Warnings = new Warnings()): Promise<VexDocument[]> {
  const out: VexDocument[] = [];
  for (const f of await readVexFiles(path, warnings)) {
    const doc = parseVex(f.content, f.path, warnings);
    if (doc) out.push(doc);
  }
  return out;
}

/** The files loadVex reads (a file, or every *.json file of a directory), unparsed: `scout push` sends them as they are. */
export async function readVexFiles(path: string, warnings: Warnings = new Warnings()): Promise<{ path: string; content: Buffer }[]> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    warnings.add('vex-unreadable', `cannot read VEX location: ${err instanceof Error ? err.message : String(err)}`, { path });
    return [];
  }
  const files: string[] = [];
  if (st.isDirectory()) {
    const names = (await readdir(path)).filter((n) => n.endsWith('.json')).sort();
    if (names.length > VEX_LIMITS.files) warnings.add('vex-too-many', `${names.length} VEX files; only the first ${VEX_LIMITS.files} are read`, { path });
    appendAll(files, names.slice(0, VEX_LIMITS.files).map((n) => join(path, n)));
  } else {
    files.push(path);
  }
  const out: { path: string; content: Buffer }[] = [];
  for (const f of files) {
    try {
      const fst = await lstat(f);
      if (!fst.isFile()) continue;
      if (fst.size > VEX_LIMITS.fileBytes) {
        warnings.add('vex-too-large', `VEX document larger than ${VEX_LIMITS.fileBytes} bytes`, { path: f });
        continue;
      }
      out.push({ path: f, content: await readFile(f) });
    } catch (err) {
      warnings.add('vex-unreadable', `cannot read VEX document: ${err instanceof Error ? err.message : String(err)}`, { path: f });
    }
  }
  return out;
}

/** VEX documents shipped inside the image (captured with `vexCapture`). */
export function vexFromTree(tree: FileTree, warnings: Warnings = new Warnings()): VexDocument[] {
  const out: VexDocument[] = [];
  let n = 0;
  for (const node of tree.captured()) {
    if (node.type !== 'file' || !node.path.endsWith('.vex.json')) continue;
    if (++n > VEX_LIMITS.files) {
      warnings.add('vex-too-many', `more than ${VEX_LIMITS.files} VEX files in the image; the rest are ignored`, { path: node.path });
      break;
    }
    const content = tree.read(node.path);
    if (!content) continue;
    const doc = parseVex(content, node.path, warnings);
    if (doc) out.push(doc);
  }
  return out;
}

function sameName(a: PurlParts, b: PurlParts): boolean {
  return a.type === b.type && (a.namespace ?? '') === (b.namespace ?? '') && a.name === b.name;
}

/** A VEX purl matches a package purl when name matches and every part it states is equal. */
export function purlMatches(vex: PurlParts, pkg: PurlParts): boolean {
  if (!sameName(vex, pkg)) return false;
  if (vex.version !== undefined && vex.version !== pkg.version) return false;
  for (const [k, v] of Object.entries(vex.qualifiers ?? {})) if (pkg.qualifiers?.[k] !== v) return false;
  return true;
}

function isImagePurl(p: PurlParts): boolean {
  return p.type === 'oci' || p.type === 'docker';
}

/** `a` is `b`, or `b`'s last path segments (`team/app` of `ghcr.io/team/app`). */
function endsAtSegment(full: string, tail: string): boolean {
  return full === tail || full.endsWith(`/${tail}`);
}

/**
 * Does an oci/docker product purl name the scanned image? A digest must be one of the image's;
 * otherwise the repository must be the image's (pkg:docker namespace/name, pkg:oci name and
 * repository_url) and a tag, when the purl gives one, the image's tag. Anything it states that
 * differs makes it another image, whose statements never touch this one.
 */
export function namesImage(p: PurlParts, sbom: Pick<Sbom, 'image'> | undefined): boolean {
  const img = sbom?.image;
  // Without image metadata nothing contradicts it: the user pointed this VEX at this scan.
  if (!img) return true;
  if (p.version?.startsWith('sha256:')) return [img.digest, img.indexDigest, img.configDigest].includes(p.version);
  const { name, tag } = imageNameParts(img);
  const full = img.registry?.repository ? `${img.registry.host}/${img.registry.repository}` : name;
  const wantTag = p.type === 'oci' ? p.qualifiers?.tag : p.version;
  if (wantTag !== undefined && wantTag !== tag) return false;
  if (p.type === 'docker') return endsAtSegment(full, p.namespace ? `${p.namespace}/${p.name}` : p.name) || endsAtSegment(name, p.namespace ? `${p.namespace}/${p.name}` : p.name);
  const repositoryUrl = p.qualifiers?.repository_url;
  if (repositoryUrl !== undefined) return repositoryUrl === full || repositoryUrl === name;
  return full.split('/').at(-1) === p.name;
}

/** Does a product purl that names an image (pkg:oci, pkg:docker) name the image the findings are of? */
export type NamesImage = (p: PurlParts) => boolean;

/** The CLI's test: the scanned image's own metadata (see namesImage). */
export function scannedImage(sbom: Sbom | undefined): NamesImage {
  return (p) => namesImage(p, sbom);
}

function statementApplies(st: VexStatement, pkg: PurlParts | undefined, isImage: NamesImage): boolean {
  for (const prod of st.products) {
    const images = prod.purls.filter(isImagePurl);
    // A product that is an image covers this scan only when it is this image: its
    // subcomponents are packages of that image, not of ours.
    if (images.length && !images.some(isImage)) continue;
    if (pkg && prod.subcomponents.some((s) => purlMatches(s, pkg))) return true;
    if (pkg && prod.purls.some((p) => purlMatches(p, pkg))) return true;
    if (prod.subcomponents.length === 0 && images.length) return true;
  }
  return false;
}

export function refOf(doc: VexDocument, st: VexStatement): VexStatementRef {
  const ref: VexStatementRef = { file: doc.file, vulnerability: st.vulnerability, status: st.status };
  if (doc.id) ref.documentId = doc.id;
  if (doc.author) ref.author = doc.author;
  const ts = st.timestamp ?? doc.timestamp;
  if (ts) ref.timestamp = ts;
  if (st.justification) ref.justification = st.justification;
  if (st.impactStatement) ref.impactStatement = st.impactStatement;
  if (st.actionStatement) ref.actionStatement = st.actionStatement;
  if (st.statusNotes) ref.statusNotes = st.statusNotes;
  return ref;
}

/** A statement as read, with its document and its place in the reading order (later wins ties). */
export interface VexCandidate {
  doc: VexDocument;
  st: VexStatement;
  order: number;
}

/** Statements by every vulnerability id they name (upper case: 'cve-…' happens). */
export function indexVex(docs: readonly VexDocument[]): Map<string, VexCandidate[]> {
  const byVuln = new Map<string, VexCandidate[]>();
  let order = 0;
  for (const doc of docs) {
    for (const st of doc.statements) {
      const entry = { doc, st, order: order++ };
      for (const id of new Set([st.vulnerability, ...st.aliases].map((x) => x.toUpperCase()))) {
        if (!byVuln.has(id)) byVuln.set(id, []);
        byVuln.get(id)!.push(entry);
      }
    }
  }
  return byVuln;
}

/**
 * The statement that decides a finding (its ids, its package): the newest that applies
 * (statement timestamp, else the document's); equal or missing timestamps, the later one read.
 */
export function decidingStatement(byVuln: ReadonlyMap<string, readonly VexCandidate[]>, ids: readonly string[], pkg: PurlParts | undefined, isImage: NamesImage): VexCandidate | undefined {
  const candidates = new Set<VexCandidate>();
  for (const id of ids) for (const c of byVuln.get(id.toUpperCase()) ?? []) candidates.add(c);
  let best: VexCandidate | undefined;
  const t = (x: VexCandidate) => Date.parse(x.st.timestamp ?? x.doc.timestamp ?? '') || 0;
  for (const c of candidates) {
    if (!statementApplies(c.st, pkg, isImage)) continue;
    if (!best || t(c) > t(best) || (t(c) === t(best) && c.order > best.order)) best = c;
  }
  return best;
}

/** Applies the documents to the findings in place. */
export function applyVex(findings: Finding[], docs: VexDocument[], sbom?: Sbom): void {
  const byVuln = indexVex(docs);
  if (!byVuln.size) return;
  const purlCache = new Map<string, PurlParts | undefined>();
  const parsed = (p: Pick<Package, 'purl'>) => {
    if (!purlCache.has(p.purl)) purlCache.set(p.purl, tryParsePurl(p.purl));
    return purlCache.get(p.purl);
  };
  const isImage = scannedImage(sbom);
  for (const f of findings) {
    const best = decidingStatement(byVuln, f.ids, parsed(f.package), isImage);
    if (!best) continue;
    const ref = refOf(best.doc, best.st);
    f.vex = ref;
    if (best.st.status === 'not_affected') f.suppressed = { justification: best.st.justification ?? best.st.impactStatement ?? '', statement: ref };
    else delete f.suppressed;
  }
}
