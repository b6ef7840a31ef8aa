import { hash } from 'node:crypto';
import { CaptureOwners } from '../image/capture.js';
import { FileTree } from '../image/filetree.js';
import type { LayerIndex, LayerRef } from '../image/layer-index.js';
import type { ImageScan } from '../image/scan.js';
import type { DistroInfo, Package } from '../sbom/model.js';
import { Warnings, type ScanWarning } from '../util/errors.js';
import { OS_RELEASE_PATHS, readDistro } from './os-release.js';
import { EMBEDDED_SBOM } from './embedded-sbom/spec.js';
import { linkOwners } from './ownership.js';
import type { Cataloger } from './types.js';
import { appendAll } from '../util/arrays.js';

/** A file the image ships that is not a package but speaks about them (VEX documents). */
export interface Attachment {
  path: string;
  content: string;
}

export interface CatalogResult {
  packages: Package[];
  distro?: DistroInfo;
  warnings: ScanWarning[];
  /** `*.vex.json` files in the image, as found (parsed where they are used). */
  vexFiles: Attachment[];
}

const MAX_VEX_FILES = 1000;

function vexFilesOf(tree: FileTree): Attachment[] {
  const out: Attachment[] = [];
  for (const n of tree.captured()) {
    if (n.type !== 'file' || !n.path.endsWith('.vex.json')) continue;
    const content = tree.readText(n.path);
    if (content !== undefined) out.push({ path: n.path, content });
    if (out.length >= MAX_VEX_FILES) break;
  }
  return out;
}

/** What a layer offers catalogers: which of them want a path it captured, analyzer names, and deletions. */
interface LayerOffer {
  /** Bit i set: cataloger i wants one of the layer's captured paths. */
  wanted: number;
  analyzers: Set<string>;
  deletes: boolean;
}

function offerOf(index: LayerIndex, owners: CaptureOwners, touched: readonly string[], tree: FileTree, targetOwners: Map<string, number>): LayerOffer {
  const analyzers = new Set<string>();
  for (const rec of index.analyses.values()) for (const name of Object.keys(rec)) analyzers.add(name);
  let wanted = 0;
  for (const path of index.captured.keys()) wanted |= owners.owners(path) | (targetOwners.get(path) ?? 0);
  // A wanted path changed in any other way: replaced by an empty file, a link, a device, or a
  // file too big to keep (all dropped from the tree), or a link's target changed.
  for (const path of touched) {
    if (index.captured.has(path)) continue;
    const bits = owners.owners(path) | (targetOwners.get(path) ?? 0);
    if (bits === 0) continue;
    wanted |= bits;
    // A wanted link: whoever wants it wants its target, wherever a later layer changes that.
    if (tree.lstat(path)?.type === 'symlink') {
      const to = tree.follow(path);
      if (to !== 'loop') targetOwners.set(to.path, (targetOwners.get(to.path) ?? 0) | bits);
    }
  }
  return { wanted, analyzers, deletes: index.entries.some((e) => e.type === 'whiteout' || e.type === 'opaque') };
}

