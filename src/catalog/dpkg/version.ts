/** A Debian version split as dpkg does: [epoch:]upstream[-revision]. */
export interface DebVersion {
  epoch?: number;
  upstream: string;
  revision?: string;
}

/** Split a Debian version. The epoch is digits before the first ':'; the revision follows the last '-'. */
export function splitDebVersion(v: string): DebVersion {
  let rest = v.trim();
  let epoch: number | undefined;
  const colon = rest.indexOf(':');
  if (colon > 0 && /^\d+$/.test(rest.slice(0, colon))) {
    epoch = Number(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const out: DebVersion = { upstream: dash > 0 ? rest.slice(0, dash) : rest };
  if (epoch !== undefined) out.epoch = epoch;
  if (dash > 0) out.revision = rest.slice(dash + 1);
  return out;
}

/** Source field: "name" or "name (version)". */
export function parseSourceField(field: string | undefined): { name: string; version?: string } | undefined {
  if (!field) return undefined;
  const m = /^(\S+)(?:\s*\(([^)]*)\))?/.exec(field.trim());
  if (!m) return undefined;
  return m[2] ? { name: m[1], version: m[2].trim() } : { name: m[1] };
}
