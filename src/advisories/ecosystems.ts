/**
 * OSV ecosystem names and per-ecosystem package-name normalisation.
 *
 * Ecosystems are kept exactly as the feed gives them ('Debian:12', 'Alpine:v3.20'); only the part
 * before the first ':' is checked against the names the OSV schema knows (copied from
 * osv-schema's ecosystems.json, see NOTICE in test/fixtures for the schema's origin).
 *
 * Package names are normalised the same way when written to the index and when looked up, so a
 * lookup with the name as an SBOM spells it finds the advisory as the feed spelled it.
 */

export const KNOWN_ECOSYSTEMS: ReadonlySet<string> = new Set([
  'AlmaLinux', 'Alpaquita', 'Alpine', 'Android', 'Azure Linux', 'BellSoft Hardened Containers',
  'Bioconductor', 'Bitnami', 'Chainguard', 'CleanStart', 'ConanCenter', 'CRAN', 'crates.io', 'Debian',
  'Docker Hardened Images', 'Echo', 'FreeBSD', 'GHC', 'GitHub Actions', 'Go', 'Hackage', 'Hex', 'Julia',
  'Kubernetes', 'Linux', 'Mageia', 'Maven', 'MinimOS', 'npm', 'NuGet', 'opam', 'openEuler', 'openSUSE',
  'OSS-Fuzz', 'Packagist', 'Photon OS', 'Pub', 'PyPI', 'Red Hat', 'Rocky Linux', 'Root', 'RubyGems',
  'SUSE', 'SwiftURL', 'TuxCare', 'Ubuntu', 'VSCode', 'Wolfi',
  // The schema's ecosystem pattern also allows 'GIT' (affected entries keyed by repository).
  'GIT',
]);

/** 'Debian:12' → 'Debian'; 'npm' → 'npm'. */
export function ecosystemBase(ecosystem: string): string {
  const i = ecosystem.indexOf(':');
  return i < 0 ? ecosystem : ecosystem.slice(0, i);
}

export function isKnownEcosystem(ecosystem: string): boolean {
  const base = ecosystemBase(ecosystem);
  // A suffix must not be empty ('Debian:' is not an ecosystem).
  if (base.length !== ecosystem.length && ecosystem.length === base.length + 1) return false;
  return KNOWN_ECOSYSTEMS.has(base);
}

/**
 * The index key for a package name in an ecosystem.
 * - PyPI: PEP 503 (lower case, runs of '-', '_', '.' become one '-'); OSV itself says PyPI names
 *   are compared normalised.
 * - NuGet and Packagist, crates.io: the registries treat names case-insensitively → lower case.
 * - everything else (npm, Go, Maven, RubyGems, distro packages, ...): exact. npm is case-sensitive
 *   for old packages ('JSONStream' and 'jsonstream' are different packages), Go module paths and
 *   Maven coordinates are exact.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  switch (ecosystemBase(ecosystem)) {
    case 'PyPI':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'NuGet':
    case 'Packagist':
    case 'crates.io':
      return name.toLowerCase();
    default:
      return name;
  }
}
