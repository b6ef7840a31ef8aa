import { posix } from 'node:path';
import type { FileTree } from '../../image/filetree.js';
import type { DistroInfo, Package } from '../../sbom/model.js';
import type { Warnings } from '../../util/errors.js';
import { readDistro } from '../os-release.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { parseRelations, parseStanzas, splitRelationField, type Stanza } from './control.js';
import { licensesFromCopyright } from './copyright.js';
import { autoInstalled } from './extended-states.js';
import { linkByName } from './package-links.js';
import { debPurl } from './purl.js';
import { parseSourceField, splitDebVersion } from './version.js';
import { appendAll } from '../../util/arrays.js';
import { warnIfCapped } from '../limits.js';

import { DPKG_STATUS, DPKG_STATUS_D, dpkgSpec, EXTENDED_STATES_PATH } from './spec.js';

const FOUND_BY = dpkgSpec.name;

/** Files beside distroless status.d entries that are not package stanzas. */
const STATUS_D_SKIP = /\.(md5sums|preinst|postinst|prerm|postrm|conffiles|list|shlibs|symbols|triggers|templates|config)$/;

const MAX_NAME = 256;

/** One installed package read from a stanza, before dependency links are resolved. */
interface DebRecord {
  name: string;
  version: string;
  arch?: string;
  stanza: Stanza;
  statusPath: string;
}

export const dpkgCataloger: Cataloger = {
  ...dpkgSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const distro = ctx.distro ?? readDistro(tree);
    const records: DebRecord[] = [];
    for (const path of statusFiles(tree)) {
      const buf = tree.read(path);
      if (!buf) continue;
      appendAll(records, readStatusFile(buf.toString('utf8'), path, ctx.warnings));
    }
    if (!records.length) return [];
    const auto = readAuto(tree, ctx.warnings);
    const pkgs = toPackages(records, tree, distro, auto);
    return linkByName(pkgs);
  },
};

export default dpkgCataloger;

function statusFiles(tree: FileTree): string[] {
  const out: string[] = [];
  if (tree.stat(DPKG_STATUS)?.type === 'file') out.push(DPKG_STATUS);
  for (const n of tree.list(DPKG_STATUS_D)) {
    const base = posix.basename(n.path);
    if (base.startsWith('.') || STATUS_D_SKIP.test(base)) continue;
    if (tree.stat(n.path)?.type === 'file') out.push(posix.join(DPKG_STATUS_D, base));
  }
  return out;
}

/** Installed packages of one status file; malformed stanzas are reported and skipped. */
export function readStatusFile(text: string, path: string, warnings: Warnings): DebRecord[] {
  const out: DebRecord[] = [];
  const stanzas = parseStanzas(text);
  warnIfCapped(stanzas.length, path, warnings, 'stanzas');
  for (const st of stanzas) {
    const name = st.fields.get('package') ?? '';
    const version = st.fields.get('version') ?? '';
    const problem =
      st.error ??
      (!name ? 'no Package field' : undefined) ??
      (!validToken(name) ? `bad package name ${JSON.stringify(name.slice(0, 80))}` : undefined) ??
      (!version ? `package ${name} has no Version field` : undefined) ??
      (!validToken(version) ? `package ${name} has a bad version` : undefined);
    if (problem) {
      warnings.add('dpkg-malformed-stanza', `${path}: stanza at line ${st.line} skipped: ${problem}`, { path });
      continue;
    }
    if (!isInstalled(st.fields.get('status'))) continue;
    out.push({ name, version, arch: st.fields.get('architecture') || undefined, stanza: st, statusPath: path });
  }
  return out;
}

function validToken(s: string): boolean {
  if (s.length === 0 || s.length > MAX_NAME || /\s/.test(s)) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return false;
  return true;
}

/** "want flag status": only the "installed" state counts; status.d entries have no Status. */
function isInstalled(status: string | undefined): boolean {
  if (status === undefined) return true;
  const words = status.trim().split(/\s+/);
  return words[words.length - 1] === 'installed';
}

/** apt's automatically installed packages; undefined when apt kept no (readable) record. */
function readAuto(tree: FileTree, warnings: Warnings): Set<string> | undefined {
  const buf = tree.read(EXTENDED_STATES_PATH);
  if (!buf) return undefined;
  try {
    return autoInstalled(buf.toString('utf8'));
  } catch (err) {
    warnings.fromError(err, 'dpkg-extended-states', { path: EXTENDED_STATES_PATH });
    return undefined;
  }
}

