import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import { purlFor } from '../../sbom/purl.js';
import type { Warnings } from '../../util/errors.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { appendAll } from '../../util/arrays.js';
import { MAX_ENTRIES_PER_FILE } from '../limits.js';
import { dotnetSpec } from './spec.js';

const FOUND_BY = dotnetSpec.name;
const DEPS = /\.deps\.json$/;
/** The SDK's name prefix for the runtime bundled into a self-contained app. */
const RUNTIME_PACK = 'runtimepack.';
const MAX_LIBRARIES = MAX_ENTRIES_PER_FILE;

interface TargetLib {
  dependencies?: Record<string, unknown>;
  runtime?: unknown;
  runtimeTargets?: unknown;
  native?: unknown;
}

interface DepsFile {
  runtimeTarget?: { name?: unknown };
  targets?: Record<string, Record<string, TargetLib> | undefined>;
  libraries?: Record<string, { type?: unknown; sha512?: unknown; path?: unknown; hashPath?: unknown } | undefined>;
}

/**
 * .NET *.deps.json: the assemblies an application loads. Libraries of type package (NuGet),
 * project (the application and the projects of its solution) and runtimepack (the runtime of
 * a self-contained app) are reported. When the runtime target's section is there:
 *  - libraries it lists without any runtime, runtimeTargets or native assets are left out
 *    (reference-only packages, metapackages: nothing of them is on disk);
 *  - the root project is the one project no library depends on; the root's dependencies are
 *    'direct', every other library 'transitive'; other projects are workspace members
 *    (metadata.workspace, no relationship);
 *  - dependsOn comes from each library's dependencies.
 * Without it every library is reported, with no relationships or links.
 */
export const dotnetCataloger: Cataloger = {
  ...dotnetSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const out: Package[] = [];
    const paths = [...tree.captured()].filter((n) => n.type === 'file' && DEPS.test(n.path)).map((n) => n.path).sort();
    for (const path of paths) {
      const text = tree.readText(path);
      if (text === undefined) continue;
      try {
        appendAll(out, readDeps(text, path, out.length, ctx.warnings));
      } catch (err) {
        ctx.warnings.fromError(err, 'dotnet-deps', { path });
      }
    }
    return out;
  },
};

export default dotnetCataloger;

function stripPack(name: string): string {
  return name.startsWith(RUNTIME_PACK) ? name.slice(RUNTIME_PACK.length) : name;
}

function key(name: string, version: string): string {
  return `${stripPack(name)}/${version}`;
}

function nonEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return v !== '' && v !== false && v !== 0;
}

