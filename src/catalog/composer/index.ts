import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import { normaliseLicenses } from '../../sbom/license.js';
import { purlFor } from '../../sbom/purl.js';
import type { Warnings } from '../../util/errors.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { linkByRequirements } from '../requirement-links.js';
import { appendAll } from '../../util/arrays.js';
import { MAX_ENTRIES_PER_FILE, warnIfCapped } from '../limits.js';
import { composerSpec } from './spec.js';

const FOUND_BY = composerSpec.name;
const INSTALLED = /^(.*)\/vendor\/composer\/installed\.json$/;
const LOCK = /^(.*)\/composer\.lock$/;
const MAX_FIELD = 1024;
const MAX_PACKAGES = MAX_ENTRIES_PER_FILE;
/** vendor/name as Packagist allows it. */
const NAME = /^[a-z0-9]([_.-]?[a-z0-9]+)*\/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$/i;

interface RawPackage {
  name?: unknown;
  version?: unknown;
  type?: unknown;
  license?: unknown;
  authors?: unknown;
  description?: unknown;
  homepage?: unknown;
  require?: unknown;
  source?: { url?: unknown; reference?: unknown };
  dist?: { url?: unknown; reference?: unknown };
}

export const composerCataloger: Cataloger = {
  ...composerSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const files = [...tree.captured()].filter((n) => n.type === 'file' && (INSTALLED.test(n.path) || LOCK.test(n.path))).map((n) => n.path).sort();
    const installedProjects = new Set(files.map((p) => INSTALLED.exec(p)?.[1]).filter((x): x is string => x !== undefined));
    const out: Package[] = [];
    for (const path of files) {
      const lock = LOCK.exec(path);
      // What vendor/ holds is what is installed; the lock of the same project would repeat it.
      if (lock && installedProjects.has(lock[1])) continue;
      const text = tree.readText(path);
      if (text === undefined) continue;
      const raw = readPackages(text, path, ctx.warnings);
      if (!raw) continue;
      appendAll(out, toPackages(raw, path, out.length, ctx.warnings));
    }
    return out;
  },
};

export default composerCataloger;

/** Composer 1 installed.json is an array; Composer 2 wraps it as {packages, dev-package-names}; a lock has packages and packages-dev. */
function readPackages(text: string, path: string, warnings: Warnings): { pkg: RawPackage; dev: boolean }[] | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    warnings.add('composer-invalid-json', `${path}: not valid JSON; skipped`, { path });
    return undefined;
  }
  const list = (v: unknown): RawPackage[] => (Array.isArray(v) ? v.filter((x): x is RawPackage => !!x && typeof x === 'object') : []);
  if (Array.isArray(j)) return list(j).map((pkg) => ({ pkg, dev: false }));
  if (j && typeof j === 'object') {
    const o = j as { packages?: unknown; 'packages-dev'?: unknown; 'dev-package-names'?: unknown };
    const devNames = new Set(Array.isArray(o['dev-package-names']) ? o['dev-package-names'].filter((x) => typeof x === 'string') : []);
    return [
      ...list(o.packages).map((pkg) => ({ pkg, dev: typeof pkg.name === 'string' && devNames.has(pkg.name) })),
      ...list(o['packages-dev']).map((pkg) => ({ pkg, dev: true })),
    ];
  }
  warnings.add('composer-unexpected-shape', `${path}: neither a package list nor an object with "packages"; skipped`, { path });
  return undefined;
}

function str(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  return v.length > MAX_FIELD ? v.slice(0, MAX_FIELD) + '…' : v;
}

function authorsOf(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const a of v.slice(0, 100)) {
    if (!a || typeof a !== 'object') continue;
    const name = str((a as { name?: unknown }).name);
    const email = str((a as { email?: unknown }).email);
    if (name && email) out.push(`${name} <${email}>`);
    else if (name ?? email) out.push((name ?? email)!);
  }
  return out;
}

function toPackages(raw: { pkg: RawPackage; dev: boolean }[], path: string, base: number, warnings: Warnings): Package[] {
  const pkgs: Package[] = [];
  const requires = new Map<Package, string[]>();
  let bad = 0;
  warnIfCapped(raw.length, path, warnings, 'packages');
  for (const { pkg: r, dev } of raw.slice(0, MAX_PACKAGES)) {
    const name = typeof r.name === 'string' ? r.name : '';
    const version = typeof r.version === 'string' ? r.version.trim() : '';
    if (!NAME.test(name) || !version || version.length > 256 || /\s/.test(version)) {
      bad++;
      continue;
    }
    const [vendor, short] = name.split('/');
    const licenses = normaliseLicenses(Array.isArray(r.license) ? r.license.filter((x): x is string => typeof x === 'string') : typeof r.license === 'string' ? [r.license] : []);
    const authors = authorsOf(r.authors);
    const metadata: Record<string, unknown> = { name, version };
    const type = str(r.type);
    if (type) metadata.type = type;
    if (dev) metadata.dev = true;
    const homepage = str(r.homepage);
    if (homepage) metadata.homepage = homepage;
    const src = str(r.source?.url);
    if (src) metadata.source = { url: src, reference: str(r.source?.reference) };
    const dist = str(r.dist?.url);
    if (dist) metadata.dist = { url: dist, reference: str(r.dist?.reference) };
    const req = r.require && typeof r.require === 'object' ? Object.keys(r.require as object).slice(0, 1000) : [];
    if (req.length) metadata.require = req;
    const p: Package = {
      id: `composer:${base + pkgs.length}`,
      name,
      namespace: vendor,
      version,
      type: 'composer',
      purl: purlFor({ type: 'composer', namespace: vendor, name: short, version }),
      licenses,
      locations: [{ path }],
      foundBy: FOUND_BY,
      metadata,
    };
    if (authors.length) p.author = authors.join(', ');
    const description = str(r.description);
    if (description) p.description = description;
    pkgs.push(p);
    requires.set(p, req);
  }
  if (bad) warnings.add('composer-bad-package', `${path}: ${bad} package entr${bad === 1 ? 'y has' : 'ies have'} no valid name or version; skipped`, { path });
  link(pkgs, requires);
  return pkgs;
}

/**
 * require links between packages of one file (platform requirements such as php and ext-*
 * match nothing). Neither installed.json nor composer.lock says what the root composer.json
 * asked for, so a package no other package requires is 'direct' and the rest 'transitive'.
 */
function link(pkgs: Package[], requires: Map<Package, string[]>): void {
  linkByRequirements(pkgs, { envOf: () => '', requires: (p) => requires.get(p) ?? [], key: (n) => n.toLowerCase() });
}

