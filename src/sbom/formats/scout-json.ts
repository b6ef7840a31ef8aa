/**
 * Our own SBOM JSON: the `Sbom` type as it is, schema 'iechor-scout/sbom@1'. Reading checks the
 * shape of every field we use, so a hostile or truncated file gives an error that names the
 * field, never a half-read SBOM.
 */
import type { ImageMetadata } from '../../image/metadata.js';
import type { LayerRef } from '../../image/layer-index.js';
import type { ScanWarning } from '../../util/errors.js';
import type { DistroInfo, License, Location, Package, Relationship, Sbom } from '../model.js';
import { parseJson, Shape, type Json, type JsonObject } from './shape.js';
import { unreadPackagesJson } from '../lazy-packages.js';

export const SCOUT_SCHEMA = 'iechor-scout/sbom@1';
const FORMAT = 'iechor-scout SBOM';
const RELATIONSHIPS: Relationship[] = ['root', 'direct', 'transitive', 'unknown'];

export function writeScoutJson(sbom: Sbom): string {
  const chunks = scoutJsonChunks(sbom);
  return typeof chunks === 'string' ? chunks : Buffer.concat(chunks).toString('utf8');
}

/**
 * The document as writeScoutJson writes it, for writing out: a string, or, for a cached SBOM
 * whose packages nothing has read (lazy-packages.ts), UTF-8 pieces to write one after the
 * other, the packages' bytes as the cache holds them, neither decoded nor copied.
 */
export function scoutJsonChunks(sbom: Sbom): string | Uint8Array[] {
  const packages = unreadPackagesJson(sbom);
  if (packages === undefined) return JSON.stringify({ ...sbom, packageCount: sbom.packages.length }, null, 2) + '\n';
  // Only the top level has keys indented by two spaces, so the placeholder's line is found exactly.
  const rest: Record<string, unknown> = {};
  for (const k of Object.keys(sbom)) rest[k] = k === 'packages' ? [] : sbom[k as keyof Sbom];
  const doc = JSON.stringify(rest, null, 2);
  const at = doc.indexOf(PLACEHOLDER);
  return [Buffer.from(doc.slice(0, at) + '\n  "packages": ', 'utf8'), packages, Buffer.from(doc.slice(at + PLACEHOLDER.length) + '\n', 'utf8')];
}

const PLACEHOLDER = '\n  "packages": []';

export function readScoutJson(input: string | Uint8Array): Sbom {
  return scoutFromJson(parseJson(input, FORMAT));
}

export function scoutFromJson(doc: Json): Sbom {
  const s = new Shape(FORMAT);
  const o = s.obj(doc, '$');
  if (o.schema !== SCOUT_SCHEMA) s.fail('$.schema', `expected ${JSON.stringify(SCOUT_SCHEMA)}, got ${JSON.stringify(o.schema ?? null)}`);
  const tool = s.obj(o.tool, '$.tool');
  const packages = s.arr(o.packages, '$.packages').map((p, i) => readPackage(s, p, `$.packages[${i}]`));
  const ids = new Set<string>();
  packages.forEach((p, i) => {
    if (ids.has(p.id)) s.fail(`$.packages[${i}].id`, `duplicate package id ${JSON.stringify(p.id)}`);
    ids.add(p.id);
  });
  const sbom: Sbom = {
    schema: SCOUT_SCHEMA,
    generatedAt: s.str(o.generatedAt, '$.generatedAt'),
    tool: { name: s.str(tool.name, '$.tool.name'), version: s.str(tool.version, '$.tool.version') },
    packages,
    packageCount: packages.length,
    warnings: s.optArr(o.warnings, '$.warnings').map((w, i) => readWarning(s, w, `$.warnings[${i}]`)),
  };
  if (o.image !== undefined && o.image !== null) sbom.image = readImage(s, o.image, '$.image');
  const importedFrom = s.optStr(o.importedFrom, '$.importedFrom');
  if (importedFrom !== undefined) sbom.importedFrom = importedFrom;
  if (o.distro !== undefined && o.distro !== null) sbom.distro = readDistro(s, o.distro, '$.distro');
  return sbom;
}

function readWarning(s: Shape, v: Json, path: string): ScanWarning {
  const o = s.obj(v, path);
  const w: ScanWarning = { code: s.str(o.code, `${path}.code`), message: s.str(o.message, `${path}.message`) };
  const layer = s.optStr(o.layer, `${path}.layer`);
  const p = s.optStr(o.path, `${path}.path`);
  if (layer !== undefined) w.layer = layer;
  if (p !== undefined) w.path = p;
  if (o.layerFailed === true) w.layerFailed = true;
  if (o.partlyRead !== undefined && o.partlyRead !== null) {
    const r = s.obj(o.partlyRead, `${path}.partlyRead`);
    const count = (v: Json, at: string) => {
      const n = s.num(v, at);
      if (!Number.isInteger(n) || n < -1) s.fail(at, `expected a count of files, got ${n}`);
      return n;
    };
    w.partlyRead = {
      stoppedAt: s.str(r.stoppedAt, `${path}.partlyRead.stoppedAt`),
      reason: s.str(r.reason, `${path}.partlyRead.reason`),
      filesBefore: count(r.filesBefore, `${path}.partlyRead.filesBefore`),
      filesAfter: count(r.filesAfter, `${path}.partlyRead.filesAfter`),
    };
  }
  return w;
}

