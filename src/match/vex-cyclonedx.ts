/**
 * CycloneDX VEX (a BOM whose `vulnerabilities[]` carry an `analysis`, spec 1.4+) read as the
 * OpenVEX statements it makes, so the rest of VEX (src/match/vex.ts: which finding a statement
 * decides, the newest wins; the platform's store) has one shape to deal with.
 *
 * - analysis.state: not_affected and false_positive → not_affected; exploitable → affected;
 *   resolved and resolved_with_pedigree → fixed; in_triage → under_investigation.
 * - analysis.justification → OpenVEX's justification (CISA's mapping of the two lists);
 *   analysis.detail → the impact statement (not_affected) or the status notes (the others);
 *   `recommendation`, else analysis.response, → the action statement of an affected one.
 * - affects[].ref names a component by bom-ref (its `purl`, from metadata.component or
 *   `components`, nested ones too), by BOM-Link (`urn:cdx:SERIAL/VERSION#BOM-REF`, the
 *   fragment a purl or a bom-ref of this document), or is a purl itself. Exact `versions`
 *   entries give that purl at each version; version ranges (vers:) are not read, and an affects
 *   entry left with nothing is dropped, named.
 * - references[].id are the vulnerability's aliases; analysis.lastUpdated (else `updated`) the
 *   statement's timestamp, metadata.timestamp the document's; serialNumber its @id.
 * Whatever cannot become a statement is returned as a reason, which the caller reports as it
 * reports an OpenVEX statement it drops.
 */
import { buildPurl, tryParsePurl } from '../sbom/purl.js';
import { appendAll } from '../util/arrays.js';

type Json = Record<string, unknown>;

const STATUS: Readonly<Record<string, string>> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  exploitable: 'affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  in_triage: 'under_investigation',
};

/** CycloneDX justification → OpenVEX justification (as CISA's VEX status justifications pair them). */
const JUSTIFICATION: Readonly<Record<string, string>> = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_dependency: 'component_not_present',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'inline_mitigations_already_exist',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
};

/** The most components walked for bom-refs (nested ones included): a hostile BOM costs no more. */
const MAX_COMPONENTS = 100_000;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** A CycloneDX document (any BOM: the caller reads its `vulnerabilities`). */
export function isCycloneDx(doc: unknown): doc is Json {
  return isObject(doc) && doc.bomFormat === 'CycloneDX';
}

/** bom-ref → purl of every component that has both (metadata.component, components, nested). */
function purlsByRef(doc: Json): Map<string, string> {
  const out = new Map<string, string>();
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const stack: unknown[] = [meta.component, ...(Array.isArray(doc.components) ? doc.components : [])];
  let seen = 0;
  while (stack.length && seen++ < MAX_COMPONENTS) {
    const c = stack.pop();
    if (!isObject(c)) continue;
    const ref = text(c['bom-ref']);
    const purl = text(c.purl);
    if (ref && purl?.startsWith('pkg:')) out.set(ref, purl);
    if (Array.isArray(c.components)) for (const sub of c.components) stack.push(sub);
  }
  return out;
}

