import { posix } from 'node:path';
import type { FileTree } from '../../image/filetree.js';
import type { Warnings } from '../../util/errors.js';
import type { JsGraph, JsNode, RootDepKind } from './graph.js';
import { npmLicenses } from './license.js';
import { declaredDeps, depMap, parseJsonObject, authorOf, type Manifest } from './package-json.js';

/*
 * Installed packages: every <dir>/node_modules/[@scope/]name/package.json of one project.
 * Dependencies are resolved the way Node resolves them (nearest node_modules upward), through
 * symlinks, so pnpm's .pnpm store layout links up as well as npm's hoisted one. The tree walk
 * never follows symlinks and realpath gives up on loops, so cyclic links cannot hang this.
 */

const NM = '/node_modules/';
const MAX_UP = 256;

/** Is this path the manifest of an installed package (not a nested helper package.json)? */
export function isInstalledManifest(path: string): boolean {
  const i = path.lastIndexOf(NM);
  if (i < 0) return false;
  const rest = path.slice(i + NM.length).split('/');
  if (rest[rest.length - 1] !== 'package.json') return false;
  const nameParts = rest.slice(0, -1);
  if (nameParts.length === 1) return !nameParts[0].startsWith('.') && !nameParts[0].startsWith('@');
  return nameParts.length === 2 && nameParts[0].startsWith('@') && nameParts[0].length > 1 && !nameParts[1].startsWith('.');
}

/** The project an installed package belongs to: the directory holding the outermost node_modules. */
export function owningProject(path: string): string {
  const i = path.indexOf(NM);
  return i <= 0 ? '/' : path.slice(0, i);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function readNodeModules(
  tree: FileTree,
  projectDir: string,
  manifestPaths: string[],
  manifest: Manifest | undefined,
  /** project: a folder with node_modules; global: an `npm -g` prefix; system: a distribution's nodejs folder. */
  layout: 'project' | 'global' | 'system',
  warnings: Warnings,
): JsGraph {
  const nodes = new Map<string, JsNode>();
  const declared = new Map<string, string[]>();
  for (const path of manifestPaths) {
    const text = tree.readText(path);
    if (text === undefined) continue;
    const j = parseJsonObject(text, path, warnings);
    if (!j) continue;
    const version = str(j.version);
    const dir = posix.dirname(path);
    const name = str(j.name) ?? (dir.includes(NM) ? dir.slice(dir.lastIndexOf(NM) + NM.length) : posix.basename(dir));
    // A package.json without a version is not an installed package (a stub or a fixture).
    if (!version) continue;
    nodes.set(dir, {
      key: dir,
      name,
      version,
      location: path,
      resolved: str(j._resolved),
      integrity: str(j._integrity),
      licenses: npmLicenses(j.license, j.licenses),
      author: authorOf(j),
      description: str(j.description)?.slice(0, 4096),
      homepage: str(j.homepage),
      deps: new Set<string>(),
    });
    declared.set(dir, [...new Set([...Object.keys(depMap(j.dependencies)), ...Object.keys(depMap(j.optionalDependencies)), ...Object.keys(depMap(j.peerDependencies))])]);
  }

  const resolveFrom = (from: string, dep: string): string | undefined => {
    let d = from;
    for (let i = 0; i < MAX_UP; i++) {
      if (posix.basename(d) !== 'node_modules') {
        const real = tree.realpath(`${d === '/' ? '' : d}/node_modules/${dep}`);
        if (real !== undefined && nodes.has(real)) return real;
      }
      if (d === projectDir || d === '/') break;
      d = posix.dirname(d);
    }
    if (layout === 'system') {
      // Distribution packages find each other in the shared folder itself.
      const real = tree.realpath(`${projectDir}/${dep}`);
      if (real !== undefined && nodes.has(real)) return real;
    }
    return undefined;
  };

  for (const [dir, names] of declared) {
    const node = nodes.get(dir)!;
    for (const dep of names) {
      const t = resolveFrom(dir, dep);
      if (t !== undefined && t !== dir) node.deps.add(t);
    }
  }

  const graph: JsGraph = { source: 'node_modules', nodes };
  if (manifest) {
    graph.rootDeps = [];
    for (const d of declaredDeps(manifest)) {
      const t = resolveFrom(projectDir, d.name);
      if (t !== undefined) graph.rootDeps.push({ key: t, kind: d.kind });
    }
  } else if (layout !== 'project') {
    // `npm install -g` puts what the user asked for at the top of the prefix's node_modules;
    // a distribution puts each of its packages at the top of its nodejs folder.
    const top = `${projectDir === '/' ? '' : projectDir}/${layout === 'global' ? 'node_modules/' : ''}`;
    const rootDeps: { key: string; kind: RootDepKind }[] = [];
    for (const key of nodes.keys()) {
      const rest = key.startsWith(top) ? key.slice(top.length) : undefined;
      if (rest !== undefined && !rest.includes('node_modules/') && !rest.startsWith('.')) rootDeps.push({ key, kind: 'prod' });
    }
    graph.rootDeps = rootDeps;
  }
  return graph;
}