export function readDistro(s: Shape, v: Json, path: string): DistroInfo {
  const o = s.obj(v, path);
  const d: DistroInfo = { id: s.str(o.id, `${path}.id`) };
  for (const k of ['versionId', 'versionCodename', 'prettyName'] as const) {
    const x = s.optStr(o[k], `${path}.${k}`);
    if (x !== undefined) d[k] = x;
  }
  if (o.idLike !== undefined && o.idLike !== null) d.idLike = s.strArr(o.idLike, `${path}.idLike`);
  return d;
}

/**
 * Image metadata is checked where our code relies on it (identity, platform, layers); the rest
 * is carried as it is, since it is only displayed.
 */
export function readImage(s: Shape, v: Json, path: string): ImageMetadata {
  const o = s.obj(v, path);
  s.str(o.reference, `${path}.reference`);
  s.str(o.digest, `${path}.digest`);
  s.str(o.configDigest, `${path}.configDigest`);
  const platform = s.obj(o.platform, `${path}.platform`);
  s.str(platform.os, `${path}.platform.os`);
  s.str(platform.architecture, `${path}.platform.architecture`);
  s.arr(o.layers, `${path}.layers`).forEach((l, i) => {
    const lo = s.obj(l, `${path}.layers[${i}]`);
    s.num(lo.index, `${path}.layers[${i}].index`);
    s.str(lo.digest, `${path}.layers[${i}].digest`);
    s.str(lo.diffId, `${path}.layers[${i}].diffId`);
  });
  s.optArr(o.history, `${path}.history`);
  s.optArr(o.env, `${path}.env`);
  s.optArr(o.exposedPorts, `${path}.exposedPorts`);
  if (o.labels !== undefined) s.obj(o.labels, `${path}.labels`);
  s.obj(o.size, `${path}.size`);
  s.obj(o.os, `${path}.os`);
  return structuredClone(o) as unknown as ImageMetadata;
}

export function readLayerRef(s: Shape, v: Json, path: string): LayerRef {
  const o = s.obj(v, path);
  return { index: s.num(o.index, `${path}.index`), digest: s.str(o.digest, `${path}.digest`), diffId: s.str(o.diffId, `${path}.diffId`) };
}

function readLicense(s: Shape, v: Json, path: string): License {
  const o = s.obj(v, path);
  const l: License = {};
  const spdx = s.optStr(o.spdx, `${path}.spdx`);
  const name = s.optStr(o.name, `${path}.name`);
  if (spdx === undefined && name === undefined) s.fail(path, 'a license needs "spdx" or "name"');
  if (spdx !== undefined) l.spdx = spdx;
  if (name !== undefined) l.name = name;
  return l;
}

function readLocation(s: Shape, v: Json, path: string): Location {
  const o = s.obj(v, path);
  const loc: Location = { path: s.str(o.path, `${path}.path`) };
  if (o.layer !== undefined && o.layer !== null) loc.layer = readLayerRef(s, o.layer, `${path}.layer`);
  return loc;
}

function readPackage(s: Shape, v: Json, path: string): Package {
  const o: JsonObject = s.obj(v, path);
  const p: Package = {
    id: s.str(o.id, `${path}.id`),
    name: s.str(o.name, `${path}.name`),
    version: s.str(o.version, `${path}.version`),
    type: s.str(o.type, `${path}.type`),
    purl: s.str(o.purl, `${path}.purl`),
    licenses: s.optArr(o.licenses, `${path}.licenses`).map((l, i) => readLicense(s, l, `${path}.licenses[${i}]`)),
    locations: s.optArr(o.locations, `${path}.locations`).map((l, i) => readLocation(s, l, `${path}.locations[${i}]`)),
    foundBy: s.str(o.foundBy, `${path}.foundBy`),
  };
  for (const k of ['namespace', 'author', 'description', 'ownedBy'] as const) {
    const x = s.optStr(o[k], `${path}.${k}`);
    if (x !== undefined) p[k] = x;
  }
  const size = s.optNum(o.size, `${path}.size`);
  if (size !== undefined) p.size = size;
  if (o.introducedLayer !== undefined && o.introducedLayer !== null) p.introducedLayer = readLayerRef(s, o.introducedLayer, `${path}.introducedLayer`);
  const rel = s.optStr(o.relationship, `${path}.relationship`);
  if (rel !== undefined) {
    if (!RELATIONSHIPS.includes(rel as Relationship)) s.fail(`${path}.relationship`, `expected one of ${RELATIONSHIPS.join(', ')}, got ${JSON.stringify(rel)}`);
    p.relationship = rel as Relationship;
  }
  if (o.dependencyOf !== undefined && o.dependencyOf !== null) p.dependencyOf = s.strArr(o.dependencyOf, `${path}.dependencyOf`);
  if (o.dependsOn !== undefined && o.dependsOn !== null) p.dependsOn = s.strArr(o.dependsOn, `${path}.dependsOn`);
  if (o.source !== undefined && o.source !== null) {
    const so = s.obj(o.source, `${path}.source`);
    p.source = { name: s.str(so.name, `${path}.source.name`) };
    const sv = s.optStr(so.version, `${path}.source.version`);
    if (sv !== undefined) p.source.version = sv;
  }
  if (o.metadata !== undefined && o.metadata !== null) p.metadata = structuredClone(s.obj(o.metadata, `${path}.metadata`)) as Record<string, unknown>;
  return p;
}
