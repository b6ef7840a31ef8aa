import type { License, Package, Relationship } from '../../sbom/model.js';
import { analyseGraph, type JsGraph, type JsNode } from './graph.js';
import type { Manifest } from './package-json.js';
import { npmPurl, splitScope } from './purl.js';

export interface MergeOptions {
  includeDev: boolean;
  includeRoot: boolean;
  foundBy: string;
}

/** One project: a directory with a package.json, lockfiles and/or node_modules. */
export interface ProjectSources {
  dir: string;
  manifest?: Manifest;
  graphs: JsGraph[];
}

interface Merged {
  name: string;
  version: string;
  locations: string[];
  rank: number;
  devs: boolean[];
  resolved?: string;
  integrity?: string;
  licenses: License[];
  author?: string;
  description?: string;
  homepage?: string;
  sources: Set<string>;
  deps: Set<string>;
  parents: Set<string>;
}

const RANK: Record<Relationship, number> = { unknown: 0, transitive: 1, direct: 2, root: 3 };
const BY_RANK: Relationship[] = ['unknown', 'transitive', 'direct', 'root'];

/**
 * Every source of one project folded into packages: the same name@version seen in a lockfile
 * and in node_modules (or twice in either) is one package with every location. Relationship
 * takes the strongest claim (root > direct > transitive > unknown); a package is dev only when
 * no source says it is needed outside development.
 */
export function mergeProject(project: ProjectSources, opts: MergeOptions): Package[] {
  const graphs = [...project.graphs];
  const m = project.manifest;
  if (m?.name) {
    const root: JsNode = { key: '', name: m.name, version: m.version ?? '', location: m.path, isRoot: true, licenses: m.licenses, author: m.author, description: m.description, homepage: m.homepage, deps: new Set<string>() };
    graphs.push({ source: 'package.json', nodes: new Map([['', root]]) });
  }
  const merged = new Map<string, Merged>();
  const keyOf: Map<string, string>[] = [];
  const rootKeys = new Set<string>();
  const pending: { gi: number; node: JsNode; parents: Set<string> }[] = [];
  graphs.forEach((g, gi) => {
    const facts = analyseGraph(g);
    const map = new Map<string, string>();
    keyOf.push(map);
    for (const node of g.nodes.values()) {
      const f = facts.get(node.key)!;
      const mk = `${node.name}@${node.version}`;
      map.set(node.key, mk);
      let e = merged.get(mk);
      if (!e) {
        e = { name: node.name, version: node.version, locations: [], rank: 0, devs: [], licenses: [], sources: new Set(), deps: new Set(), parents: new Set() };
        merged.set(mk, e);
      }
      if (!e.locations.includes(node.location)) e.locations.push(node.location);
      e.rank = Math.max(e.rank, RANK[f.relationship]);
      if (f.dev !== undefined) e.devs.push(f.dev);
      e.sources.add(g.source);
      // Installed package.json files describe a package best; lockfiles fill what is missing.
      e.resolved ??= node.resolved;
      e.integrity ??= node.integrity;
      if (!e.licenses.length && node.licenses?.length) e.licenses = node.licenses;
      e.author ??= node.author;
      e.description ??= node.description;
      e.homepage ??= node.homepage;
      if (f.relationship === 'root') rootKeys.add(mk);
      pending.push({ gi, node, parents: f.parents });
    }
  });
  for (const { gi, node, parents } of pending) {
    const mk = keyOf[gi].get(node.key)!;
    const e = merged.get(mk)!;
    for (const d of node.deps) {
      const t = keyOf[gi].get(d);
      if (t && t !== mk) e.deps.add(t);
    }
    for (const p of parents) {
      if (p === '') {
        for (const r of rootKeys) if (r !== mk) e.parents.add(r);
        continue;
      }
      const t = keyOf[gi].get(p);
      if (t && t !== mk) e.parents.add(t);
    }
  }
  // Parents and children are two views of one edge set: make them agree.
  for (const [mk, e] of merged) for (const p of e.parents) merged.get(p)?.deps.add(mk);
  for (const [mk, e] of merged) for (const d of e.deps) merged.get(d)?.parents.add(mk);

  const keep = new Set<string>();
  for (const [mk, e] of merged) {
    const rel = BY_RANK[e.rank];
    const dev = rel === 'root' ? undefined : devOf(e.devs);
    if (!opts.includeDev && dev === true) continue;
    if (!opts.includeRoot && rel === 'root') continue;
    keep.add(mk);
  }
  const idOf = (mk: string) => `npm:${project.dir}:${mk}`;
  const out: Package[] = [];
  for (const mk of keep) {
    const e = merged.get(mk)!;
    const rel = BY_RANK[e.rank];
    const dev = rel === 'root' ? undefined : devOf(e.devs);
    const metadata: Record<string, unknown> = { project: project.dir, sources: [...e.sources] };
    if (dev !== undefined) metadata.dev = dev;
    if (e.resolved) metadata.resolved = e.resolved;
    if (e.integrity) metadata.integrity = e.integrity;
    if (e.homepage) metadata.homepage = e.homepage;
    const pkg: Package = {
      id: idOf(mk),
      name: e.name,
      version: e.version,
      type: 'npm',
      purl: npmPurl(e.name, e.version || undefined),
      licenses: e.licenses,
      locations: e.locations.map((path) => ({ path })),
      relationship: rel,
      foundBy: opts.foundBy,
      metadata,
    };
    const ns = splitScope(e.name).namespace;
    if (ns) pkg.namespace = ns;
    if (e.author) pkg.author = e.author;
    if (e.description) pkg.description = e.description;
    const parents = [...e.parents].filter((p) => keep.has(p)).map(idOf);
    const deps = [...e.deps].filter((d) => keep.has(d)).map(idOf);
    if (parents.length) pkg.dependencyOf = parents;
    if (deps.length) pkg.dependsOn = deps;
    out.push(pkg);
  }
  return out;
}

function devOf(devs: boolean[]): boolean | undefined {
  if (!devs.length) return undefined;
  return devs.every(Boolean);
}
