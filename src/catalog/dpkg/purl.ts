import type { DistroInfo } from '../../sbom/model.js';

/*
 * Local PURL builders for OS packages until the shared src/sbom/purl.ts exists; callers
 * should switch to it then. Written by hand rather than with packageurl-js because that
 * library leaves '+' in versions unencoded, while the purl-spec canonical form is
 * "1:2.4.47-2%2Bb1" (':' stays literal).
 */

/** Percent-encode everything but unreserved characters and ':'. */
function enc(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%3A/g, ':');
}

/** The distro qualifier: "<id>-<version_id>", or the codename, or the id alone. */
export function distroQualifier(d: DistroInfo | undefined): string | undefined {
  if (!d) return undefined;
  const v = d.versionId ?? d.versionCodename;
  return v ? `${d.id}-${v}` : d.id;
}

export function buildPurl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers: Record<string, string | undefined>,
): string {
  let out = `pkg:${type.toLowerCase()}/`;
  if (namespace) out += namespace.split('/').filter(Boolean).map(enc).join('/') + '/';
  out += enc(name);
  if (version) out += '@' + enc(version);
  const q = Object.entries(qualifiers)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (q.length) out += '?' + q.map(([k, v]) => `${k}=${enc(v)}`).join('&');
  return out;
}

/** pkg:deb/<distro>/<name>@<version>?arch=..&distro=..&upstream=<source>[@<source version>] */
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
  return buildPurl('deb', distro?.id ?? 'debian', name, version, { arch, distro: distroQualifier(distro), upstream });
}
