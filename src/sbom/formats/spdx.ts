/**
 * SPDX 2.3 JSON export and import (plain, or the predicate of an in-toto statement with
 * predicateType https://spdx.dev/Document, as BuildKit and Docker attach them to images).
 *
 * Export: the image is a CONTAINER package the document DESCRIBES; it CONTAINS every package;
 * packages DEPENDS_ON each other. Each package has its purl as a PACKAGE-MANAGER external
 * reference, licenseDeclared (non-SPDX names become LicenseRef-s with their text in
 * hasExtractedLicensingInfos), licenseConcluded NOASSERTION (we state, we do not conclude), the
 * author as originator, description and summary, a readable comment with the layer and paths,
 * and an annotation with the same extras CycloneDX carries as properties (properties.ts),
 * so that reading our own document back loses nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ImageMetadata } from '../../image/metadata.js';
import type { ScanWarning } from '../../util/errors.js';
import type { DistroInfo, License, Package, Sbom } from '../model.js';
import { normaliseLicense, splitConjunction } from '../license.js';
import { applyExtras, packageExtras, type NameValue } from './extras.js';
import { applyDependencies, assignIds, basePackage, withoutRepeats } from './import-common.js';
import { readDistro, readImage, SCOUT_SCHEMA } from './scout-json.js';
import { parseJson, Shape, type Json, type JsonObject } from './shape.js';
import { imageName, imagePurl } from './image-identity.js';
import { appendAll } from '../../util/arrays.js';

const FORMAT = 'SPDX';
const EXTRAS_MARK = 'iechor-scout:extras ';
const DOCUMENT_MARK = 'iechor-scout:document ';
const EXACT_AUTHOR = 'iechor-scout:author';
const EXACT_LICENSES = 'iechor-scout:licenses';

function extractedTexts(m: Map<string, { extractedText: string }>): Map<string, string> {
  return new Map([...m].map(([k, v]) => [k, v.extractedText]));
}
export const SPDX_PREDICATE_TYPE = 'https://spdx.dev/Document';

function spdxDate(s: string): string {
  const d = new Date(s);
  return (Number.isNaN(d.getTime()) ? new Date() : d).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function idString(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'x';
}

function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8);
}

/** "Name <mail>" as SPDX agent syntax, "Person: Name (mail)"; without a mail, an organization. */
function toAgent(author: string): string {
  const m = /^(.*?)\s*<([^<>]+)>\s*$/.exec(author);
  return m ? `Person: ${m[1]} (${m[2]})` : `Organization: ${author}`;
}

function fromAgent(agent: string): string | undefined {
  if (agent === 'NOASSERTION' || agent === 'NONE') return undefined;
  const body = agent.replace(/^(Person|Organization|Tool):\s*/, '');
  const m = /^(.*?)\s*\(([^()]*@[^()]*)\)\s*$/.exec(body);
  return m ? `${m[1]} <${m[2]}>` : body;
}


function readableComment(p: Package): string {
  const lines = p.locations.map((l) => (l.layer ? `${l.path} (layer ${l.layer.index}, ${l.layer.diffId})` : l.path));
  const intro = p.introducedLayer ? `; introduced in layer ${p.introducedLayer.index} (${p.introducedLayer.diffId})` : '';
  return `Found by ${p.foundBy} in ${lines.join(', ') || 'no recorded file'}${intro}.`;
}