function toPackages(records: DebRecord[], tree: FileTree, distro: DistroInfo | undefined, auto: Set<string> | undefined): Package[] {
  const installed = new Set(records.map((r) => r.name));
  // Virtual package name → real installed packages providing it.
  const providers = new Map<string, Set<string>>();
  for (const r of records) {
    for (const group of parseRelations(r.stanza.fields.get('provides'))) {
      for (const v of group) {
        if (!providers.has(v)) providers.set(v, new Set());
        providers.get(v)!.add(r.name);
      }
    }
  }
  const resolve = (field: string | undefined, self: string): string[] => {
    const names = new Set<string>();
    for (const group of parseRelations(field)) {
      for (const alt of group) {
        if (installed.has(alt)) names.add(alt);
        else for (const p of providers.get(alt) ?? []) names.add(p);
      }
    }
    names.delete(self);
    return [...names].sort();
  };

  return records.map((r) => {
    const f = r.stanza.fields;
    const v = splitDebVersion(r.version);
    const srcField = parseSourceField(f.get('source'));
    const source = { name: srcField?.name ?? r.name, version: srcField?.version ?? r.version };
    const copyrightPath = `/usr/share/doc/${r.name}/copyright`;
    const copyright = tree.read(copyrightPath);
    const licenses = copyright ? licensesFromCopyright(copyright.toString('utf8')) : [];
    const sizeKiB = parseInstalledSize(f.get('installed-size'));
    const description = f.get('description');
    const summary = description?.split('\n')[0].trim();
    const depends = splitRelationField(f.get('depends'));
    const preDepends = splitRelationField(f.get('pre-depends'));
    const provides = splitRelationField(f.get('provides'));
    const isAuto = !!auto && (auto.has(r.name) || (r.arch !== undefined && auto.has(`${r.name}:${r.arch}`)));
    const dependsOn = resolve([f.get('pre-depends'), f.get('depends')].filter(Boolean).join(', '), r.name);

    const pkg: Package = {
      id: '',
      name: r.name,
      namespace: distro?.id ?? 'debian',
      version: r.version,
      type: 'deb',
      purl: debPurl(r.name, r.version, r.arch, distro, source),
      licenses,
      locations: [{ path: r.statusPath }, ...(copyright ? [{ path: copyrightPath }] : [])],
      // apt's record when it kept one; otherwise linkByName infers it from the links.
      ...(auto ? { relationship: isAuto ? 'transitive' : 'direct' } : {}),
      source,
      foundBy: FOUND_BY,
      metadata: {
        package: r.name,
        version: r.version,
        ...(v.epoch !== undefined ? { epoch: v.epoch } : {}),
        upstreamVersion: v.upstream,
        ...(v.revision !== undefined ? { revision: v.revision } : {}),
        ...(r.arch ? { architecture: r.arch } : {}),
        source: source.name,
        sourceVersion: source.version,
        ...(f.get('maintainer') ? { maintainer: f.get('maintainer') } : {}),
        ...(sizeKiB !== undefined ? { installedSizeKiB: sizeKiB } : {}),
        ...(summary ? { summary } : {}),
        ...(f.get('status') ? { status: f.get('status') } : {}),
        depends,
        preDepends,
        provides,
      },
    };
    const maintainer = f.get('maintainer');
    if (maintainer) pkg.author = maintainer;
    if (description) pkg.description = formatDescription(description);
    if (sizeKiB !== undefined) pkg.size = sizeKiB * 1024;
    if (dependsOn.length) pkg.dependsOn = dependsOn;
    return pkg;
  });
}

function parseInstalledSize(s: string | undefined): number | undefined {
  if (!s || !/^\d{1,12}$/.test(s.trim())) return undefined;
  return Number(s.trim());
}

/** Control-file descriptions: first line is the synopsis; a lone "." in the body is a blank line. */
function formatDescription(d: string): string {
  return d
    .split('\n')
    .map((l, i) => (i === 0 ? l.trim() : l.trim() === '.' ? '' : l))
    .join('\n')
    .trim();
}
