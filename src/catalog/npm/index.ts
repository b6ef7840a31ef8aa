import { posix } from 'node:path';
import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import type { Warnings } from '../../util/errors.js';
import type { CatalogContext, Cataloger } from '../types.js';
import type { JsGraph } from './graph.js';
import { mergeProject } from './merge.js';
import { isInstalledManifest, owningProject, readNodeModules } from './node-modules.js';
import { readManifest, type Manifest } from './package-json.js';
import { readPackageLock } from './package-lock.js';
import { readPnpmLock } from './pnpm-lock.js';
import { readYarnLock } from './yarn-lock.js';
import { appendAll } from '../../util/arrays.js';

import { npmSpec } from './spec.js';

export const NPM_CATALOGER = npmSpec.name;

export interface NpmCatalogerOptions {
  /** Report dev-only packages (flagged metadata.dev = true). Default true. */
  includeDev?: boolean;
  /** Report the project itself (relationship 'root'). Default true. */
  includeRoot?: boolean;
}

/** Lockfiles in the order they are read for a project (npm's own first). */
const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml'] as const;
type LockName = (typeof LOCKFILES)[number];

const READERS: Record<LockName, (text: string, path: string, m: Manifest | undefined, w: Warnings) => JsGraph | undefined> = {
  'package-lock.json': readPackageLock,
  'npm-shrinkwrap.json': readPackageLock,
  'yarn.lock': readYarnLock,
  'pnpm-lock.yaml': readPnpmLock,
};

interface ProjectFiles {
  manifestPath?: string;
  /** A distribution's Node library folder (/usr/share/nodejs): packages sit directly in it. */
  system?: boolean;
  locks: { name: LockName; path: string }[];
  installed: string[];
}

/**
 * Distributions install Node libraries as packages of their own, straight into a nodejs folder
 * (Debian: /usr/share/nodejs/<name>, /usr/lib/nodejs/<name>, /usr/lib/<triplet>/nodejs/<name>).
 */
const SYSTEM_PACKAGE = /^(\/usr\/(?:share|lib(?:\/[^/]+)?)\/nodejs)\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;

/** Anything deeper inside a distribution's Node package (its own helper package.json files). */
const SYSTEM_INSIDE = /^\/usr\/(?:share|lib(?:\/[^/]+)?)\/nodejs\/(?:@[^/]+\/)?[^/@.][^/]*\/./;

/** A directory whose only npm content is node_modules, named lib: a global install prefix. */
function isGlobalPrefix(dir: string): boolean {
  return posix.basename(dir) === 'lib';
}

function collect(tree: FileTree): Map<string, ProjectFiles> {
  const projects = new Map<string, ProjectFiles>();
  const get = (dir: string) => {
    let p = projects.get(dir);
    if (!p) projects.set(dir, (p = { locks: [], installed: [] }));
    return p;
  };
  for (const node of tree.captured()) {
    if (node.type !== 'file') continue;
    const base = posix.basename(node.path);
    const inModules = node.path.includes('/node_modules/');
    const sys = inModules ? null : SYSTEM_PACKAGE.exec(node.path);
    if (base === 'package.json' && sys) {
      const p = get(sys[1]);
      p.system = true;
      p.installed.push(node.path);
    } else if (base === 'package.json') {
      if (inModules) {
        if (isInstalledManifest(node.path)) get(owningProject(node.path)).installed.push(node.path);
      } else if (!SYSTEM_INSIDE.test(node.path)) get(posix.dirname(node.path)).manifestPath = node.path;
    } else if ((LOCKFILES as readonly string[]).includes(base) && !inModules) {
      get(posix.dirname(node.path)).locks.push({ name: base as LockName, path: node.path });
    }
  }
  return projects;
}