export function toSpdx(sbom: Sbom): Record<string, unknown> {
  const created = spdxDate(sbom.generatedAt);
  const annotator = `Tool: ${sbom.tool.name}-${sbom.tool.version}`;
  const name = sbom.image ? imageName(sbom.image) : 'iechor-scout-sbom';
  const extracted = new Map<string, { licenseId: string; extractedText: string; name: string }>();
  const relationships: Record<string, string>[] = [];
  const packages: Record<string, unknown>[] = [];

  const licenseRef = (text: string): string => {
    const id = `LicenseRef-${idString(text).slice(0, 40)}-${shortHash(text)}`;
    if (!extracted.has(id)) extracted.set(id, { licenseId: id, extractedText: text, name: text });
    return id;
  };
  const declared = (licenses: License[]): string => {
    if (!licenses.length) return 'NOASSERTION';
    const parts = licenses.map((l) => (l.spdx !== undefined ? (licenses.length > 1 && /\s(AND|OR)\s/.test(l.spdx) ? `(${l.spdx})` : l.spdx) : licenseRef(l.name ?? '')));
    return parts.join(' AND ');
  };

  let rootId: string | undefined;
  if (sbom.image) {
    rootId = 'SPDXRef-image';
    const purl = imagePurl(sbom.image);
    packages.push({
      SPDXID: rootId,
      name: imageName(sbom.image),
      versionInfo: sbom.image.digest,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'CONTAINER',
      ...(purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }] } : {}),
      comment: `Image ${sbom.image.reference}, ${sbom.image.platform.os}/${sbom.image.platform.architecture}, ${sbom.image.layers.length} layers.`,
    });
    relationships.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: rootId });
  }

  const spdxIdOf = new Map<string, string>();
  sbom.packages.forEach((p, i) => spdxIdOf.set(p.id, `SPDXRef-Package-${idString(`${p.type}-${p.name}`)}-${i}`));
  for (const p of sbom.packages) {
    const extras: NameValue[] = packageExtras(p);
    if (p.author !== undefined && fromAgent(toAgent(p.author)) !== p.author) extras.push({ name: EXACT_AUTHOR, value: p.author });
    const licenseDeclared = declared(p.licenses);
    // An expression cannot always say how it was split into licenses ("A AND B" as one license):
    // then the exact list travels with the extras.
    if (JSON.stringify(licensesFrom(licenseDeclared, extractedTexts(extracted))) !== JSON.stringify(p.licenses)) {
      extras.push({ name: EXACT_LICENSES, value: JSON.stringify(p.licenses) });
    }
    const pkg: Record<string, unknown> = {
      SPDXID: spdxIdOf.get(p.id),
      name: p.name,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      primaryPackagePurpose: 'LIBRARY',
      supplier: 'NOASSERTION',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared,
      copyrightText: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
      comment: readableComment(p),
      annotations: [{ annotationDate: created, annotationType: 'OTHER', annotator, comment: EXTRAS_MARK + JSON.stringify(extras) }],
    };
    if (p.author !== undefined) pkg.originator = toAgent(p.author);
    if (p.description !== undefined) {
      pkg.description = p.description;
      pkg.summary = p.description.split('\n')[0].slice(0, 200);
    }
    if (p.source) pkg.sourceInfo = `built from source package ${p.source.name}${p.source.version ? ` ${p.source.version}` : ''}`;
    packages.push(pkg);
    if (rootId) relationships.push({ spdxElementId: rootId, relationshipType: 'CONTAINS', relatedSpdxElement: spdxIdOf.get(p.id)! });
    else if (!p.dependencyOf?.length) relationships.push({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: spdxIdOf.get(p.id)! });
  }
  for (const p of sbom.packages) {
    for (const d of p.dependsOn ?? []) {
      const to = spdxIdOf.get(d);
      if (to) relationships.push({ spdxElementId: spdxIdOf.get(p.id)!, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to });
    }
  }

  const documentExtras = { generatedAt: sbom.generatedAt, tool: sbom.tool, image: sbom.image, distro: sbom.distro, warnings: sbom.warnings, importedFrom: sbom.importedFrom };
  const doc: Record<string, unknown> = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://iechor-scout.invalid/spdx/${encodeURIComponent(name)}-${randomUUID()}`,
    creationInfo: { created, creators: [annotator] },
    packages,
    relationships,
    annotations: [{ annotationDate: created, annotationType: 'OTHER', annotator, comment: DOCUMENT_MARK + JSON.stringify(documentExtras) }],
  };
  if (extracted.size) doc.hasExtractedLicensingInfos = [...extracted.values()];
  return doc;
}

export function writeSpdx(sbom: Sbom): string {
  return JSON.stringify(toSpdx(sbom), null, 2) + '\n';
}

// ---------------------------------------------------------------------------- import

export function readSpdx(input: string | Uint8Array): Sbom {
  return spdxFromJson(parseJson(input, FORMAT));
}

/** The SPDX document itself, or the predicate of an in-toto statement that wraps one. */
export function unwrapInToto(s: Shape, doc: JsonObject): JsonObject {
  if (typeof doc._type === 'string' && doc._type.startsWith('https://in-toto.io/Statement')) {
    const pt = s.str(doc.predicateType, '$.predicateType');
    if (!pt.startsWith(SPDX_PREDICATE_TYPE)) s.fail('$.predicateType', `expected ${SPDX_PREDICATE_TYPE}, got ${JSON.stringify(pt)}`);
    return s.obj(doc.predicate, '$.predicate');
  }
  return doc;
}

