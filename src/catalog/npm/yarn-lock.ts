import type * as Yaml from 'yaml';
import { lazyRequire } from '../../util/lazy-require.js';

const yaml = lazyRequire<typeof Yaml>('yaml');
const parseYaml = (src: string, options?: Yaml.ParseOptions & Yaml.DocumentOptions & Yaml.SchemaOptions & Yaml.ToJSOptions): unknown => yaml().parse(src, options);
import type { Warnings } from '../../util/errors.js';
import type { JsGraph, JsNode, RootDepKind } from './graph.js';
import { declaredDeps, type Manifest } from './package-json.js';
import { parseYarnV1, splitDescriptor } from './yarn-v1.js';
import { warnIfCapped } from '../limits.js';

/*
 * yarn.lock, classic (v1) and berry (v2+, YAML with a __metadata block). Entries are keyed by
 * the descriptors they resolve ("name@range"), so a dependency "name: range" is found by its
 * descriptor. Neither format marks dev dependencies; the project's package.json (when present)
 * tells direct from transitive and dev from prod.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** Berry protocols that are not packages of their own: a patch repeats the package it patches, links are local folders. */
const BERRY_SKIP = /^(patch|link|portal):/;

/**
 * The package name in a registry tarball URL (".../@scope/name/-/name-1.0.0.tgz"). Yarn v1
 * records aliases under the alias, so the tarball is where the real name is.
 */
