/**
 * The package fields that SBOM standards have no slot for, as name/value pairs (see
 * properties.ts for the names). CycloneDX carries them as properties, SPDX in an annotation.
 */
import type { LayerRef } from '../../image/layer-index.js';
import type { LayerMetadata } from '../../image/metadata.js';
import type { Package, Relationship } from '../model.js';
import { parsePurl } from '../purl.js';
import { prop, P } from './properties.js';

export interface NameValue {
  name: string;
  value: string;
}

export function packageExtras(p: Package): NameValue[] {
  const out: NameValue[] = [];
  const add = (name: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') out.push({ name, value: String(value) });
  };
  let purlParts;
  try {
    purlParts = parsePurl(p.purl, { lenient: true });
  } catch {
    purlParts = undefined;
  }
  add(prop.id, p.id);
  if (purlParts?.type !== p.type) add(prop.type, p.type);
  if (p.namespace !== undefined && purlParts?.namespace !== p.namespace) add(prop.namespace, p.namespace);
  add(prop.foundBy, p.foundBy);
  add(prop.size, p.size);
  p.locations.forEach((l, i) => {
    add(prop.location(i, 'path'), l.path);
    if (l.layer) {
      add(prop.location(i, 'layerIndex'), l.layer.index);
      add(prop.location(i, 'layerDigest'), l.layer.digest);
      add(prop.location(i, 'layerDiffId'), l.layer.diffId);
    }
  });
  if (p.introducedLayer) {
    add(prop.introducedIndex, p.introducedLayer.index);
    add(prop.introducedDigest, p.introducedLayer.digest);
    add(prop.introducedDiffId, p.introducedLayer.diffId);
  }
  add(prop.relationship, p.relationship);
  if (p.source) {
    add(prop.sourceName, p.source.name);
    add(prop.sourceVersion, p.source.version);
  }
  add(prop.ownedBy, p.ownedBy);
  if (p.metadata && Object.keys(p.metadata).length) add(prop.metadata, JSON.stringify(p.metadata));
  return out;
}

const RELATIONSHIPS = new Set<Relationship>(['root', 'direct', 'transitive', 'unknown']);

/** Finds a layer by diff_id in the image's layer list, to complete a foreign tool's layer id. */
function layerByDiffId(diffId: string, layers: LayerMetadata[] | undefined): LayerRef | undefined {
  const l = layers?.find((x) => x.diffId === diffId);
  return l ? { index: l.index, digest: l.digest, diffId: l.diffId } : undefined;
}

function layerRef(index: string | undefined, digest: string | undefined, diffId: string | undefined, layers: LayerMetadata[] | undefined): LayerRef | undefined {
  if (!diffId) return undefined;
  const n = index !== undefined ? Number(index) : NaN;
  if (Number.isInteger(n) && n >= 0 && digest) return { index: n, digest, diffId };
  return layerByDiffId(diffId, layers);
}

/**
 * Applies extras (ours, and Syft's and Trivy's layer/path properties) to a package read from a
 * standard document. Bad values are ignored with a note in `problems`, never thrown.
 */
export function applyExtras(p: Package, props: NameValue[], layers: LayerMetadata[] | undefined, problems: string[]): void {
  const one = new Map<string, string>();
  for (const { name, value } of props) if (!one.has(name)) one.set(name, value);
  const get = (n: string): string | undefined => one.get(n);

  const id = get(prop.id);
  if (id) p.id = id;
  const type = get(prop.type);
  if (type) p.type = type;
  const ns = get(prop.namespace);
  if (ns) p.namespace = ns;
  const foundBy = get(prop.foundBy) ?? get('syft:package:foundBy');
  if (foundBy) p.foundBy = foundBy;
  const size = get(prop.size);
  if (size !== undefined) {
    const n = Number(size);
    if (Number.isFinite(n) && n >= 0) p.size = n;
    else problems.push(`${p.name}: ${prop.size} is not a number`);
  }

  const locations = new Map<number, { path?: string; index?: string; digest?: string; diffId?: string }>();
  const loc = (i: number) => {
    let l = locations.get(i);
    if (!l) locations.set(i, (l = {}));
    return l;
  };
  for (const { name, value } of props) {
    let m = /^iechor-scout:location:(\d{1,6}):(path|layerIndex|layerDigest|layerDiffId)$/.exec(name);
    if (m) {
      const l = loc(Number(m[1]));
      if (m[2] === 'path') l.path = value;
      else if (m[2] === 'layerIndex') l.index = value;
      else if (m[2] === 'layerDigest') l.digest = value;
      else l.diffId = value;
      continue;
    }
    m = /^syft:location:(\d{1,6}):(path|layerID)$/.exec(name);
    if (m && !one.has(prop.location(0, 'path'))) {
      const l = loc(Number(m[1]));
      if (m[2] === 'path') l.path = value;
      else l.diffId = value;
    }
  }
  const trivyPath = get('aquasecurity:trivy:FilePath');
  const trivyLayer = get('aquasecurity:trivy:LayerDiffID');
  if (locations.size === 0 && (trivyPath || trivyLayer)) locations.set(0, { path: trivyPath ?? '', diffId: trivyLayer });
  if (locations.size) {
    p.locations = [...locations.entries()].sort((a, b) => a[0] - b[0]).filter(([, l]) => l.path !== undefined).map(([, l]) => {
      const layer = layerRef(l.index, l.digest, l.diffId, layers);
      return layer ? { path: l.path!, layer } : { path: l.path! };
    });
  }
  const introduced = layerRef(get(prop.introducedIndex), get(prop.introducedDigest), get(prop.introducedDiffId) ?? trivyLayer, layers);
  if (introduced) p.introducedLayer = introduced;

  const rel = get(prop.relationship);
  if (rel !== undefined) {
    if (RELATIONSHIPS.has(rel as Relationship)) p.relationship = rel as Relationship;
    else problems.push(`${p.name}: unknown relationship ${JSON.stringify(rel)}`);
  }
  const sourceName = get(prop.sourceName) ?? get('aquasecurity:trivy:SrcName');
  if (sourceName) {
    p.source = { name: sourceName };
    const sv = get(prop.sourceVersion) ?? get('aquasecurity:trivy:SrcVersion');
    if (sv) p.source.version = sv;
  }
  const ownedBy = get(prop.ownedBy);
  if (ownedBy) p.ownedBy = ownedBy;
  const meta = get(prop.metadata);
  if (meta !== undefined) {
    try {
      const v: unknown = JSON.parse(meta);
      if (v && typeof v === 'object' && !Array.isArray(v)) p.metadata = v as Record<string, unknown>;
      else problems.push(`${p.name}: ${prop.metadata} is not a JSON object`);
    } catch {
      problems.push(`${p.name}: ${prop.metadata} is not valid JSON`);
    }
  }
}

export function isOurProperty(name: string): boolean {
  return name.startsWith(P);
}