function stripParens(s: string): string {
  let t = s.trim();
  while (t.startsWith('(') && t.endsWith(')')) {
    let depth = 0;
    let wraps = true;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '(') depth++;
      else if (t[i] === ')') depth--;
      if (depth === 0 && i < t.length - 1) {
        wraps = false;
        break;
      }
    }
    if (!wraps) break;
    t = t.slice(1, -1).trim();
  }
  return t;
}

function licensesFrom(expr: string | undefined, extracted: Map<string, string>): License[] {
  if (expr === undefined || expr === 'NOASSERTION' || expr === 'NONE' || expr.trim() === '') return [];
  const out: License[] = [];
  for (const part of splitConjunction(stripParens(expr)).map(stripParens)) {
    const text = extracted.get(part);
    if (text !== undefined) out.push({ name: text });
    else if (/LicenseRef-/.test(part)) out.push({ name: part });
    else appendAll(out, normaliseLicense(part));
  }
  return out;
}

interface DocumentExtras {
  generatedAt?: string;
  tool?: { name: string; version: string };
  image?: Json;
  distro?: Json;
  warnings?: ScanWarning[];
  importedFrom?: string;
}

function marked<T>(s: Shape, annotations: Json | undefined, path: string, mark: string, problems: string[]): T | undefined {
  for (const [i, a] of s.optArr(annotations, path).entries()) {
    const comment = s.optStr(s.obj(a, `${path}[${i}]`).comment, `${path}[${i}].comment`);
    if (comment?.startsWith(mark)) {
      try {
        return JSON.parse(comment.slice(mark.length)) as T;
      } catch {
        problems.push(`${path}[${i}].comment: ${mark.trim()} is not valid JSON`);
      }
    }
  }
  return undefined;
}