/** Did this layer add, change or delete anything cataloger `bit` looks at? */
function touches(offer: LayerOffer, bit: number, analyzerNames: Set<string>): boolean {
  // A deletion may remove what the cataloger saw; cheap to look again, so count every one.
  if (offer.deletes || (offer.wanted & bit) !== 0) return true;
  for (const name of analyzerNames) if (offer.analyzers.has(name)) return true;
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

/**
 * What a cataloger found at one look, by PURL: each package with the layer it is credited to.
 * A package at a later look is the same package when its PURL is the same and it shares an
 * evidence path with it: a later layer that only adds evidence (a lockfile beside an installed
 * node_modules) must not take the credit, while a second copy elsewhere is another package.
 */
class Sightings {
  private readonly byPurl = new Map<string, { paths: string[]; at: LayerRef }[]>();

  add(p: Package, at: LayerRef): void {
    const list = this.byPurl.get(p.purl);
    const entry = { paths: p.locations.map((l) => l.path), at };
    if (list) list.push(entry);
    else this.byPurl.set(p.purl, [entry]);
  }

  /** The layer an earlier look credited this package to, if it saw it. */
  creditOf(p: Package): LayerRef | undefined {
    const list = this.byPurl.get(p.purl);
    if (!list) return undefined;
    for (const e of list) for (const l of p.locations) if (e.paths.includes(l.path)) return e.at;
    return undefined;
  }
}

/**
 * Run catalogers over an image's layers and attribute each package to the first layer in
 * which it appears at that version. The tree is built bottom-up once; after each layer that
 * touched a cataloger's files, that cataloger looks again, and a package seen for the first
 * time is credited to that layer (a package that vanishes and returns is credited anew). A
 * cataloger's last look is its answer for the image: no layer after it changed its files.
 * Catalogers stay pure functions of a tree: attribution, ids and layer refs are added here.
 */
export function catalogScan(scan: ImageScan, catalogers: Cataloger[]): CatalogResult {
  const layers = scan.layers.filter((l): l is { ref: LayerRef; index: LayerIndex; fromCache: boolean } => !!l.index);
  const distro = distroOf(layers);
  // Bit masks hold 31 catalogers; a longer list is looked at after every layer instead.
  const owners = catalogers.length <= 31 ? new CaptureOwners(catalogers.map((c) => c.capture)) : undefined;
  const runs = catalogers.map((c, i) => ({
    c,
    bit: owners ? 1 << i : -1,
    analyzers: new Set(c.capture.analyzers.map((a) => a.name)),
    seen: new Sightings(),
    last: undefined as { packages: Package[]; warnings: Warnings } | undefined,
    /** The layer each package of the last look is credited to. */
    credits: new Map<Package, LayerRef>(),
  }));
  const tree = new FileTree(true);
  /** Paths that wanted links lead to, and the catalogers that want them. */
  const targetOwners = new Map<string, number>();
  const look = (r: (typeof runs)[number], at?: LayerRef) => {
    const warnings = new Warnings();
    let found: Package[];
    try {
      found = r.c.catalog(tree, { warnings, distro });
    } catch (err) {
      warnings.fromError(err, `cataloger-${r.c.name}`);
      found = [];
    }
    r.last = { packages: found, warnings };
    if (!at) return;
    // Only the previous look counts: a package that vanished and came back is credited anew.
    const now = new Sightings();
    r.credits = new Map();
    for (const p of found) {
      const credit = r.seen.creditOf(p) ?? at;
      r.credits.set(p, credit);
      now.add(p, credit);
    }
    r.seen = now;
  };
  for (const l of layers) {
    const touched = tree.apply(l.ref, l.index);
    const offer = owners ? offerOf(l.index, owners, touched, tree, targetOwners) : undefined;
    for (const r of runs) if (!offer || touches(offer, r.bit, r.analyzers)) look(r, l.ref);
  }
  const warnings = new Warnings();
  const packages: Package[] = [];
  for (const r of runs) {
    if (!r.last) look(r);
    appendAll(warnings.items, r.last!.warnings.items);
    for (const p of r.last!.packages) {
      p.foundBy ||= r.c.name;
      p.introducedLayer = r.credits.get(p);
      for (const loc of p.locations) loc.layer ??= evidenceNode(tree, loc.path)?.layer;
      if (!p.introducedLayer && p.locations[0]) p.introducedLayer = evidenceNode(tree, p.locations[0].path)?.firstLayer;
      packages.push(p);
    }
  }
  const { packages: merged, folded } = foldEmbedded(packages);
  const { packages: unique, dropped } = mergeDuplicates(merged);
  assignIds(unique, folded, dropped);
  linkOwners(tree, unique);
  return { packages: unique, distro, warnings: warnings.items, vexFiles: vexFilesOf(tree) };
}

/** A package's content apart from its ids and links: equal for true duplicates. */
function contentOf(p: Package): string {
  return JSON.stringify({ ...p, id: '', dependsOn: undefined, dependencyOf: undefined, ownedBy: undefined });
}

/**
 * One package per true duplicate: the same cataloger reporting the same PURL from the same
 * evidence with the same facts (a status file repeating a stanza, a lockfile repeating an
 * entry). The copies' links join the kept one, and `dropped` says which package a dropped
 * copy's cataloger-local id now means. Linear: content is compared only on a PURL and path
 * collision, against the few distinct packages already kept for that key.
 */
function mergeDuplicates(packages: Package[]): { packages: Package[]; dropped: Map<string, Package> } {
  const byKey = new Map<string, { p: Package; content?: string }[]>();
  const out: Package[] = [];
  const dropped = new Map<string, Package>();
  const links = new Map<Package, { on: Set<string>; of: Set<string> }>();
  for (const p of packages) {
    const key = `${p.foundBy}\0${p.purl}\0${p.locations.map((l) => l.path).join('\0')}`;
    const kept = byKey.get(key);
    if (!kept) {
      byKey.set(key, [{ p }]);
      out.push(p);
      continue;
    }
    const content = contentOf(p);
    const same = kept.find((k) => (k.content ??= contentOf(k.p)) === content);
    if (!same) {
      // Kept apart, and compared with at most this many: a hostile file cannot make it quadratic.
      if (kept.length < 16) kept.push({ p, content });
      out.push(p);
      continue;
    }
    const q = same.p;
    // Links are gathered in sets and written once: appending to copied arrays is quadratic.
    let l = links.get(q);
    if (!l) links.set(q, (l = { on: new Set(q.dependsOn), of: new Set(q.dependencyOf) }));
    for (const x of p.dependsOn ?? []) l.on.add(x);
    for (const x of p.dependencyOf ?? []) l.of.add(x);
    if (p.id && p.id !== q.id) dropped.set(`${p.foundBy}\0${p.id}`, q);
  }
  for (const [q, l] of links) {
    if (l.on.size) q.dependsOn = [...l.on];
    if (l.of.size) q.dependencyOf = [...l.of];
  }
  return { packages: out, dropped };
}

/**
 * A package declared by an SBOM inside the image and also found by a cataloger is one
 * package: the declaration becomes another location of the found one, its dependency links
 * join the found one's, and `folded` says which package each declaration's id now means (so
 * links to it from the rest of its document follow).
 */
function foldEmbedded(packages: Package[]): { packages: Package[]; folded: Map<string, Package> } {
  const found = new Map<string, Package>();
  for (const p of packages) if (p.foundBy !== EMBEDDED_SBOM) found.set(purlIdentity(p.purl), p);
  const out: Package[] = [];
  const folded = new Map<string, Package>();
  for (const p of packages) {
    const same = p.foundBy === EMBEDDED_SBOM ? found.get(purlIdentity(p.purl)) : undefined;
    if (same) {
      appendAll(same.locations, p.locations);
      same.licenses = same.licenses.length ? same.licenses : p.licenses;
      same.author ??= p.author;
      same.description ??= p.description;
      if (p.dependsOn) same.dependsOn = [...(same.dependsOn ?? []), ...p.dependsOn];
      if (p.dependencyOf) same.dependencyOf = [...(same.dependencyOf ?? []), ...p.dependencyOf];
      folded.set(p.id, same);
    } else out.push(p);
  }
  return { packages: out, folded };
}

/** type/namespace/name@version of a PURL, without qualifiers or subpath. */
function purlIdentity(purl: string): string {
  return purl.split(/[?#]/)[0].toLowerCase();
}

/**
 * The distro as of the final layer, needed before catalogers look at earlier layers (it goes
 * into their PURLs). Only os-release files, links and deletions are applied: a tiny tree.
 */
function distroOf(layers: { ref: LayerRef; index: LayerIndex }[]): DistroInfo | undefined {
  const t = new FileTree(true);
  for (const l of layers) {
    const entries = l.index.entries.filter((e) => e.type !== 'file' || OS_RELEASE_PATHS.includes(e.path));
    t.apply(l.ref, { ...l.index, entries });
  }
  return readDistro(t);
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
  const { packages: merged, folded } = foldEmbedded(packages);
  const { packages: unique, dropped } = mergeDuplicates(merged);
  assignIds(unique, folded, dropped);
  linkOwners(tree, unique);
  return { packages: unique, distro, warnings: warnings.items, vexFiles: vexFilesOf(tree) };
}

/**
 * Stable ids from purl and evidence path; references between packages are rewritten, and
 * dependency links sorted and made unique, as the SBOM importers give them (so an export read
 * back is the same SBOM).
 */
function assignIds(packages: Package[], folded: Map<string, Package>, dropped: Map<string, Package>): void {
  const remap = new Map<string, string>();
  const used = new Set<string>();
  // The next suffix to try per base id: trying -1, -2, … from the start each time is quadratic.
  const nextSuffix = new Map<string, number>();
  for (const p of packages) {
    const base = hash('sha256', `${p.purl}|${p.locations[0]?.path ?? ''}`, 'hex').slice(0, 16);
    let id = base;
    if (used.has(id)) {
      let i = nextSuffix.get(base) ?? 1;
      while (used.has((id = `${base}-${i}`))) i++;
      nextSuffix.set(base, i + 1);
    }
    used.add(id);
    if (p.id) remap.set(`${p.foundBy}\0${p.id}`, id);
    p.id = id;
  }
  // Embedded SBOMs' ids name their document, so are unique across catalogers: a link to one
  // resolves from any package, a folded declaration's found package included.
  const declared = (x: string) => remap.get(`${EMBEDDED_SBOM}\0${x}`) ?? folded.get(x)?.id;
  for (const p of packages) {
    const local = (x: string) => remap.get(`${p.foundBy}\0${x}`) ?? dropped.get(`${p.foundBy}\0${x}`)?.id;
    const fix = (ids?: string[]) => ids && [...new Set(ids.map((x) => local(x) ?? declared(x) ?? x))].filter((x) => x !== p.id).sort();
    if (p.dependsOn) p.dependsOn = fix(p.dependsOn);
    if (p.dependencyOf) p.dependencyOf = fix(p.dependencyOf);
    if (p.ownedBy) p.ownedBy = local(p.ownedBy) ?? declared(p.ownedBy) ?? p.ownedBy;
  }
}