function catalogProject(tree: FileTree, dir: string, files: ProjectFiles, opts: Required<NpmCatalogerOptions>, warnings: Warnings): Package[] {
  let manifest: Manifest | undefined;
  if (files.manifestPath) {
    const text = tree.readText(files.manifestPath);
    if (text !== undefined) manifest = readManifest(text, files.manifestPath, warnings);
  }
  const graphs: JsGraph[] = [];
  const locks = [...files.locks].sort((a, b) => LOCKFILES.indexOf(a.name) - LOCKFILES.indexOf(b.name));
  for (const lock of locks) {
    const text = tree.readText(lock.path);
    if (text === undefined) continue;
    try {
      const g = READERS[lock.name](text, lock.path, manifest, warnings);
      if (g) graphs.push(g);
    } catch (err) {
      warnings.add('npm-lock-failed', `${lock.path}: could not be read (${(err as Error).message}); skipped`, { path: lock.path });
    }
  }
  if (files.installed.length) {
    const installed = [...files.installed].sort();
    const layout = files.system ? 'system' : !manifest && !locks.length && isGlobalPrefix(dir) ? 'global' : 'project';
    graphs.push(readNodeModules(tree, dir, installed, manifest, layout, warnings));
  }
  return mergeProject({ dir, manifest, graphs }, { includeDev: opts.includeDev, includeRoot: opts.includeRoot, foundBy: NPM_CATALOGER });
}

/**
 * A workspace member (/mono/packages/web) is a project of its own and also a root entry of the
 * enclosing project's lockfile. Report it once: the inner project's root folds into the
 * outer project's package of the same name@version, and references to it follow.
 */
function foldWorkspaceRoots(earlier: Package[], dir: string, found: Package[]): Package[] {
  const remap = new Map<string, Package>();
  for (const p of found) {
    if (p.relationship !== 'root') continue;
    const outer = earlier.find((q) => q.relationship === 'root' && q.name === p.name && q.version === p.version && q.id.startsWith('npm:') && isInside(dir, projectOf(q)));
    if (!outer) continue;
    for (const l of p.locations) if (!outer.locations.some((o) => o.path === l.path)) outer.locations.push(l);
    remap.set(p.id, outer);
  }
  if (!remap.size) return found;
  const fix = (ids?: string[]) => {
    if (!ids) return undefined;
    const out = [...new Set(ids.map((id) => remap.get(id)?.id ?? id))];
    return out.length ? out : undefined;
  };
  const kept = found.filter((p) => !remap.has(p.id));
  for (const p of kept) {
    p.dependsOn = fix(p.dependsOn);
    p.dependencyOf = fix(p.dependencyOf);
    if (!p.dependsOn) delete p.dependsOn;
    if (!p.dependencyOf) delete p.dependencyOf;
  }
  for (const [innerId, outer] of remap) {
    const inner = found.find((p) => p.id === innerId)!;
    const deps = new Set([...(outer.dependsOn ?? []), ...(fix(inner.dependsOn) ?? [])]);
    if (deps.size) outer.dependsOn = [...deps];
  }
  return kept;
}

function projectOf(p: Package): string {
  return (p.metadata?.project as string | undefined) ?? '';
}

function isInside(dir: string, ancestor: string): boolean {
  return ancestor !== '' && (ancestor === '/' ? dir !== '/' : dir.startsWith(ancestor + '/'));
}

/**
 * One cataloger for the JavaScript ecosystem: installed node_modules packages, package-lock /
 * npm-shrinkwrap (v1-v3), yarn.lock (classic and berry) and pnpm-lock.yaml (5, 6, 9), read per
 * project so a package described by several of them is reported once.
 */
export function createNpmCataloger(options: NpmCatalogerOptions = {}): Cataloger {
  const opts: Required<NpmCatalogerOptions> = { includeDev: options.includeDev ?? true, includeRoot: options.includeRoot ?? true };
  return {
    ...npmSpec,
    catalog(tree: FileTree, ctx: CatalogContext): Package[] {
      const out: Package[] = [];
      const projects = collect(tree);
      for (const dir of [...projects.keys()].sort()) {
        try {
          appendAll(out, foldWorkspaceRoots(out, dir, catalogProject(tree, dir, projects.get(dir)!, opts, ctx.warnings)));
        } catch (err) {
          ctx.warnings.add('npm-project-failed', `${dir}: JavaScript packages could not be read (${(err as Error).message})`, { path: dir });
        }
      }
      return out;
    },
  };
}

export const npmCataloger: Cataloger = createNpmCataloger();

export const javascriptCatalogers: Cataloger[] = [npmCataloger];

export default npmCataloger;
