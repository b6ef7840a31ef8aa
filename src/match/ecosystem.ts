/**
 * From a package in an SBOM to the advisory database's query key: which OSV ecosystem(s), which
 * package name as the advisories spell it, which installed version, and which version scheme
 * orders it.
 *
 * - Distribution packages are looked up the way the distribution publishes advisories: Debian
 *   and Ubuntu by SOURCE package and numbered release ('Debian:12', 'Ubuntu:22.04'), Alpine by
 *   origin and branch ('Alpine:v3.20'), RPM distributions by binary package and release.
 * - Language packages by their OSV names: npm with scope, PyPI PEP 503-normalised, Maven
 *   'group:artifact', Go module path (the toolchain is 'stdlib'), Packagist 'vendor/name'.
 * Anything else is "not matchable", with a reason a user can read.
 */
import { normalizePackageName } from '../advisories/ecosystems.js';
import { DEBIAN_RELEASES } from '../advisories/import/debian-tracker.js';
import type { DistroInfo, Package } from '../sbom/model.js';
import { tryParsePurl, type PurlParts } from '../sbom/purl.js';
import { schemeForEcosystem, type VersionScheme } from '../versions/index.js';

export const OS_PACKAGE_TYPES: ReadonlySet<string> = new Set(['deb', 'apk', 'rpm']);

export interface EcosystemQuery {
  /** OSV ecosystem strings to look up, exactly as feeds write them; most specific first. */
  ecosystems: string[];
  /** The package name as the advisories spell it (source package for Debian/Ubuntu/Alpine). */
  name: string;
  /** The installed version compared with the advisories' ranges. */
  version: string;
  scheme: VersionScheme;
  /** A distribution package: the distribution's advisories decide for it. */
  os: boolean;
  /** How the key was derived, for `explain`. */
  derivation: string[];
}

export type NotMatchableCode =
  | 'unsupported-type'
  | 'unknown-distro'
  | 'unknown-release'
  | 'no-version'
  | 'invalid-version'
  | 'no-scheme'
  | 'os-owned';

export type EcosystemMapping =
  | { ok: true; query: EcosystemQuery }
  | { ok: false; code: NotMatchableCode; reason: string };

interface DistroRef {
  id: string;
  version?: string;
  codename?: string;
  /** The os-release PRETTY_NAME, when the SBOM's distro is this one (openEuler's service pack is only there). */
  prettyName?: string;
  from: string;
}

/**
 * 'debian-12' → debian / 12; 'opensuse-leap-15.5' → opensuse-leap / 15.5; 'alpine' → alpine.
 * A release may end in words, as openEuler's own purls write it: 'openEuler-22.03-LTS-SP3' →
 * openeuler / 22.03-LTS-SP3.
 */
export function parseDistroQualifier(q: string): { id: string; version?: string } {
  const m = /^(.+?)-(\d[^-]*(?:-[A-Za-z][^-]*)*)$/.exec(q);
  return m ? { id: m[1].toLowerCase(), version: m[2] } : { id: q.toLowerCase() };
}

function distroOf(purl: PurlParts | undefined, pkg: Package, sbomDistro: DistroInfo | undefined): DistroRef | undefined {
  const q = purl?.qualifiers?.distro;
  if (q) {
    const d = parseDistroQualifier(q);
    // The qualifier names the release; the SBOM's os-release may add a codename.
    const same = sbomDistro && sbomDistro.id === d.id;
    const codename = same ? sbomDistro.versionCodename : undefined;
    const prettyName = same && sbomDistro.versionId === d.version ? sbomDistro.prettyName : undefined;
    return { ...d, codename, prettyName, from: `purl qualifier distro=${q}` };
  }
  if (sbomDistro?.id) {
    return { id: sbomDistro.id.toLowerCase(), version: sbomDistro.versionId, codename: sbomDistro.versionCodename, prettyName: sbomDistro.prettyName, from: `SBOM distro ${sbomDistro.id} ${sbomDistro.versionId ?? ''}`.trim() };
  }
  const ns = purl?.namespace ?? pkg.namespace;
  return ns ? { id: ns.toLowerCase(), from: `purl namespace ${ns}` } : undefined;
}

/** Source package name: Package.source, else the purl's upstream qualifier (without '@version'). */
function sourceOf(pkg: Package, purl: PurlParts | undefined): { name: string; version?: string; from: string } {
  if (pkg.source?.name) return { name: pkg.source.name, version: pkg.source.version, from: 'Package.source' };
  const up = purl?.qualifiers?.upstream;
  if (up) {
    const at = up.indexOf('@');
    return at > 0 ? { name: up.slice(0, at), version: up.slice(at + 1), from: 'purl qualifier upstream' } : { name: up, from: 'purl qualifier upstream' };
  }
  return { name: pkg.name, from: 'package name (no source package recorded)' };
}