/** The purl an affects ref names: a purl, a bom-ref of this document, or a BOM-Link to either. */
function purlOfRef(ref: string, byRef: ReadonlyMap<string, string>): string | undefined {
  let r = ref;
  const link = /^urn:cdx:[^#]+#(.+)$/.exec(ref);
  if (link) {
    try {
      r = decodeURIComponent(link[1]!);
    } catch {
      return undefined;
    }
  }
  if (r.startsWith('pkg:')) return r;
  return byRef.get(r);
}

/** Who wrote it: the first author, else the manufacturer or supplier. */
function authorOf(meta: Json): string | undefined {
  const first = Array.isArray(meta.authors) ? meta.authors.find(isObject) : undefined;
  const org = [meta.manufacturer, meta.manufacture, meta.supplier].find(isObject);
  return text(first?.name) ?? text(org?.name);
}

/** The purls one affects entry names: the ref's purl, or it at each exact version listed that fits the state. */
function productsOf(entry: Json, byRef: ReadonlyMap<string, string>, state: string): { purls: string[] } | string {
  const ref = text(entry.ref);
  if (!ref) return 'an affects entry without ref';
  const purl = purlOfRef(ref, byRef);
  if (!purl) return `affects ref ${JSON.stringify(ref.slice(0, 120))} names no component with a package URL`;
  if (!Array.isArray(entry.versions) || entry.versions.length === 0) return { purls: [purl] };
  const parts = tryParsePurl(purl);
  if (!parts) return `affects ref ${JSON.stringify(ref.slice(0, 120))}: ${JSON.stringify(purl.slice(0, 120))} is not a valid package URL`;
  // A version "affected" under a not_affected analysis (or the reverse) is not what it states.
  const fits = state === 'exploitable' || state === 'in_triage' ? 'affected' : 'unaffected';
  const versions = entry.versions.filter(isObject).filter((v) => text(v.version) && (v.status === undefined || v.status === fits)).map((v) => v.version as string);
  if (!versions.length) return `affects ref ${JSON.stringify(ref.slice(0, 120))} lists only version ranges, which are not read`;
  return { purls: versions.map((version) => buildPurl({ ...parts, version })) };
}

/** One vulnerability as an OpenVEX statement, or why it cannot be one. */
function statementOf(v: unknown, byRef: ReadonlyMap<string, string>): Json | string {
  if (!isObject(v)) return 'vulnerability is not an object';
  const id = text(v.id);
  if (!id) return 'vulnerability without id';
  const analysis = isObject(v.analysis) ? v.analysis : undefined;
  const state = text(analysis?.state);
  if (!analysis || !state) return `${id} has no analysis.state`;
  const status = STATUS[state];
  if (!status) return `${id}: unknown analysis.state ${JSON.stringify(state.slice(0, 40))}`;
  if (!Array.isArray(v.affects) || v.affects.length === 0) return `${id} affects nothing`;
  const purls: string[] = [];
  const why: string[] = [];
  for (const a of v.affects.filter(isObject)) {
    const p = productsOf(a, byRef, state);
    if (typeof p === 'string') why.push(p);
    else appendAll(purls, p.purls);
  }
  if (!purls.length) return `${id}: ${why[0] ?? 'affects nothing'}`;
  const aliases = Array.isArray(v.references) ? v.references.filter(isObject).map((r) => text(r.id)).filter((r): r is string => !!r && r !== id) : [];
  const statement: Json = { vulnerability: { name: id, aliases: [...new Set(aliases)] }, products: [...new Set(purls)].map((p) => ({ '@id': p })), status };
  const cdxJustification = text(analysis.justification);
  const detail = text(analysis.detail);
  if (status === 'not_affected') {
    const justification = cdxJustification ? JUSTIFICATION[cdxJustification] : undefined;
    if (justification) statement.justification = justification;
    // A justification OpenVEX has no name for, or a false positive: said in words.
    const impact = [detail, cdxJustification && !justification ? `justification: ${cdxJustification}` : undefined, state === 'false_positive' && !detail ? 'false positive' : undefined].filter(Boolean).join('; ');
    if (impact) statement.impact_statement = impact;
  } else if (detail) {
    statement.status_notes = detail;
  }
  if (status === 'affected') {
    const responses = Array.isArray(analysis.response) ? analysis.response.map(text).filter(Boolean) : text(analysis.response) ? [analysis.response] : [];
    const action = text(v.recommendation) ?? (responses.length ? `response: ${responses.join(', ')}` : undefined);
    if (action) statement.action_statement = action;
  }
  const timestamp = text(analysis.lastUpdated) ?? text(v.updated);
  if (timestamp) statement.timestamp = timestamp;
  return statement;
}

/**
 * A CycloneDX document as an OpenVEX one (`@id`, `author`, `timestamp`, `statements`), with the
 * reasons its vulnerabilities that make no statement were dropped. `limit` caps the
 * vulnerabilities read, as OpenVEX statements are capped.
 */
export function cycloneDxAsOpenVex(doc: Json, limit: number): { document: Json; dropped: string[]; total: number } {
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const vulns = Array.isArray(doc.vulnerabilities) ? doc.vulnerabilities : [];
  const byRef = purlsByRef(doc);
  const statements: Json[] = [];
  const dropped: string[] = [];
  for (const v of vulns.slice(0, limit)) {
    const s = statementOf(v, byRef);
    if (typeof s === 'string') dropped.push(s);
    else statements.push(s);
  }
  const document: Json = { statements };
  const id = text(doc.serialNumber);
  const author = authorOf(meta);
  const timestamp = text(meta.timestamp);
  if (id) document['@id'] = id;
  if (author) document.author = author;
  if (timestamp) document.timestamp = timestamp;
  return { document, dropped, total: vulns.length };
}
