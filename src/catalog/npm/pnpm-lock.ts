import type * as Yaml from 'yaml';
import { lazyRequire } from '../../util/lazy-require.js';

const yaml = lazyRequire<typeof Yaml>('yaml');
const parseYaml = (src: string, options?: Yaml.ParseOptions & Yaml.DocumentOptions & Yaml.SchemaOptions & Yaml.ToJSOptions): unknown => yaml().parse(src, options);
import type { Warnings } from '../../util/errors.js';
import type { JsGraph, JsNode, RootDepKind } from './graph.js';
import type { Manifest } from './package-json.js';
import { splitDescriptor } from './yarn-v1.js';
import { MAX_ENTRIES_PER_FILE, warnIfCapped } from '../limits.js';

/*
 * pnpm-lock.yaml in its three key formats:
 *   5.x  packages "/name/1.0.0" or "/@scope/name/1.0.0_peer-hash", importer refs "1.0.0_hash"
 *   6.x  packages "/name@1.0.0(peer@2.0.0)", importer refs { specifier, version }
 *   9.x  packages "name@1.0.0" (metadata) and snapshots "name@1.0.0(peer@2.0.0)" (the graph)
 * Importers ("." and workspace folders, or the top level before workspaces) are the project's
 * own dependencies; everything they reach is transitive.
 */

type Obj = Record<string, unknown>;
type Format = 'v5' | 'v6' | 'v9';
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

const MAX_NODES = MAX_ENTRIES_PER_FILE;

/** Drop peer-dependency suffixes: "1.0.0(react@18.2.0)" (6+) or "1.0.0_react@18.2.0" (5). */
function stripPeers(v: string, fmt: Format): string {
  const paren = v.indexOf('(');
  let out = paren >= 0 ? v.slice(0, paren) : v;
  if (fmt === 'v5') {
    const us = out.indexOf('_');
    if (us >= 0) out = out.slice(0, us);
  }
  return out;
}