function readDeps(text: string, path: string, base: number, warnings: Warnings): Package[] {
  let deps: DepsFile;
  try {
    deps = JSON.parse(text) as DepsFile;
  } catch {
    warnings.add('dotnet-invalid-json', `${path}: not valid JSON; skipped`, { path });
    return [];
  }
  if (!deps || typeof deps !== 'object' || !deps.libraries || typeof deps.libraries !== 'object') {
    warnings.add('dotnet-no-libraries', `${path}: no "libraries" object; skipped`, { path });
    return [];
  }
  const targetName = typeof deps.runtimeTarget?.name === 'string' ? deps.runtimeTarget.name : undefined;
  const rawTarget = targetName !== undefined && deps.targets && typeof deps.targets === 'object' ? deps.targets[targetName] : undefined;
  const target = new Map<string, TargetLib>();
  if (rawTarget && typeof rawTarget === 'object') {
    for (const [k, v] of Object.entries(rawTarget)) {
      const slash = k.indexOf('/');
      if (slash > 0 && v && typeof v === 'object') target.set(key(k.slice(0, slash), k.slice(slash + 1)), v);
    }
  }
  const haveTarget = target.size > 0 || (rawTarget !== undefined && rawTarget !== null);

  const pkgs = new Map<string, Package>();
  const projects: string[] = [];
  let bad = 0;
  const libraries = Object.entries(deps.libraries);
  if (libraries.length > MAX_LIBRARIES) {
    warnings.add('dotnet-too-many-libraries', `${path}: ${libraries.length} libraries, over the limit of ${MAX_LIBRARIES}; only the first ${MAX_LIBRARIES} are read`, { path });
  }
  for (const [nameVer, lib] of libraries.slice(0, MAX_LIBRARIES)) {
    const slash = nameVer.indexOf('/');
    const libType = typeof lib?.type === 'string' ? lib.type.toLowerCase() : '';
    if (slash <= 0 || slash === nameVer.length - 1 || /\s/.test(nameVer) || nameVer.length > 512) {
      bad++;
      continue;
    }
    if (!['package', 'project', 'runtimepack'].includes(libType)) continue;
    const name = stripPack(nameVer.slice(0, slash));
    const version = nameVer.slice(slash + 1);
    const id = key(name, version);
    if (haveTarget) {
      const t = target.get(id);
      // A library the target does not list at all is kept: better reported than missed.
      if (t && !nonEmpty(t.runtime) && !nonEmpty(t.runtimeTargets) && !nonEmpty(t.native)) continue;
    }
    const metadata: Record<string, unknown> = { name, version, libraryType: libType };
    if (typeof lib?.sha512 === 'string' && lib.sha512) metadata.sha512 = lib.sha512;
    if (typeof lib?.path === 'string') metadata.path = lib.path;
    if (typeof lib?.hashPath === 'string') metadata.hashPath = lib.hashPath;
    if (targetName) metadata.runtimeTarget = targetName;
    pkgs.set(id, {
      id: `dotnet:${base + pkgs.size}`,
      name,
      version,
      type: 'nuget',
      purl: purlFor({ type: 'nuget', name, version }),
      licenses: [],
      locations: [{ path }],
      foundBy: FOUND_BY,
      metadata,
    });
    if (libType === 'project') projects.push(id);
  }
  if (bad) warnings.add('dotnet-bad-library', `${path}: ${bad} librar${bad === 1 ? 'y name is' : 'y names are'} not "Name/Version"; skipped`, { path });

  // The root project: the one project nothing depends on.
  const referenced = new Set<string>();
  for (const t of target.values()) for (const [n, v] of depsOf(t)) referenced.add(key(n, v));
  const roots = projects.filter((p) => !referenced.has(p));
  const root = roots.length === 1 ? roots[0] : undefined;
  for (const p of projects) {
    if (p === root) pkgs.get(p)!.relationship = 'root';
    else pkgs.get(p)!.metadata!.workspace = true;
  }
  if (!haveTarget) return [...pkgs.values()];

  const rootLib = root ? target.get(root) : undefined;
  const direct = new Set(rootLib ? depsOf(rootLib).map(([n, v]) => key(n, v)) : []);
  const dependents = new Map<Package, Set<string>>();
  for (const [id, p] of pkgs) {
    // Without a root that has dependencies the file is odd: say nothing rather than guess.
    if (direct.size && !p.relationship && !p.metadata?.workspace) p.relationship = direct.has(id) ? 'direct' : 'transitive';
    const t = target.get(id);
    if (!t) continue;
    const on = depsOf(t).map(([n, v]) => pkgs.get(key(n, v))).filter((q): q is Package => !!q && q !== p);
    if (!on.length) continue;
    p.dependsOn = [...new Set(on.map((q) => q.id))];
    // A Set per package while linking: appending to an array copied each time is quadratic
    // when many libraries depend on one.
    for (const q of on) {
      let s = dependents.get(q);
      if (!s) dependents.set(q, (s = new Set()));
      s.add(p.id);
    }
  }
  for (const [q, s] of dependents) q.dependencyOf = [...s];
  return [...pkgs.values()];
}

function depsOf(t: TargetLib): [string, string][] {
  if (!t.dependencies || typeof t.dependencies !== 'object') return [];
  return Object.entries(t.dependencies).filter((e): e is [string, string] => typeof e[1] === 'string');
}