const major = (v: string) => /^(\d+)/.exec(v)?.[1];
const majorMinor = (v: string) => /^(\d+)\.(\d+)/.exec(v);

/**
 * openEuler's release as its advisories name it (OSV writes 'openEuler:22.03-LTS-SP3', and
 * nothing under 'openEuler:22.03'): the version with its LTS and service-pack words. os-release
 * has them only in VERSION and PRETTY_NAME ('openEuler 22.03 (LTS-SP3)', 'openEuler 22.03 LTS');
 * VERSION_ID is '22.03' for all of them. Without those, a package's dist tag tells a service pack
 * ('1.0-7.oe2203sp3'); with neither, both the bare and the LTS release are asked.
 */
function openEulerReleases(v: string, prettyName: string | undefined, pkgVersion: string | undefined): string[] {
  // Already with its words (openEuler's purls: distro=openEuler-22.03-LTS-SP3).
  if (/-[A-Za-z]/.test(v)) return [v.toUpperCase()];
  const at = prettyName?.indexOf(v) ?? -1;
  if (prettyName && at >= 0) {
    const words = prettyName.slice(at + v.length).replace(/[()]/g, ' ').trim().split(/[\s-]+/).filter(Boolean);
    if (words.length) return [`${v}-${words.join('-').toUpperCase()}`];
    return [v];
  }
  const tag = /^(\d+)\.(\d+)$/.exec(v);
  // Service packs exist for LTS releases only: 'oe2203sp3' is 22.03-LTS-SP3.
  const sp = tag && pkgVersion && new RegExp(`\\.oe${tag[1]}${tag[2]}sp(\\d+)(?:[._]|$)`, 'i').exec(pkgVersion);
  if (sp) return [`${v}-LTS-SP${sp[1]}`];
  return [v, `${v}-LTS`];
}

/** OSV ecosystems for a distribution release, or a reason why there is none. */
function osEcosystems(type: string, d: DistroRef, pkgVersion?: string): { ecosystems: string[] } | { code: NotMatchableCode; reason: string } {
  const v = d.version;
  switch (d.id) {
    case 'debian': {
      const n = (v && major(v)) ?? (d.codename ? DEBIAN_RELEASES[d.codename] : undefined);
      if (!n) return { code: 'unknown-release', reason: `Debian release unknown (${d.from}); testing/sid have no numbered advisory ecosystem` };
      return { ecosystems: [`Debian:${n}`] };
    }
    case 'ubuntu':
      if (!v || !/^\d+\.\d+$/.test(v)) return { code: 'unknown-release', reason: `Ubuntu release unknown (${d.from})` };
      // OSV writes LTS releases as 'Ubuntu:22.04:LTS'; older exports as 'Ubuntu:22.04'.
      return { ecosystems: [`Ubuntu:${v}`, `Ubuntu:${v}:LTS`] };
    case 'alpine': {
      if (v && /edge|_alpha/.test(v)) return { ecosystems: ['Alpine:edge'] };
      const m = v ? majorMinor(v) : null;
      if (!m) return { code: 'unknown-release', reason: `Alpine branch unknown (${d.from})` };
      return { ecosystems: [`Alpine:v${Number(m[1])}.${Number(m[2])}`] };
    }
    case 'wolfi':
      return { ecosystems: ['Wolfi'] };
    case 'chainguard':
      return { ecosystems: ['Chainguard'] };
    case 'almalinux':
    case 'rocky':
    case 'mageia':
    case 'azurelinux': {
      const n = v && major(v);
      if (!n) return { code: 'unknown-release', reason: `${d.id} release unknown (${d.from})` };
      const name = { almalinux: 'AlmaLinux', rocky: 'Rocky Linux', mageia: 'Mageia', azurelinux: 'Azure Linux' }[d.id];
      return { ecosystems: [`${name}:${n}`] };
    }
    case 'photon':
      if (!v) return { code: 'unknown-release', reason: `Photon OS release unknown (${d.from})` };
      return { ecosystems: [`Photon OS:${/^\d+\.\d+/.test(v) ? v : `${v}.0`}`] };
    case 'openeuler':
      if (!v) return { code: 'unknown-release', reason: `openEuler release unknown (${d.from})` };
      return { ecosystems: openEulerReleases(v, d.prettyName, pkgVersion).map((r) => `openEuler:${r}`) };
    case 'opensuse-leap':
      if (!v) return { code: 'unknown-release', reason: `openSUSE Leap release unknown (${d.from})` };
      return { ecosystems: [`openSUSE:Leap ${v}`] };
    case 'sles': {
      const m = v ? /^(\d+)(?:\.(\d+))?/.exec(v) : null;
      if (!m) return { code: 'unknown-release', reason: `SLES release unknown (${d.from})` };
      return { ecosystems: [m[2] && m[2] !== '0' ? `SUSE:Linux Enterprise Server ${m[1]} SP${m[2]}` : `SUSE:Linux Enterprise Server ${m[1]}`] };
    }
    default:
      return { code: 'unknown-distro', reason: `no advisory ecosystem for ${type} packages of distribution '${d.id}' (${d.from})` };
  }
}