/** Name and version from a package key, when the key has the registry form. */
function parseKey(key: string, fmt: Format): { name: string; version: string } | undefined {
  const k = key.replace(/^\//, '');
  if (fmt === 'v5') {
    const parts = k.split('/');
    const scoped = parts[0]?.startsWith('@');
    if (parts.length !== (scoped ? 3 : 2)) return undefined;
    const name = scoped ? `${parts[0]}/${parts[1]}` : parts[0];
    return { name, version: stripPeers(parts[parts.length - 1], fmt) };
  }
  const { name, range } = splitDescriptor(stripPeers(k, fmt));
  return name && range ? { name, version: range } : undefined;
}

function refCandidates(name: string, ref: string, fmt: Format): string[] {
  if (ref.startsWith('link:')) return [];
  if (fmt === 'v5') return ref.startsWith('/') ? [ref] : [`/${name}/${ref}`, ref];
  if (fmt === 'v6') return ref.startsWith('/') ? [ref] : [`/${name}@${ref}`, ref];
  return [`${name}@${ref}`, ref];
}

/** name → ref of a dependency map; v6+ importers write { specifier, version }. */
function refs(v: unknown): [string, string][] {
  if (!isObj(v)) return [];
  const out: [string, string][] = [];
  for (const [name, r] of Object.entries(v)) {
    const ref = isObj(r) ? str(r.version) : str(r);
    if (ref !== undefined) out.push([name, ref]);
  }
  return out;
}

export function readPnpmLock(text: string, path: string, manifest: Manifest | undefined, warnings: Warnings): JsGraph | undefined {
  let doc: unknown;
  try {
    // uniqueKeys off: the duplicate-key check compares every key with every other (quadratic).
    doc = parseYaml(text, { uniqueKeys: false, maxAliasCount: 100 });
  } catch (err) {
    warnings.add('pnpm-malformed-lock', `${path}: not valid YAML (${(err as Error).message}); skipped`, { path });
    return undefined;
  }
  if (!isObj(doc)) {
    warnings.add('pnpm-malformed-lock', `${path}: expected a mapping at the top; skipped`, { path });
    return undefined;
  }
  const lv = parseFloat(str(doc.lockfileVersion) ?? '');
  if (!Number.isFinite(lv)) {
    warnings.add('pnpm-malformed-lock', `${path}: no usable lockfileVersion; skipped`, { path });
    return undefined;
  }
  const fmt: Format = lv < 6 ? 'v5' : lv < 9 ? 'v6' : 'v9';
  const packages = isObj(doc.packages) ? doc.packages : {};
  const nodes = new Map<string, JsNode>();
  const depRefs = new Map<string, [string, string][]>();

  const addNode = (key: string, base: string, entry: Obj | undefined, graphEntry: Obj | undefined) => {
    if (nodes.size >= MAX_NODES) return;
    const parsed = parseKey(base, fmt);
    const name = str(entry?.name) ?? parsed?.name;
    if (!name) return;
    const version = str(entry?.version) ?? (parsed && !/^(file|link|https?|git\+?[a-z]*):/.test(parsed.version) ? parsed.version : '');
    const resolution = isObj(entry?.resolution) ? entry.resolution : {};
    nodes.set(key, {
      key,
      name,
      version,
      location: path,
      dev: typeof entry?.dev === 'boolean' ? entry.dev : undefined,
      resolved: str(resolution.tarball),
      integrity: str(resolution.integrity),
      deps: new Set<string>(),
    });
    depRefs.set(key, [...refs(graphEntry?.dependencies), ...refs(graphEntry?.optionalDependencies)]);
  };

  if (fmt === 'v9') {
    const snapshots = isObj(doc.snapshots) ? doc.snapshots : {};
    const covered = new Set<string>();
    for (const [key, snap] of Object.entries(snapshots)) {
      const base = stripPeers(key, fmt);
      covered.add(base);
      const entry = packages[base];
      addNode(key, base, isObj(entry) ? entry : undefined, isObj(snap) ? snap : undefined);
    }
    for (const [key, entry] of Object.entries(packages)) if (!covered.has(key) && isObj(entry)) addNode(key, key, entry, undefined);
  } else {
    for (const [key, entry] of Object.entries(packages)) if (isObj(entry)) addNode(key, key, entry, entry);
  }

  const resolve = (name: string, ref: string) => refCandidates(name, ref, fmt).find((k) => nodes.has(k));
  for (const [key, list] of depRefs) {
    const node = nodes.get(key)!;
    for (const [n, r] of list) {
      const t = resolve(n, r);
      if (t !== undefined && t !== key) node.deps.add(t);
    }
  }

  const importers: Obj[] = isObj(doc.importers) ? Object.values(doc.importers).filter(isObj) : [doc];
  const rootDeps: { key: string; kind: RootDepKind }[] = [];
  const kinds: [string, RootDepKind][] = [['dependencies', 'prod'], ['optionalDependencies', 'optional'], ['devDependencies', 'dev']];
  for (const imp of importers) {
    for (const [field, kind] of kinds) {
      for (const [n, r] of refs(imp[field])) {
        let key = resolve(n, r);
        if (key === undefined && kind !== 'dev' && !r.startsWith('link:') && !r.startsWith('/')) {
          // The project needs it in production even though the lockfile has no entry for it
          // (a trimmed lockfile): report what the importer pins. A dev-only pin with no entry
          // is left out, as nothing shows it was installed.
          key = `importer:${n}@${r}`;
          if (!nodes.has(key)) nodes.set(key, { key, name: n, version: stripPeers(r, fmt), location: path, deps: new Set<string>() });
        }
        if (key !== undefined) rootDeps.push({ key, kind });
      }
    }
  }
  if (manifest?.name) {
    nodes.set('', { key: '', name: manifest.name, version: manifest.version ?? '', location: path, isRoot: true, deps: new Set(rootDeps.map((r) => r.key)) });
  }
  warnIfCapped(nodes.size, path, warnings, 'packages');
  return { source: 'pnpm', nodes, rootDeps };
}
