/**
 * Which version scheme orders the versions of an OSV ecosystem or a Package URL type.
 */
import { apkScheme } from './apk.js';
import { composerScheme } from './composer.js';
import { dpkgScheme } from './dpkg.js';
import { golangScheme } from './golang.js';
import { mavenScheme } from './maven.js';
import { nugetScheme } from './nuget.js';
import { pep440Scheme } from './pep440.js';
import { rpmScheme } from './rpm.js';
import { rubygemsScheme } from './rubygems.js';
import { semverScheme } from './semver.js';
import type { VersionScheme } from './types.js';

export type { VersionScheme } from './types.js';
export { apkScheme, composerScheme, dpkgScheme, golangScheme, mavenScheme, nugetScheme, pep440Scheme, rpmScheme, rubygemsScheme, semverScheme };

export const ALL_SCHEMES: readonly VersionScheme[] = [
  dpkgScheme, rpmScheme, apkScheme, semverScheme, pep440Scheme, mavenScheme, rubygemsScheme, golangScheme, nugetScheme, composerScheme,
];

/** OSV ecosystem name (the part before the first ':') → scheme. Names are case-sensitive in OSV. */
const BY_ECOSYSTEM: ReadonlyMap<string, VersionScheme> = new Map([
  // Debian-family: dpkg versions.
  ['Debian', dpkgScheme],
  ['Ubuntu', dpkgScheme],
  // apk-based distributions.
  ['Alpine', apkScheme],
  ['Alpaquita', apkScheme],
  ['BellSoft Hardened Containers', apkScheme],
  ['Chainguard', apkScheme],
  ['MinimOS', apkScheme],
  ['Wolfi', apkScheme],
  // RPM-based distributions (OSV documents rpmvercmp ordering for all of them).
  ['AlmaLinux', rpmScheme],
  ['Azure Linux', rpmScheme],
  ['Mageia', rpmScheme],
  ['openEuler', rpmScheme],
  ['openSUSE', rpmScheme],
  ['Photon OS', rpmScheme],
  ['Red Hat', rpmScheme],
  ['Rocky Linux', rpmScheme],
  ['SUSE', rpmScheme],
  // Language ecosystems.
  ['npm', semverScheme],
  ['crates.io', semverScheme],
  ['Hex', semverScheme],
  ['SwiftURL', semverScheme],
  ['PyPI', pep440Scheme],
  ['Maven', mavenScheme],
  ['RubyGems', rubygemsScheme],
  ['Go', golangScheme],
  // Kubernetes advisories name Go modules and use their versions.
  ['Kubernetes', golangScheme],
  ['NuGet', nugetScheme],
  ['Packagist', composerScheme],
]);

/**
 * The scheme for an OSV ecosystem string as feeds write it ('Debian:12', 'Alpine:v3.20',
 * 'Red Hat:rhel_aus:8.4::appstream', 'Maven:https://maven.google.com'); undefined when unknown.
 * 'Root:<Distro>:<release>' and 'Root:<ecosystem>' (Root's patched packages) use the scheme of
 * the ecosystem they name.
 */
export function schemeForEcosystem(osvEcosystem: string): VersionScheme | undefined {
  const colon = osvEcosystem.indexOf(':');
  const base = colon < 0 ? osvEcosystem : osvEcosystem.slice(0, colon);
  if (base === 'Root' && colon >= 0) {
    const inner = osvEcosystem.slice(colon + 1);
    return inner.startsWith('Root') ? undefined : schemeForEcosystem(inner);
  }
  return BY_ECOSYSTEM.get(base);
}

/** Package URL type (lower case per the purl spec) → scheme. */
const BY_PURL_TYPE: ReadonlyMap<string, VersionScheme> = new Map([
  ['deb', dpkgScheme],
  ['rpm', rpmScheme],
  ['apk', apkScheme],
  ['npm', semverScheme],
  ['cargo', semverScheme],
  ['hex', semverScheme],
  ['swift', semverScheme],
  ['pypi', pep440Scheme],
  ['maven', mavenScheme],
  ['gem', rubygemsScheme],
  ['golang', golangScheme],
  ['nuget', nugetScheme],
  ['composer', composerScheme],
]);

/** The scheme for a Package URL type ('deb', 'npm', ...); undefined when unknown. Types are case-insensitive. */
export function schemeForPurlType(type: string): VersionScheme | undefined {
  return BY_PURL_TYPE.get(type.toLowerCase());
}
