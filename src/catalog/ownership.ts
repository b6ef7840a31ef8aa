import type { FileTree } from '../image/filetree.js';
import type { Package } from '../sbom/model.js';
import { APK_DB_PATHS } from './apk/spec.js';
import { DPKG_STATUS_D } from './dpkg/spec.js';

/*
 * Which OS package installed which file. A language package whose evidence an OS package
 * installed (a Python dist-info shipped by a deb, a jar from an Alpine package) is marked
 * `ownedBy` that OS package, so matching lets the distribution's advisories decide for it.
 * The files read for it are selection.ts's ownershipCapture.
 */

const OS_TYPES = new Set(['deb', 'apk', 'rpm']);

/**
 * Files an OS package installed, when its database lists them inline (rpm headers). Kept
 * beside the package, not in it, so SBOMs do not carry thousands of paths per package.
 */
const installedFiles = new WeakMap<Package, readonly string[]>();

export function recordInstalledFiles(p: Package, files: readonly string[]): void {
  if (files.length) installedFiles.set(p, files);
}

/** path → id of the OS package that installed it. */
export function fileOwners(tree: FileTree, packages: Package[]): Map<string, string> {
  const owners = new Map<string, string>();
  const debs = new Map<string, Package>();
  const apks = new Map<string, Package>();
  for (const p of packages) {
    if (p.type === 'deb') debs.set(p.name, p);
    else if (p.type === 'apk') apks.set(p.name, p);
    for (const f of installedFiles.get(p) ?? []) if (!owners.has(f)) owners.set(f, p.id);
  }
  if (debs.size) {
    for (const n of tree.list('/var/lib/dpkg/info')) {
      const m = /^([^/:]+)(?::[^/]+)?\.list$/.exec(n.path.slice('/var/lib/dpkg/info/'.length));
      const owner = m ? debs.get(m[1]) : undefined;
      const text = owner ? tree.readText(n.path) : undefined;
      if (!owner || !text) continue;
      for (const line of text.split('\n')) if (line.startsWith('/') && !owners.has(line)) owners.set(line, owner.id);
    }
    // Distroless images keep no .list files, only "<md5>  <path from the root>" lines beside
    // each status.d entry.
    for (const n of tree.list(DPKG_STATUS_D)) {
      const m = /^([^/:]+)(?::[^/]+)?\.md5sums$/.exec(n.path.slice(DPKG_STATUS_D.length + 1));
      const owner = m ? debs.get(m[1]) : undefined;
      const text = owner ? tree.readText(n.path) : undefined;
      if (!owner || !text) continue;
      for (const line of text.split('\n')) {
        const at = line.indexOf('  ');
        const path = at > 0 ? '/' + line.slice(at + 2).trim() : '';
        if (path.length > 1 && !owners.has(path)) owners.set(path, owner.id);
      }
    }
  }
  if (apks.size) {
    for (const db of APK_DB_PATHS) {
      const text = tree.readText(db);
      if (!text) continue;
      let owner: Package | undefined;
      let dir = '';
      for (const line of text.split('\n')) {
        if (line.startsWith('P:')) owner = apks.get(line.slice(2));
        else if (line === '') owner = undefined;
        else if (line.startsWith('F:')) dir = '/' + line.slice(2);
        else if (line.startsWith('R:') && owner) owners.set(`${dir}/${line.slice(2)}`, owner.id);
      }
    }
  }
  return owners;
}

/** Set `ownedBy` on language packages whose first evidence file an OS package installed. */
export function linkOwners(tree: FileTree, packages: Package[]): void {
  const owners = fileOwners(tree, packages);
  if (owners.size === 0) return;
  for (const p of packages) {
    if (OS_TYPES.has(p.type) || p.ownedBy) continue;
    for (const loc of p.locations) {
      const owner = owners.get(loc.path);
      if (owner) {
        p.ownedBy = owner;
        break;
      }
    }
  }
}