export function spdxFromJson(input: Json): Sbom {
  const s = new Shape(FORMAT);
  const doc = unwrapInToto(s, s.obj(input, '$'));
  const version = s.str(doc.spdxVersion, '$.spdxVersion');
  if (!/^SPDX-2\.[23]$/.test(version)) s.fail('$.spdxVersion', `${version} is not supported (SPDX-2.2 and SPDX-2.3 are)`);
  const problems: string[] = [];

  const extracted = new Map<string, string>();
  s.optArr(doc.hasExtractedLicensingInfos, '$.hasExtractedLicensingInfos').forEach((x, i) => {
    const o = s.obj(x, `$.hasExtractedLicensingInfos[${i}]`);
    const id = s.str(o.licenseId, `$.hasExtractedLicensingInfos[${i}].licenseId`);
    extracted.set(id, s.optStr(o.extractedText, `$.hasExtractedLicensingInfos[${i}].extractedText`) ?? s.optStr(o.name, `$.hasExtractedLicensingInfos[${i}].name`) ?? id);
  });

  const docExtras = marked<DocumentExtras>(s, doc.annotations, '$.annotations', DOCUMENT_MARK, problems) ?? {};
  let image: ImageMetadata | undefined;
  if (docExtras.image !== undefined && docExtras.image !== null) image = readImage(new Shape(`${FORMAT} image annotation`), docExtras.image, '$');

  const relationships = s.optArr(doc.relationships, '$.relationships').map((x, i) => {
    const r = s.obj(x, `$.relationships[${i}]`);
    return {
      from: s.str(r.spdxElementId, `$.relationships[${i}].spdxElementId`),
      type: s.str(r.relationshipType, `$.relationships[${i}].relationshipType`),
      to: s.str(r.relatedSpdxElement, `$.relationships[${i}].relatedSpdxElement`),
    };
  });
  const described = new Set(relationships.filter((r) => r.type === 'DESCRIBES' && r.from === 'SPDXRef-DOCUMENT').map((r) => r.to));
  for (const d of s.optArr(doc.documentDescribes, '$.documentDescribes')) if (typeof d === 'string') described.add(d);

  const listed: Package[] = [];
  const spdxIdOf = new Map<Package, string>();
  s.optArr(doc.packages, '$.packages').forEach((x, i) => {
    const path = `$.packages[${i}]`;
    const o = s.obj(x, path);
    const spdxId = s.str(o.SPDXID, `${path}.SPDXID`);
    const purpose = s.optStr(o.primaryPackagePurpose, `${path}.primaryPackagePurpose`);
    // The described container is the image, not a package in it.
    if (purpose === 'CONTAINER' && described.has(spdxId)) return;
    let purl: string | undefined;
    s.optArr(o.externalRefs, `${path}.externalRefs`).forEach((r, j) => {
      const ro = s.obj(r, `${path}.externalRefs[${j}]`);
      if (ro.referenceType === 'purl' && purl === undefined) purl = s.str(ro.referenceLocator, `${path}.externalRefs[${j}].referenceLocator`);
    });
    const p = basePackage(s.str(o.name, `${path}.name`), s.optStr(o.versionInfo, `${path}.versionInfo`), purl, 'spdx-import');
    const author = fromAgent(s.optStr(o.originator, `${path}.originator`) ?? s.optStr(o.supplier, `${path}.supplier`) ?? 'NOASSERTION');
    if (author !== undefined) p.author = author;
    const description = s.optStr(o.description, `${path}.description`) ?? s.optStr(o.summary, `${path}.summary`);
    if (description !== undefined) p.description = description;
    const declared = s.optStr(o.licenseDeclared, `${path}.licenseDeclared`);
    p.licenses = licensesFrom(declared, extracted);
    if (!p.licenses.length) p.licenses = licensesFrom(s.optStr(o.licenseConcluded, `${path}.licenseConcluded`), extracted);
    const extras = marked<NameValue[]>(s, o.annotations, `${path}.annotations`, EXTRAS_MARK, problems);
    if (extras) {
      const valid = Array.isArray(extras) ? extras.filter((e) => e && typeof e.name === 'string' && typeof e.value === 'string') : [];
      applyExtras(p, valid, image?.layers, problems);
      const exactAuthor = valid.find((e) => e.name === EXACT_AUTHOR);
      if (exactAuthor) p.author = exactAuthor.value;
      const exactLicenses = valid.find((e) => e.name === EXACT_LICENSES);
      if (exactLicenses) {
        try {
          const list: unknown = JSON.parse(exactLicenses.value);
          if (Array.isArray(list) && list.every((l) => l && typeof l === 'object' && (typeof l.spdx === 'string' || typeof l.name === 'string'))) p.licenses = list as License[];
          else problems.push(`${path}: ${EXACT_LICENSES} is not a license list`);
        } catch {
          problems.push(`${path}: ${EXACT_LICENSES} is not valid JSON`);
        }
      }
    }
    listed.push(p);
    spdxIdOf.set(p, spdxId);
  });
  if (listed.length > 500_000) s.fail('$.packages', 'more than 500000 packages');
  const packages = withoutRepeats(listed, (p) => spdxIdOf.get(p));
  assignIds(packages, (p) => spdxIdOf.get(p) ?? '');

  const idBySpdx = new Map<string, string>();
  for (const p of packages) if (!idBySpdx.has(spdxIdOf.get(p)!)) idBySpdx.set(spdxIdOf.get(p)!, p.id);
  const edges = new Map<string, Set<string>>();
  const edge = (from: string, to: string): void => {
    const a = idBySpdx.get(from);
    const b = idBySpdx.get(to);
    if (!a || !b) return;
    let set = edges.get(a);
    if (!set) edges.set(a, (set = new Set()));
    set.add(b);
  };
  for (const r of relationships) {
    if (r.type === 'DEPENDS_ON') edge(r.from, r.to);
    else if (r.type === 'DEPENDENCY_OF') edge(r.to, r.from);
  }
  applyDependencies(packages, edges);

  const creation = doc.creationInfo && typeof doc.creationInfo === 'object' && !Array.isArray(doc.creationInfo) ? (doc.creationInfo as JsonObject) : {};
  const creators = Array.isArray(creation.creators) ? creation.creators.filter((c): c is string => typeof c === 'string') : [];
  const toolCreator = creators.find((c) => c.startsWith('Tool:'))?.slice(5).trim();
  const warnings: ScanWarning[] = Array.isArray(docExtras.warnings) ? docExtras.warnings.filter((w) => w && typeof w.code === 'string' && typeof w.message === 'string') : [];
  for (const m of problems) warnings.push({ code: 'sbom-import', message: `${FORMAT}: ${m}` });
  const sbom: Sbom = {
    schema: SCOUT_SCHEMA,
    generatedAt: docExtras.generatedAt ?? (typeof creation.created === 'string' ? creation.created : new Date(0).toISOString()),
    tool: docExtras.tool && typeof docExtras.tool.name === 'string' ? { name: docExtras.tool.name, version: String(docExtras.tool.version ?? '') } : { name: toolCreator ?? 'unknown', version: '' },
    importedFrom: docExtras.importedFrom ?? version.toLowerCase(),
    packages,
    packageCount: packages.length,
    warnings,
  };
  if (image) sbom.image = image;
  if (docExtras.distro !== undefined && docExtras.distro !== null) sbom.distro = readDistro(new Shape(`${FORMAT} distro annotation`), docExtras.distro, '$') as DistroInfo;
  return sbom;
}
