import { posix } from 'node:path';
import type { FileTree } from '../../image/filetree.js';
import type { Package } from '../../sbom/model.js';
import { purlFor } from '../../sbom/purl.js';
import type { Warnings } from '../../util/errors.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { all, first, normalizePythonName, parseHeaders, parseRequirement, type Headers } from './core-metadata.js';
import { EGG_ANALYZER, eggZipAnalyzer, type EggZipResult } from './egg-zip.js';
import { chooseLicenses, declaredLicenses } from './licenses.js';
import { parseInstalledFiles, parseRecord, resolveRecordPath } from './record.js';
import { linkByRequirements } from '../requirement-links.js';
import { pythonSpec } from './spec.js';

const FOUND_BY = pythonSpec.name;
/** Files listed per package in metadata; RECORDs of huge packages are cut here. */
const MAX_FILES_LISTED = 5_000;
const MAX_FIELD = 1024;

const DIST_INFO_META = /^(.*)\/([^/]*dist-info)\/METADATA$/i;
const EGG_INFO_META = /^(.*)\/([^/]*egg-info)\/PKG-INFO$/i;
const EGG_INFO_FILE = /^(.*)\/([^/]+\.egg-info)$/;
const EGG_ZIP = /^(.*)\/([^/]+\.egg)$/;

/** Where one distribution's metadata was found and what sits beside it. */
interface Found {
  /** The core-metadata file (or the zipped .egg). */
  path: string;
  text: string;
  /** The .dist-info / .egg-info / EGG-INFO directory, when the metadata is a directory. */
  metaDir?: string;
  /** Directory RECORD paths are relative to (site-packages, or the .egg directory). */
  siteRoot: string;
  /** Installation environment, for dependency links: site-packages (the .egg's parent for eggs). */
  envRoot: string;
  zip?: EggZipResult;
}

export const pythonCataloger: Cataloger = {
  ...pythonSpec,
  capture: { ...pythonSpec.capture, analyzers: [eggZipAnalyzer] },
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const found = findMetadata(tree);
    const pkgs: Package[] = [];
    const envOf = new Map<Package, string>();
    const requires = new Map<Package, string[]>();
    for (const f of found) {
      try {
        const r = toPackage(f, tree, ctx.warnings, pkgs.length);
        if (r) {
          pkgs.push(r.pkg);
          envOf.set(r.pkg, f.envRoot);
          requires.set(r.pkg, r.requires);
        }
      } catch (err) {
        ctx.warnings.fromError(err, 'python-metadata', { path: f.path });
      }
    }
    linkDependencies(pkgs, envOf, requires);
    return pkgs;
  },
};

export default pythonCataloger;

