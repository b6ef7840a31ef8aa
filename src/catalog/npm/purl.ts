/*
 * Local npm PURL builder until the shared src/sbom/purl.ts exists; switch to it then.
 * Written by hand because packageurl-js lowercases npm names, while the purl-spec npm type
 * definition says names are case sensitive (grandfathered mixed-case packages exist).
 */

/** Percent-encode everything but unreserved characters and ':'. */
function enc(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%3A/g, ':');
}

/** Split "@scope/name" into its scope (namespace) and bare name. */
export function splitScope(fullName: string): { namespace?: string; name: string } {
  if (fullName.startsWith('@')) {
    const slash = fullName.indexOf('/');
    if (slash > 1 && slash < fullName.length - 1) return { namespace: fullName.slice(0, slash), name: fullName.slice(slash + 1) };
  }
  return { name: fullName };
}

/** pkg:npm/[%40scope/]name[@version]; the '@' of a scope is always encoded. */
export function npmPurl(fullName: string, version: string | undefined): string {
  const { namespace, name } = splitScope(fullName);
  let out = 'pkg:npm/';
  if (namespace) out += enc(namespace) + '/';
  out += enc(name);
  if (version) out += '@' + enc(version);
  return out;
}