export function nameFromTarballUrl(url: string): string | undefined {
  let p: string;
  try {
    p = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const cut = p.indexOf('/-/');
  if (cut < 0) return undefined;
  const segs = p.slice(0, cut).split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const last = segs[segs.length - 1];
  if (!last) return undefined;
  if (last.startsWith('@') && last.includes('/')) return last;
  const prev = segs[segs.length - 2];
  return prev?.startsWith('@') ? `${prev}/${last}` : last;
}

export function readYarnLock(text: string, path: string, manifest: Manifest | undefined, warnings: Warnings): JsGraph | undefined {
  const berry = /^__metadata:/m.test(text);
  const graph = berry ? readBerry(text, path, manifest, warnings) : readClassic(text, path, manifest);
  if (graph) warnIfCapped(graph.nodes.size, path, warnings, 'packages');
  return graph;
}

function rootFromManifest(graph: JsGraph, manifest: Manifest | undefined, resolve: (name: string, range: string) => string | undefined, path: string): void {
  if (!manifest) return;
  // A berry workspace entry already stands for the project; do not add it twice.
  const hasRoot = [...graph.nodes.values()].some((n) => n.isRoot);
  const root: JsNode | undefined = manifest.name && !hasRoot ? { key: '', name: manifest.name, version: manifest.version ?? '', location: manifest.path, isRoot: true, deps: new Set<string>() } : undefined;
  graph.rootDeps = [];
  for (const d of declaredDeps(manifest)) {
    const key = resolve(d.name, d.range);
    if (key === undefined) continue;
    graph.rootDeps.push({ key, kind: d.kind });
    root?.deps.add(key);
  }
  if (root) {
    root.location = path;
    graph.nodes.set('', root);
  }
}

function readClassic(text: string, path: string, manifest: Manifest | undefined): JsGraph {
  const nodes = new Map<string, JsNode>();
  const bySpec = new Map<string, string>();
  const depsOf = new Map<string, [string, string][]>();
  for (const e of parseYarnV1(text)) {
    const version = e.fields.version;
    const first = e.specs[0];
    if (!version || !first) continue;
    const resolved = e.fields.resolved || undefined;
    const name = (resolved && nameFromTarballUrl(resolved)) || splitDescriptor(first).name;
    const key = `${name}@${version}`;
    if (!nodes.has(key)) {
      nodes.set(key, { key, name, version, location: path, resolved, integrity: e.fields.integrity || undefined, deps: new Set<string>() });
      depsOf.set(key, []);
    }
    for (const s of e.specs) bySpec.set(s, key);
    for (const b of ['dependencies', 'optionalDependencies']) for (const [n, r] of Object.entries(e.blocks[b] ?? {})) depsOf.get(key)!.push([n, r]);
  }
  for (const [key, deps] of depsOf) {
    const node = nodes.get(key)!;
    for (const [n, r] of deps) {
      const t = bySpec.get(`${n}@${r}`);
      if (t && t !== key) node.deps.add(t);
    }
  }
  const graph: JsGraph = { source: 'yarn', nodes };
  rootFromManifest(graph, manifest, (n, r) => bySpec.get(`${n}@${r}`), path);
  return graph;
}

function readBerry(text: string, path: string, manifest: Manifest | undefined, warnings: Warnings): JsGraph | undefined {
  let doc: unknown;
  try {
    // Real berry lockfiles repeat keys now and then; the last one wins, as in yarn itself.
    doc = parseYaml(text, { uniqueKeys: false, maxAliasCount: 100 });
  } catch (err) {
    warnings.add('yarn-malformed-lock', `${path}: not a valid yarn berry lockfile (${(err as Error).message}); skipped`, { path });
    return undefined;
  }
  if (!isObj(doc)) {
    warnings.add('yarn-malformed-lock', `${path}: expected a mapping at the top; skipped`, { path });
    return undefined;
  }
  const nodes = new Map<string, JsNode>();
  const bySpec = new Map<string, string>();
  const depsOf = new Map<string, [string, string][]>();
  const workspaces: string[] = [];
  for (const [rawKey, v] of Object.entries(doc)) {
    if (rawKey === '__metadata' || !isObj(v)) continue;
    const specs = rawKey.split(',').map((s) => s.trim()).filter(Boolean);
    const first = specs[0];
    const version = str(v.version);
    if (!first || version === undefined) continue;
    const { name: keyName, range } = splitDescriptor(first);
    if (BERRY_SKIP.test(range)) continue;
    // "alias@npm:real@^1.0.0": the package is the real one.
    let name = keyName;
    if (range.startsWith('npm:')) {
      const rest = range.slice(4);
      const at = rest.lastIndexOf('@');
      if (at > 0) name = rest.slice(0, at);
    }
    const isRoot = range.startsWith('workspace:');
    const key = isRoot ? `${name}@${range}` : `${name}@${version}`;
    if (!nodes.has(key)) {
      nodes.set(key, {
        key,
        name,
        version,
        location: path,
        isRoot: isRoot || undefined,
        resolved: str(v.resolution),
        integrity: str(v.checksum),
        deps: new Set<string>(),
      });
      depsOf.set(key, []);
      if (isRoot) workspaces.push(key);
    }
    for (const s of specs) bySpec.set(s, key);
    for (const b of ['dependencies', 'optionalDependencies']) {
      const deps = v[b];
      if (!isObj(deps)) continue;
      for (const [n, r] of Object.entries(deps)) if (str(r) !== undefined) depsOf.get(key)!.push([n, str(r)!]);
    }
  }
  // Dependencies are written without the default npm: protocol their descriptors carry.
  const resolve = (n: string, r: string) => bySpec.get(`${n}@${r}`) ?? bySpec.get(`${n}@npm:${r}`);
  for (const [key, deps] of depsOf) {
    const node = nodes.get(key)!;
    for (const [n, r] of deps) {
      const t = resolve(n, r);
      if (t && t !== key) node.deps.add(t);
    }
  }
  const graph: JsGraph = { source: 'yarn', nodes };
  if (manifest) rootFromManifest(graph, manifest, resolve, path);
  else if (workspaces.length) {
    // The workspace entries list what the project depends on (dev and prod alike).
    const rootDeps: { key: string; kind: RootDepKind }[] = [];
    for (const w of workspaces) for (const d of nodes.get(w)!.deps) rootDeps.push({ key: d, kind: 'prod' });
    graph.rootDeps = rootDeps;
  }
  return graph;
}
