import type { FileTree } from '../../image/filetree.js';
import type { DistroInfo, Package } from '../../sbom/model.js';
import { ScoutError, type Warnings } from '../../util/errors.js';
import { normaliseLicense } from '../../sbom/license.js';
import { distroQualifier, purlFor } from '../../sbom/purl.js';
import { readDistro } from '../os-release.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { linkByName } from '../dpkg/package-links.js';
import { readBdbHash } from './bdb.js';
import { RpmHeader, TAG } from './header.js';
import { readNdb } from './ndb.js';
import { readSqliteRpmdb } from './sqlite.js';
import { recordInstalledFiles } from '../ownership.js';

import { RPMDB_DIRS, RPMDB_FILES, rpmSpec } from './spec.js';

const READERS = { 'rpmdb.sqlite': readSqliteRpmdb, 'Packages.db': readNdb, Packages: readBdbHash } satisfies Record<(typeof RPMDB_FILES)[number], unknown>;
/** Backends in the order rpm prefers them when several files sit in one directory. */
const BACKENDS = RPMDB_FILES.map((file) => ({ file, read: READERS[file] }));
const FOUND_BY = rpmSpec.name;
/** Per database, a flood of bad headers is summarised rather than reported one by one. */
const MAX_HEADER_WARNINGS = 20;

export const rpmCataloger: Cataloger = {
  ...rpmSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const distro = ctx.distro ?? readDistro(tree);
    const out: Package[] = [];
    const seenFiles = new Set<string>();
    const seenPkgs = new Set<string>();
    for (const dir of RPMDB_DIRS) {
      for (const backend of BACKENDS) {
        const path = `${dir}/${backend.file}`;
        const real = tree.realpath(path);
        if (!real || tree.stat(path)?.type !== 'file') continue;
        // /var/lib/rpm is often a symlink to /usr/lib/sysimage/rpm: read each file once.
        if (!seenFiles.has(real)) {
          seenFiles.add(real);
          const buf = tree.read(path);
          if (buf) {
            for (const p of readDatabase(buf, backend.read, real, distro, ctx.warnings)) {
              const key = `${p.name}|${p.version}|${p.metadata?.arch ?? ''}`;
              if (seenPkgs.has(key)) continue;
              seenPkgs.add(key);
              out.push(p);
            }
          }
        }
        break; // one backend per directory: rpm uses only the one it is configured for
      }
    }
    linkDependencies(out);
    return linkByName(out);
  },
};

export default rpmCataloger;

function readDatabase(
  buf: Buffer,
  read: (b: Buffer) => { blobs: Buffer[]; problems: string[] },
  path: string,
  distro: DistroInfo | undefined,
  warnings: Warnings,
): Package[] {
  let result: { blobs: Buffer[]; problems: string[] };
  try {
    result = read(buf);
  } catch (err) {
    const code = err instanceof ScoutError ? err.code : 'rpm-db';
    warnings.add(code, `${path}: ${err instanceof Error ? err.message : String(err)}`, { path });
    return [];
  }
  for (const p of result.problems) warnings.add('rpm-db-corrupt', `${path}: ${p}`, { path });
  const pkgs: Package[] = [];
  let bad = 0;
  for (const blob of result.blobs) {
    try {
      const pkg = packageFromHeader(new RpmHeader(blob), path, distro);
      if (pkg) pkgs.push(pkg);
      else bad++;
    } catch (err) {
      if (++bad <= MAX_HEADER_WARNINGS) warnings.add('rpm-header', `${path}: ${(err as Error).message}`, { path });
    }
  }
  if (bad > MAX_HEADER_WARNINGS) warnings.add('rpm-header', `${path}: ${bad} package headers in all could not be read`, { path });
  return pkgs;
}

/** dependsOn by name: each Requires resolved through the Provides of the installed packages. */
function linkDependencies(pkgs: Package[]): void {
  const providers = new Map<string, Set<string>>();
  for (const p of pkgs) {
    for (const prov of [p.name, ...((p.metadata?.provides as string[] | undefined) ?? [])]) {
      if (!providers.has(prov)) providers.set(prov, new Set());
      providers.get(prov)!.add(p.name);
    }
  }
  for (const p of pkgs) {
    const deps = new Set<string>();
    for (const req of (p.metadata?.requires as string[] | undefined) ?? []) {
      if (req.startsWith('rpmlib(')) continue;
      for (const n of providers.get(req) ?? []) deps.add(n);
    }
    deps.delete(p.name);
    if (deps.size) p.dependsOn = [...deps].sort();
  }
}

