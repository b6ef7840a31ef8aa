import type { FileTree } from '../../image/filetree.js';
import type { DistroInfo, Package } from '../../sbom/model.js';
import type { Warnings } from '../../util/errors.js';
import { distroQualifier, purlFor } from '../../sbom/purl.js';
import { readDistro } from '../os-release.js';
import type { CatalogContext, Cataloger } from '../types.js';
import { dependencyName, parseInstalled, type ApkEntry } from './installed.js';
import { apkLicenses } from './license.js';
import { linkByName } from '../dpkg/package-links.js';
import { warnIfCapped } from '../limits.js';

import { APK_DB_PATHS, APK_WORLD, apkSpec } from './spec.js';

const FOUND_BY = apkSpec.name;
const MAX_TOKEN = 512;

export const apkCataloger: Cataloger = {
  ...apkSpec,
  catalog(tree: FileTree, ctx: CatalogContext): Package[] {
    const path = APK_DB_PATHS.find((p) => tree.stat(p)?.type === 'file');
    const buf = path ? tree.read(path) : undefined;
    if (!path || !buf) return [];
    const distro = ctx.distro ?? readDistro(tree);
    const parsed = parseInstalled(buf.toString('utf8'));
    warnIfCapped(parsed.length, path, ctx.warnings, 'entries');
    const entries = validEntries(parsed, path, ctx.warnings);
    const world = readWorld(tree);
    const pkgs = toPackages(entries, path, distro, world);
    return linkByName(pkgs);
  },
};

export default apkCataloger;

function validEntries(entries: ApkEntry[], path: string, warnings: Warnings): ApkEntry[] {
  const out: ApkEntry[] = [];
  for (const e of entries) {
    const name = e.fields.get('P') ?? '';
    const version = e.fields.get('V') ?? '';
    const problem =
      e.error ??
      (!validToken(name) ? (name ? 'bad package name' : 'no P: (name) line') : undefined) ??
      (!validToken(version) ? `package ${name} has ${version ? 'a bad' : 'no'} V: (version) line` : undefined);
    if (problem) {
      warnings.add('apk-malformed-entry', `${path}: entry at line ${e.line} skipped: ${problem}`, { path });
      continue;
    }
    out.push(e);
  }
  return out;
}

function validToken(s: string): boolean {
  if (s.length === 0 || s.length > MAX_TOKEN || /\s/.test(s)) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return false;
  return true;
}

/** Names in /etc/apk/world ("name", "name=1.2", "name@tag", "!name" excluded). */
function readWorld(tree: FileTree): Set<string> | undefined {
  const text = tree.readText(APK_WORLD);
  if (text === undefined) return undefined;
  const out = new Set<string>();
  for (const tok of text.split(/\s+/)) {
    const n = dependencyName(tok)?.replace(/@.*$/, '');
    if (n) out.add(n);
  }
  return out;
}

const tokens = (s: string | undefined): string[] => (s ? s.split(/\s+/).filter(Boolean) : []);

function toPackages(entries: ApkEntry[], path: string, distro: DistroInfo | undefined, world: Set<string> | undefined): Package[] {
  const byName = new Set(entries.map((e) => e.fields.get('P')!));
  const providers = new Map<string, Set<string>>();
  for (const e of entries) {
    for (const t of tokens(e.fields.get('p'))) {
      const n = dependencyName(t);
      if (!n) continue;
      if (!providers.has(n)) providers.set(n, new Set());
      providers.get(n)!.add(e.fields.get('P')!);
    }
  }
  return entries.map((e) => {
    const f = e.fields;
    const name = f.get('P')!;
    const version = f.get('V')!;
    const arch = f.get('A') || undefined;
    const origin = f.get('o') || undefined;
    const depends = tokens(f.get('D'));
    const provides = tokens(f.get('p'));
    const dependsOn = new Set<string>();
    for (const d of depends) {
      const n = dependencyName(d);
      if (!n) continue;
      if (byName.has(n)) dependsOn.add(n);
      else for (const p of providers.get(n) ?? []) dependsOn.add(p);
    }
    dependsOn.delete(name);
    const installedSize = numeric(f.get('I'));
    const buildTime = numeric(f.get('t'));
    const pkg: Package = {
      id: '',
      name,
      namespace: distro?.id ?? 'alpine',
      version,
      type: 'apk',
      purl: purlFor({ type: 'apk', namespace: distro?.id ?? 'alpine', name, version, arch, distro: distroQualifier(distro), upstream: origin }),
      licenses: apkLicenses(f.get('L') ?? ''),
      locations: [{ path }],
      source: origin ? { name: origin, version } : { name, version },
      foundBy: FOUND_BY,
      metadata: {
        package: name,
        version,
        ...(arch ? { architecture: arch } : {}),
        ...(origin ? { originPackage: origin } : {}),
        ...(f.get('m') ? { maintainer: f.get('m') } : {}),
        ...(f.get('U') ? { url: f.get('U') } : {}),
        ...(f.get('L') ? { license: f.get('L') } : {}),
        ...(installedSize !== undefined ? { installedSize } : {}),
        ...(numeric(f.get('S')) !== undefined ? { size: numeric(f.get('S')) } : {}),
        ...(buildTime !== undefined ? { buildTime } : {}),
        ...(f.get('c') ? { gitCommit: f.get('c') } : {}),
        ...(f.get('C') ? { checksum: f.get('C') } : {}),
        dependencies: depends,
        provides,
        fileCount: e.fileCount,
      },
    };
    if (f.get('m')) pkg.author = f.get('m');
    if (f.get('T')) pkg.description = f.get('T');
    if (installedSize !== undefined) pkg.size = installedSize;
    if (dependsOn.size) pkg.dependsOn = [...dependsOn].sort();
    if (world) pkg.relationship = world.has(name) ? 'direct' : 'transitive';
    return pkg;
  });
}

function numeric(s: string | undefined): number | undefined {
  return s && /^\d{1,15}$/.test(s.trim()) ? Number(s.trim()) : undefined;
}
