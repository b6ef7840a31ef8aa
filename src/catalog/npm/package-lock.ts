import type { Warnings } from '../../util/errors.js';
import type { JsGraph, JsNode, RootDepKind } from './graph.js';
import { npmLicenses } from './license.js';
import { declaredDeps, depMap, parseJsonObject, type Manifest } from './package-json.js';
import { MAX_ENTRIES_PER_FILE, warnIfCapped } from '../limits.js';

/*
 * package-lock.json / npm-shrinkwrap.json, lockfileVersion 1 (a nested `dependencies` tree),
 * 2 (both forms; the flat `packages` map is read) and 3 (`packages` only). Node keys are
 * install paths ("node_modules/a/node_modules/b"), so requires resolve the way Node does:
 * nearest node_modules first, then each enclosing one.
 */

const MAX_DEPTH = 128;
const MAX_NODES = MAX_ENTRIES_PER_FILE;
const NM = 'node_modules/';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The node key a dependency `name` resolves to from the package installed at `from`. */
export function resolveNested(has: (key: string) => boolean, from: string, name: string): string | undefined {
  let base = from;
  for (let i = 0; i <= MAX_DEPTH; i++) {
    const cand = base ? `${base}/${NM}${name}` : `${NM}${name}`;
    if (has(cand)) return cand;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/' + NM);
    base = cut >= 0 ? base.slice(0, cut) : '';
  }
  return undefined;
}

/** "npm:real-name@1.2.3" (an alias) → the real name and version. */
function unalias(name: string, version: string): { name: string; version: string } {
  if (version.startsWith('npm:')) {
    const rest = version.slice(4);
    const at = rest.lastIndexOf('@');
    if (at > 0) return { name: rest.slice(0, at), version: rest.slice(at + 1) };
  }
  return { name, version };
}

function nameFromKey(key: string): string {
  const i = key.lastIndexOf(NM);
  return i >= 0 ? key.slice(i + NM.length) : key.slice(key.lastIndexOf('/') + 1);
}

export function readPackageLock(text: string, path: string, manifest: Manifest | undefined, warnings: Warnings): JsGraph | undefined {
  const lock = parseJsonObject(text, path, warnings);
  if (!lock) return undefined;
  const graph = isObj(lock.packages) ? readFlat(lock.packages, path) : isObj(lock.dependencies) ? readTree(lock, path, manifest) : undefined;
  if (!graph) {
    warnings.add('npm-lock-unrecognised', `${path}: neither "packages" nor "dependencies" found; skipped`, { path });
    return undefined;
  }
  warnIfCapped(graph.nodes.size, path, warnings, 'packages');
  return graph;
}

/** lockfileVersion 2 and 3: `packages` keyed by install path, "" being the project. */
function readFlat(packages: Obj, path: string): JsGraph {
  const nodes = new Map<string, JsNode>();
  const raw = new Map<string, Obj>();
  const links = new Map<string, string>();
  let count = 0;
  for (const [key, v] of Object.entries(packages)) {
    if (!isObj(v) || ++count > MAX_NODES) continue;
    if (v.link === true) {
      const target = str(v.resolved);
      if (target !== undefined) links.set(key, target);
      continue;
    }
    const inModules = key.startsWith(NM) || key.includes('/' + NM);
    const isRoot = key === '' || !inModules;
    const version = str(v.version) ?? '';
    if (!isRoot && !version) continue;
    const name = str(v.name) ?? nameFromKey(key);
    if (!name) continue;
    raw.set(key, v);
    nodes.set(key, {
      key,
      name,
      version,
      location: path,
      isRoot: isRoot || undefined,
      dev: isRoot ? undefined : v.dev === true,
      resolved: str(v.resolved),
      integrity: str(v.integrity),
      licenses: npmLicenses(v.license, v.licenses),
      deps: new Set<string>(),
    });
  }
  const has = (k: string) => nodes.has(k) || links.has(k);
  const follow = (k: string | undefined) => (k !== undefined && links.has(k) ? links.get(k) : k);
  const rootDeps: { key: string; kind: RootDepKind }[] = [];
  for (const [key, v] of raw) {
    const node = nodes.get(key)!;
    const kinds: [unknown, RootDepKind][] = [[v.dependencies, 'prod'], [v.optionalDependencies, 'optional'], [v.peerDependencies, 'peer']];
    if (node.isRoot) kinds.push([v.devDependencies, 'dev']);
    for (const [deps, kind] of kinds) {
      for (const dep of Object.keys(depMap(deps))) {
        const target = follow(resolveNested(has, key, dep));
        if (target === undefined || !nodes.has(target) || target === key) continue;
        node.deps.add(target);
        if (node.isRoot) rootDeps.push({ key: target, kind });
      }
    }
  }
  return { source: 'package-lock', nodes, rootDeps: raw.has('') ? rootDeps : undefined };
}

/** lockfileVersion 1: a tree of `dependencies`, nested where versions conflict. */
function readTree(lock: Obj, path: string, manifest: Manifest | undefined): JsGraph {
  const nodes = new Map<string, JsNode>();
  const requires = new Map<string, string[]>();
  const stack: { prefix: string; deps: Obj; depth: number }[] = [{ prefix: '', deps: lock.dependencies as Obj, depth: 0 }];
  while (stack.length) {
    const { prefix, deps, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) continue;
    for (const [rawName, v] of Object.entries(deps)) {
      if (!isObj(v) || nodes.size >= MAX_NODES) continue;
      const version = str(v.version);
      if (!version) continue;
      // Keys are package names; a stray install path ("node_modules/x") still names x.
      const keyName = rawName.includes(NM) ? nameFromKey(rawName) : rawName;
      const key = prefix ? `${prefix}/${NM}${keyName}` : `${NM}${keyName}`;
      const real = unalias(keyName, version);
      nodes.set(key, {
        key,
        name: real.name,
        version: real.version,
        location: path,
        dev: v.dev === true,
        resolved: str(v.resolved),
        integrity: str(v.integrity),
        deps: new Set<string>(),
      });
      requires.set(key, Object.keys(depMap(v.requires)));
      if (isObj(v.dependencies)) stack.push({ prefix: key, deps: v.dependencies, depth: depth + 1 });
    }
  }
  const has = (k: string) => nodes.has(k);
  for (const [key, names] of requires) {
    const node = nodes.get(key)!;
    for (const dep of names) {
      const target = resolveNested(has, key, dep);
      if (target !== undefined && target !== key) node.deps.add(target);
    }
  }
  const graph: JsGraph = { source: 'package-lock', nodes };
  const rootName = str(lock.name) ?? manifest?.name;
  const root: JsNode | undefined = rootName ? { key: '', name: rootName, version: str(lock.version) ?? manifest?.version ?? '', location: path, isRoot: true, deps: new Set<string>() } : undefined;
  if (manifest) {
    graph.rootDeps = [];
    for (const d of declaredDeps(manifest)) {
      const target = resolveNested(has, '', d.name);
      if (target === undefined) continue;
      graph.rootDeps.push({ key: target, kind: d.kind });
      root?.deps.add(target);
    }
  }
  if (root) nodes.set('', root);
  return graph;
}
