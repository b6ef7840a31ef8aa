import { posix } from 'node:path';
import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import { normaliseLicenses } from '../../sbom/license.js';
import { purlFor } from '../../sbom/purl.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { parseGemfileLock, type GemfileLock } from './gemfile-lock.js';
import { parseGemspec } from './gemspec.js';
import { linkByRequirements } from '../requirement-links.js';

import { gemSpec } from './spec.js';

const FOUND_BY = gemSpec.name;
const GEMSPEC = /\/specifications\/(default\/)?[^/]+\.gemspec$/;
const LOCKFILE = /\/(Gemfile\.lock|gems\.locked)$/;
const MAX_FIELD = 1024;

export const gemCataloger: Cataloger = {
  ...gemSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const installed: Package[] = [];
    const envOf = new Map<Package, string>();
    const deps = new Map<Package, string[]>();
    const locks: { path: string; lock: GemfileLock }[] = [];
    for (const n of tree.captured()) {
      // Other catalogers' files are captured too: decide from the path before decoding anything.
      if (n.type !== 'file' || !(GEMSPEC.test(n.path) || LOCKFILE.test(n.path))) continue;
      const text = tree.readText(n.path);
      if (text === undefined) continue;
      try {
        if (GEMSPEC.test(n.path)) {
          const r = fromGemspec(n.path, text, installed.length);
          if (!r) {
            ctx.warnings.add('gemspec-incomplete', `${n.path}: no name or version could be read; skipped`, { path: n.path });
            continue;
          }
          installed.push(r.pkg);
          envOf.set(r.pkg, posix.dirname(n.path).replace(/\/default$/, ''));
          deps.set(r.pkg, r.deps);
        } else if (LOCKFILE.test(n.path)) {
          locks.push({ path: n.path, lock: parseGemfileLock(text) });
        }
      } catch (err) {
        ctx.warnings.fromError(err, 'gem-parse', { path: n.path });
      }
    }
    installed.sort((a, b) => (a.locations[0].path < b.locations[0].path ? -1 : 1));
    linkInstalled(installed, envOf, deps);
    return [...installed, ...fromLocks(locks, installed)];
  },
};

export default gemCataloger;

function cap(s: string | undefined): string | undefined {
  return s !== undefined && s.length > MAX_FIELD ? s.slice(0, MAX_FIELD) + '…' : s;
}

function validToken(s: string | undefined): s is string {
  return !!s && s.length <= 256 && /^[^\s]+$/.test(s);
}

function gemPurl(name: string, version: string, platform?: string): string {
  return purlFor({ type: 'gem', name, version, qualifiers: platform && platform !== 'ruby' ? { platform } : undefined });
}

function fromGemspec(path: string, text: string, index: number): { pkg: Package; deps: string[] } | undefined {
  const s = parseGemspec(text);
  if (!validToken(s.name) || !validToken(s.version)) return undefined;
  const metadata: Record<string, unknown> = { name: s.name, version: s.version };
  if (s.authors.length) metadata.authors = s.authors.map((a) => cap(a)!);
  if (s.email.length) metadata.email = s.email.map((a) => cap(a)!);
  if (s.homepage) metadata.homepage = cap(s.homepage);
  if (s.licenses.length) metadata.licenses = s.licenses;
  if (s.runtimeDependencies.length) metadata.runtimeDependencies = s.runtimeDependencies;
  if (path.includes('/specifications/default/')) metadata.defaultGem = true;
  const pkg: Package = {
    id: `gem:${index}`,
    name: s.name,
    version: s.version,
    type: 'gem',
    purl: gemPurl(s.name, s.version),
    licenses: normaliseLicenses(s.licenses),
    locations: [{ path }],
    foundBy: FOUND_BY,
    metadata,
  };
  if (s.authors.length) pkg.author = cap(s.authors.join(', '));
  const description = s.summary ?? s.description;
  if (description) pkg.description = cap(description);
  return { pkg, deps: s.runtimeDependencies };
}

/**
 * Runtime dependencies linked among the gems of one gem home. Without a lock file, a gem no
 * other installed gem depends on is taken as 'direct' and the rest as 'transitive'; a
 * Gemfile.lock naming the gem overrides that (see fromLocks).
 */
function linkInstalled(pkgs: Package[], envOf: Map<Package, string>, deps: Map<Package, string[]>): void {
  linkByRequirements(pkgs, { envOf: (p) => envOf.get(p)!, requires: (p) => deps.get(p) ?? [], key: (n) => n });
}

/** Gems of Gemfile.locks that are not installed as gemspecs; installed ones take the lock's relationship. */
function fromLocks(locks: { path: string; lock: GemfileLock }[], installed: Package[]): Package[] {
  const out: Package[] = [];
  const installedBy = new Map(installed.map((p) => [`${p.name}@${p.version}`, p]));
  for (const { path, lock } of locks.sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const local = new Map<string, Package>();
    const pending: { pkg: Package; deps: string[] }[] = [];
    for (const g of lock.gems) {
      if (!validToken(g.name) || !validToken(g.version)) continue;
      const relationship = lock.direct.has(g.name) ? 'direct' : 'transitive';
      const have = installedBy.get(`${g.name}@${g.version}`);
      if (have) {
        have.relationship = relationship;
        continue;
      }
      const pkg: Package = {
        id: `gem-lock:${out.length}`,
        name: g.name,
        version: g.version,
        type: 'gem',
        purl: gemPurl(g.name, g.version, g.platform),
        licenses: [],
        locations: [{ path }],
        relationship,
        foundBy: FOUND_BY,
        metadata: { name: g.name, version: g.version, ...(g.platform ? { platform: g.platform } : {}), lockSection: g.source },
      };
      out.push(pkg);
      local.set(g.name, pkg);
      pending.push({ pkg, deps: g.dependencies });
    }
    for (const { pkg, deps } of pending) {
      const ids = deps.map((d) => local.get(d)?.id).filter((x): x is string => !!x);
      if (ids.length) pkg.dependsOn = ids;
      for (const d of deps) {
        const q = local.get(d);
        if (q) q.dependencyOf = [...(q.dependencyOf ?? []), pkg.id];
      }
    }
  }
  return out;
}