/** Language purl type → OSV ecosystem and the name as OSV spells it. */
function languageKey(type: string, ns: string | undefined, name: string): { ecosystem: string; name: string } | undefined {
  switch (type) {
    case 'npm':
      return { ecosystem: 'npm', name: ns ? `${ns}/${name}` : name };
    case 'pypi':
      return { ecosystem: 'PyPI', name: normalizePackageName('PyPI', name) };
    case 'maven':
      return ns ? { ecosystem: 'Maven', name: `${ns}:${name}` } : undefined;
    case 'golang':
      // The Go toolchain's standard library is 'stdlib' in the Go vulnerability database.
      if (!ns && (name === 'stdlib' || name === 'go')) return { ecosystem: 'Go', name: 'stdlib' };
      return { ecosystem: 'Go', name: ns ? `${ns}/${name}` : name };
    case 'cargo':
      return { ecosystem: 'crates.io', name };
    case 'gem':
      return { ecosystem: 'RubyGems', name };
    case 'nuget':
      return { ecosystem: 'NuGet', name };
    case 'composer':
      return ns ? { ecosystem: 'Packagist', name: `${ns}/${name}` } : undefined;
    case 'hex':
      return { ecosystem: 'Hex', name };
    case 'pub':
      return { ecosystem: 'Pub', name };
    case 'swift':
      return ns ? { ecosystem: 'SwiftURL', name: `${ns}/${name}` } : undefined;
    default:
      return undefined;
  }
}

/** The advisory query for one package, or why it cannot be matched. */
export function ecosystemFor(pkg: Package, sbomDistro?: DistroInfo): EcosystemMapping {
  const purl = tryParsePurl(pkg.purl);
  const type = (purl?.type ?? pkg.type ?? '').toLowerCase();
  const derivation: string[] = [purl ? `purl ${pkg.purl}` : `type ${pkg.type} (purl unreadable)`];

  if (OS_PACKAGE_TYPES.has(type)) {
    const d = distroOf(purl, pkg, sbomDistro);
    if (!d) return { ok: false, code: 'unknown-distro', reason: `${type} package without a distro qualifier, namespace or SBOM distro` };
    const eco = osEcosystems(type, d, pkg.version);
    if ('code' in eco) return { ok: false, ...eco };
    derivation.push(`distro ${d.id}${d.version ? ' ' + d.version : ''} from ${d.from} → ${eco.ecosystems.join(', ')}`);
    let name = pkg.name;
    let version = pkg.version;
    // Debian, Ubuntu and Alpine publish advisories per source package (Alpine: origin); RPM
    // distributions per binary package.
    if (type === 'deb' || type === 'apk') {
      const src = sourceOf(pkg, purl);
      name = src.name;
      derivation.push(`source package ${src.name} (${src.from})`);
      // Debian's fixed versions are source versions; a binNMU (+b1) or a binary with its own
      // version is compared by the source version it was built from.
      if (type === 'deb' && src.version) {
        version = src.version;
        if (version !== pkg.version) derivation.push(`source version ${version} (binary ${pkg.version})`);
      }
    }
    if (!version) return { ok: false, code: 'no-version', reason: 'package has no version' };
    const scheme = schemeForEcosystem(eco.ecosystems[0]);
    if (!scheme) return { ok: false, code: 'no-scheme', reason: `no version scheme for ${eco.ecosystems[0]}` };
    return { ok: true, query: { ecosystems: eco.ecosystems, name, version, scheme, os: true, derivation } };
  }

  const key = languageKey(type, purl?.namespace ?? pkg.namespace, purl?.name ?? pkg.name);
  if (!key) return { ok: false, code: 'unsupported-type', reason: `no advisory ecosystem for purl type '${type || 'unknown'}'` };
  derivation.push(`${type} → ${key.ecosystem} name ${key.name}`);
  const version = pkg.version || purl?.version || '';
  if (!version) return { ok: false, code: 'no-version', reason: 'package has no version' };
  const scheme = schemeForEcosystem(key.ecosystem);
  if (!scheme) return { ok: false, code: 'no-scheme', reason: `no version scheme for ${key.ecosystem}` };
  if (!scheme.isValid(version)) return { ok: false, code: 'invalid-version', reason: `${JSON.stringify(version.slice(0, 80))} is not a valid ${scheme.name} version` };
  return { ok: true, query: { ecosystems: [key.ecosystem], name: key.name, version, scheme, os: false, derivation } };
}
