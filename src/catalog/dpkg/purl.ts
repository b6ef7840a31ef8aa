import type { DistroInfo } from '../../sbom/model.js';
import { distroQualifier, purlFor } from '../../sbom/purl.js';

/**
 * pkg:deb/<distro>/<name>@<version>?arch=..&distro=..&upstream=<source>[@<source version>].
 * Without an os-release the namespace falls back to "debian" and there is no distro qualifier.
 */
export function debPurl(
  name: string,
  version: string,
  arch: string | undefined,
  distro: DistroInfo | undefined,
  source: { name: string; version?: string } | undefined,
): string {
  let upstream: string | undefined;
  if (source && (source.name !== name || (source.version && source.version !== version))) {
    upstream = source.version && source.version !== version ? `${source.name}@${source.version}` : source.name;
  }
  return purlFor({ type: 'deb', namespace: distro?.id ?? 'debian', name, version, arch, distro: distroQualifier(distro), upstream });
}