/** A package from one header; undefined for headers without a name/version and for gpg-pubkey entries. */
/** The files an rpm header says its package installed (dirnames[dirindexes[i]] + basenames[i]). */
function installedPaths(h: RpmHeader): string[] {
  const base = h.strings(TAG.BASENAMES);
  const dirs = h.strings(TAG.DIRNAMES);
  const idx = h.ints(TAG.DIRINDEXES);
  const out: string[] = [];
  for (let i = 0; i < base.length && i < idx.length; i++) {
    const d = dirs[idx[i]];
    if (d !== undefined) out.push(d + base[i]);
  }
  return out;
}

export function packageFromHeader(h: RpmHeader, path: string, distro: DistroInfo | undefined): Package | undefined {
  const name = h.string(TAG.NAME);
  const version = h.string(TAG.VERSION);
  const release = h.string(TAG.RELEASE) ?? '';
  if (!name || !version) return undefined;
  // Imported signing keys are stored as pseudo-packages; they are not software.
  if (name === 'gpg-pubkey') return undefined;
  const epoch = h.int(TAG.EPOCH);
  const arch = h.string(TAG.ARCH);
  const sourceRpm = h.string(TAG.SOURCERPM);
  const license = h.string(TAG.LICENSE);
  const vendor = h.string(TAG.VENDOR);
  const packager = h.string(TAG.PACKAGER);
  const summary = h.string(TAG.SUMMARY);
  const description = h.string(TAG.DESCRIPTION);
  const size = h.int(TAG.SIZE) ?? h.int(TAG.LONGSIZE);
  const sigmd5 = h.bin(TAG.SIGMD5);
  const vr = release ? `${version}-${release}` : version;
  const source = sourceRpm ? splitSourceRpm(sourceRpm) : undefined;
  const pkg: Package = {
    id: '',
    name,
    version: epoch !== undefined ? `${epoch}:${vr}` : vr,
    type: 'rpm',
    purl: purlFor({ type: 'rpm', namespace: distro?.id, name, version: vr, arch, epoch, distro: distroQualifier(distro), upstream: sourceRpm }),
    licenses: normaliseLicense(license),
    locations: [{ path }],
    foundBy: FOUND_BY,
    metadata: {
      name,
      version,
      release,
      epoch: epoch ?? null,
      ...(arch ? { arch } : {}),
      ...(sourceRpm ? { sourceRpm } : {}),
      ...(size !== undefined ? { size } : {}),
      ...(license ? { license } : {}),
      vendor: vendor ?? '',
      ...(packager ? { packager } : {}),
      ...(summary ? { summary } : {}),
      ...(sigmd5 ? { sigMD5: sigmd5.toString('hex') } : {}),
      ...(h.has(TAG.INSTALLTIME) ? { installTime: h.int(TAG.INSTALLTIME) } : {}),
      ...(h.has(TAG.BUILDTIME) ? { buildTime: h.int(TAG.BUILDTIME) } : {}),
      modularityLabel: h.string(TAG.MODULARITYLABEL) ?? '',
      provides: h.strings(TAG.PROVIDENAME),
      requires: h.strings(TAG.REQUIRENAME),
    },
  };
  if (distro) pkg.namespace = distro.id;
  const author = packager ?? vendor;
  if (author) pkg.author = author;
  if (description) pkg.description = description;
  else if (summary) pkg.description = summary;
  if (size !== undefined) pkg.size = size;
  if (source) pkg.source = source;
  recordInstalledFiles(pkg, installedPaths(h));
  return pkg;
}

/** "curl-7.76.0-6.cm2.src.rpm" → { name: "curl", version: "7.76.0-6.cm2" }. */
export function splitSourceRpm(s: string): { name: string; version?: string } {
  const base = s.replace(/\.(no)?src\.rpm$/, '');
  const r = base.lastIndexOf('-');
  const v = r > 0 ? base.lastIndexOf('-', r - 1) : -1;
  if (v <= 0) return { name: base };
  return { name: base.slice(0, v), version: base.slice(v + 1) };
}