function findMetadata(tree: FileTree): Found[] {
  const out: Found[] = [];
  for (const n of tree.captured()) {
    if (n.type !== 'file') continue;
    let m: RegExpExecArray | null;
    if ((m = DIST_INFO_META.exec(n.path)) || (m = EGG_INFO_META.exec(n.path))) {
      const text = tree.readText(n.path);
      if (text === undefined) continue;
      const siteRoot = m[1] || '/';
      const envRoot = siteRoot.endsWith('.egg') ? posix.dirname(siteRoot) : siteRoot;
      out.push({ path: n.path, text, metaDir: posix.join(siteRoot, m[2]), siteRoot, envRoot });
    } else if ((m = EGG_INFO_FILE.exec(n.path))) {
      const text = tree.readText(n.path);
      if (text === undefined) continue;
      out.push({ path: n.path, text, siteRoot: m[1] || '/', envRoot: m[1] || '/' });
    } else if ((m = EGG_ZIP.exec(n.path))) {
      const zip = tree.analysis<EggZipResult>(n.path, EGG_ANALYZER);
      if (!zip || typeof zip.pkgInfo !== 'string') continue;
      out.push({ path: n.path, text: zip.pkgInfo, siteRoot: m[1] || '/', envRoot: m[1] || '/', zip });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function cap(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return s.length > MAX_FIELD ? s.slice(0, MAX_FIELD) + '…' : s;
}

function lines(text: string | undefined): string[] {
  return (text ?? '').split('\n').map((l) => l.replace(/\r$/, '').trim()).filter(Boolean);
}

/** requires.txt: unconditional requirements come before the first "[extra]" section. */
function requiresTxt(text: string | undefined): string[] {
  const out: string[] = [];
  for (const l of lines(text)) {
    if (l.startsWith('[')) break;
    if (!l.startsWith('#')) out.push(l);
  }
  return out;
}

interface DirectUrl {
  url?: string;
  vcs?: string;
  commitId?: string;
  editable?: boolean;
}

function readDirectUrl(tree: FileTree, path: string, warnings: Warnings): DirectUrl | undefined {
  const text = tree.readText(path);
  if (text === undefined) return undefined;
  try {
    const j = JSON.parse(text) as { url?: unknown; vcs_info?: { vcs?: unknown; commit_id?: unknown }; dir_info?: { editable?: unknown } };
    const d: DirectUrl = {};
    if (typeof j.url === 'string') d.url = cap(j.url);
    if (j.vcs_info && typeof j.vcs_info.vcs === 'string') d.vcs = j.vcs_info.vcs;
    if (j.vcs_info && typeof j.vcs_info.commit_id === 'string') d.commitId = j.vcs_info.commit_id;
    if (j.dir_info?.editable === true) d.editable = true;
    return d;
  } catch {
    warnings.add('python-direct-url', `${path}: not valid JSON; ignored`, { path });
    return undefined;
  }
}

function toPackage(f: Found, tree: FileTree, warnings: Warnings, index: number): { pkg: Package; requires: string[] } | undefined {
  const h: Headers = parseHeaders(f.text);
  const rawName = first(h, 'Name');
  const version = first(h, 'Version');
  if (!rawName || !version || !isToken(rawName) || !isToken(version)) {
    warnings.add('python-metadata-incomplete', `${f.path}: no usable Name and Version; skipped`, { path: f.path });
    return undefined;
  }
  const name = normalizePythonName(rawName);
  const meta = f.metaDir;
  const sibling = (file: string) => (meta ? tree.readText(posix.join(meta, file)) : undefined);

  const topLevel = lines(f.zip?.topLevel ?? sibling('top_level.txt'));
  const installer = lines(sibling('INSTALLER'))[0];
  const directUrl = meta ? readDirectUrl(tree, posix.join(meta, 'direct_url.json'), warnings) : undefined;

  // Files the package installed: RECORD (wheels) or installed-files.txt (pip-installed eggs).
  const files: string[] = [];
  let size: number | undefined;
  const recordPath = meta ? posix.join(meta, 'RECORD') : undefined;
  const record = recordPath ? tree.readText(recordPath) : undefined;
  if (record !== undefined) {
    for (const row of parseRecord(record)) {
      if (files.length < MAX_FILES_LISTED) files.push(resolveRecordPath(f.siteRoot, row.path));
      if (row.size !== undefined) size = (size ?? 0) + row.size;
    }
  } else if (meta) {
    const installed = sibling('installed-files.txt');
    if (installed !== undefined) for (const rel of parseInstalledFiles(installed).slice(0, MAX_FILES_LISTED)) files.push(resolveRecordPath(meta, rel));
  }

  const declared = declaredLicenses(h);
  const siblings = meta ? tree.list(meta).map((n) => posix.basename(n.path)) : [];
  const licenses = chooseLicenses(declared, meta, (p) => tree.readText(p), siblings);

  const requiresDist = all(h, 'Requires-Dist');
  const requirements = requiresDist.length ? requiresDist : requiresTxt(f.zip?.requires ?? sibling('requires.txt'));

  const qualifiers: Record<string, string | undefined> = {};
  if (directUrl?.vcs && directUrl.url) qualifiers.vcs_url = `${directUrl.vcs}+${directUrl.url}${directUrl.commitId ? '@' + directUrl.commitId : ''}`;

  const author = first(h, 'Author');
  const authorEmail = first(h, 'Author-email');
  const maintainer = first(h, 'Maintainer');
  const maintainerEmail = first(h, 'Maintainer-email');
  const summary = first(h, 'Summary');

  const metadata: Record<string, unknown> = { name: rawName, version, sitePackagesRootPath: f.siteRoot };
  const put = (k: string, v: unknown) => {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) return;
    metadata[k] = v;
  };
  put('metadataVersion', first(h, 'Metadata-Version'));
  put('author', cap(author));
  put('authorEmail', cap(authorEmail));
  put('maintainer', cap(maintainer));
  put('maintainerEmail', cap(maintainerEmail));
  put('homepage', cap(first(h, 'Home-page')));
  put('license', cap(declared.license));
  put('licenseExpression', declared.expression);
  put('classifierLicenses', declared.classifiers);
  put('licenseFiles', declared.files);
  put('requiresPython', first(h, 'Requires-Python'));
  put('requiresDist', requiresDist.map((r) => cap(r)!));
  put('providesExtra', all(h, 'Provides-Extra'));
  put('topLevelPackages', topLevel);
  put('installer', installer);
  put('directUrl', directUrl);
  put('files', files);
  if (files.length >= MAX_FILES_LISTED) metadata.filesTruncated = true;

  const pkg: Package = {
    id: `python:${index}`,
    name,
    version,
    type: 'pypi',
    purl: purlFor({ type: 'pypi', name, version, qualifiers }),
    licenses,
    locations: [{ path: f.path }, ...(recordPath && record !== undefined ? [{ path: recordPath }] : [])],
    foundBy: FOUND_BY,
    metadata,
  };
  const who = formatAuthor(author, authorEmail) ?? formatAuthor(maintainer, maintainerEmail);
  if (who) pkg.author = cap(who);
  if (summary) pkg.description = cap(summary);
  if (size !== undefined) pkg.size = size;
  return { pkg, requires: requirements };
}

/** A name or version: printable, no whitespace, bounded. */
function isToken(s: string): boolean {
  if (s.length > 256) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) <= 0x20 || s.charCodeAt(i) === 0x7f) return false;
  return true;
}

/** "Name <email>", or whichever of the two is there. */
function formatAuthor(name: string | undefined, email: string | undefined): string | undefined {
  if (name && email && !email.includes('<') && !email.includes(',')) return `${name} <${email}>`;
  return name ?? email;
}

/**
 * dependsOn from the unconditional requirements (those behind an extra are optional), linked
 * to packages installed in the same environment. Relationship without a lock file: a package
 * that no other package of its environment requires was asked for by someone ('direct'); one
 * that is required is 'transitive'. pip, setuptools and wheel come out direct that way too.
 */
function linkDependencies(pkgs: Package[], envOf: Map<Package, string>, requires: Map<Package, string[]>): void {
  const names = (p: Package) =>
    (requires.get(p) ?? []).flatMap((raw) => {
      const r = parseRequirement(raw);
      return r && !r.optional ? [r.name] : [];
    });
  linkByRequirements(pkgs, { envOf: (p) => envOf.get(p) ?? '', requires: names, key: normalizePythonName });
}
