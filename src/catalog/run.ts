import { createHash } from 'node:crypto';
import { CompiledCapture, type CaptureSpec } from '../image/capture.js';
import { FileTree } from '../image/filetree.js';
import type { LayerIndex, LayerRef } from '../image/layer-index.js';
import type { ImageScan } from '../image/scan.js';
import type { DistroInfo, Package } from '../sbom/model.js';
import { Warnings, type ScanWarning } from '../util/errors.js';
import { readDistro } from './os-release.js';
import { linkOwners, ownershipCapture } from './ownership.js';
import type { Cataloger } from './types.js';

export interface CatalogResult {
  packages: Package[];
  distro?: DistroInfo;
  warnings: ScanWarning[];
}

/** Everything the layer pass must keep for these catalogers (plus os-release for the distro). */
export function captureFor(catalogers: Cataloger[], extra: CaptureSpec[] = []): CaptureSpec {
  return CompiledCapture.merge(...catalogers.map((c) => c.capture), ownershipCapture, ...extra);
}

/** Did this layer add, change or delete anything the cataloger looks at? */
function touches(index: LayerIndex, capture: CompiledCapture, analyzerNames: Set<string>): boolean {
  for (const e of index.entries) {
    // A deletion may remove what the cataloger saw; cheap to re-run, so count every one.
    if (e.type === 'whiteout' || e.type === 'opaque') return true;
    if (capture.captureLimit(e.path) > 0) return true;
  }
  for (const rec of index.analyses.values()) for (const name of Object.keys(rec)) if (analyzerNames.has(name)) return true;
  return false;
}

/**
 * The file a location names. Nested archive members are written `outer.war:WEB-INF/lib/x.jar`;
 * their layer is the outer file's.
 */
function evidenceNode(tree: FileTree, path: string) {
  const n = tree.lstat(path);
  if (n || !path.includes(':')) return n;
  return tree.lstat(path.slice(0, path.indexOf(':')));
}

function packageKey(p: Package): string {
  return `${p.purl}|${p.locations[0]?.path ?? ''}`;
}

/**
 * Run catalogers over an image's layers and attribute each package to the first layer in
 * which it appears at that version. The tree is built bottom-up once; after each layer that
 * touched a cataloger's files, that cataloger looks again, and a package seen for the first
 * time is credited to that layer (a package that vanishes and returns is credited anew).
 * Catalogers stay pure functions of a tree: attribution, ids and layer refs are added here.
 */
export function catalogScan(scan: ImageScan, catalogers: Cataloger[]): CatalogResult {
  const layers = scan.layers.filter((l): l is { ref: LayerRef; index: LayerIndex; fromCache: boolean } => !!l.index);
  const tree = new FileTree(true);
  for (const l of layers) tree.apply(l.ref, l.index);
  const distro = readDistro(tree);
  const attribution = attribute(layers, catalogers, distro);
  const warnings = new Warnings();
  const packages: Package[] = [];
  for (const c of catalogers) {
    let found: Package[];
    try {
      found = c.catalog(tree, { warnings, distro });
    } catch (err) {
      warnings.fromError(err, `cataloger-${c.name}`);
      continue;
    }
    for (const p of found) {
      p.foundBy ||= c.name;
      p.introducedLayer = attribution.get(packageKey(p));
      for (const loc of p.locations) loc.layer ??= evidenceNode(tree, loc.path)?.layer;
      if (!p.introducedLayer && p.locations[0]) p.introducedLayer = evidenceNode(tree, p.locations[0].path)?.firstLayer;
      packages.push(p);
    }
  }
  assignIds(packages);
  linkOwners(tree, packages);
  return { packages, distro, warnings: warnings.items };
}

/** Catalog a tree on its own (no layers to attribute): a directory, or a test. */
export function catalogTree(tree: FileTree, catalogers: Cataloger[]): CatalogResult {
  const warnings = new Warnings();
  const distro = readDistro(tree);
  const packages: Package[] = [];
  for (const c of catalogers) {
    try {
      for (const p of c.catalog(tree, { warnings, distro })) {
        p.foundBy ||= c.name;
        for (const loc of p.locations) loc.layer ??= evidenceNode(tree, loc.path)?.layer;
        p.introducedLayer ??= p.locations[0] ? evidenceNode(tree, p.locations[0].path)?.firstLayer : undefined;
        packages.push(p);
      }
    } catch (err) {
      warnings.fromError(err, `cataloger-${c.name}`);
    }
  }
  assignIds(packages);
  linkOwners(tree, packages);
  return { packages, distro, warnings: warnings.items };
}

function attribute(layers: { ref: LayerRef; index: LayerIndex }[], catalogers: Cataloger[], distro: DistroInfo | undefined): Map<string, LayerRef> {
  const first = new Map<string, LayerRef>();
  // With one layer there is nothing to tell apart: the first-layer fallback gives layer 0.
  if (layers.length <= 1) return first;
  const compiled = catalogers.map((c) => ({ c, capture: new CompiledCapture(c.capture), analyzers: new Set(c.capture.analyzers.map((a) => a.name)), seen: new Set<string>() }));
  const tree = new FileTree(true);
  for (const l of layers) {
    tree.apply(l.ref, l.index);
    for (const k of compiled) {
      if (!touches(l.index, k.capture, k.analyzers)) continue;
      let found: Package[];
      try {
        // Intermediate states only attribute; their warnings are not the image's.
        found = k.c.catalog(tree, { warnings: new Warnings(), distro });
      } catch {
        continue;
      }
      const now = new Set(found.map(packageKey));
      for (const key of now) if (!k.seen.has(key)) first.set(key, l.ref);
      k.seen = now;
    }
  }
  return first;
}

/** Stable ids from purl and evidence path; references between packages are rewritten. */
function assignIds(packages: Package[]): void {
  const remap = new Map<string, string>();
  const used = new Set<string>();
  for (const p of packages) {
    const base = createHash('sha256').update(`${p.purl}|${p.locations[0]?.path ?? ''}`).digest('hex').slice(0, 16);
    let id = base;
    for (let i = 1; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    if (p.id) remap.set(`${p.foundBy}\0${p.id}`, id);
    p.id = id;
  }
  for (const p of packages) {
    const fix = (ids?: string[]) => ids?.map((x) => remap.get(`${p.foundBy}\0${x}`) ?? x);
    if (p.dependsOn) p.dependsOn = fix(p.dependsOn);
    if (p.dependencyOf) p.dependencyOf = fix(p.dependencyOf);
    if (p.ownedBy) p.ownedBy = remap.get(`${p.foundBy}\0${p.ownedBy}`) ?? p.ownedBy;
  }
}
