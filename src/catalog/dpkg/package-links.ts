import type { Package } from '../../sbom/model.js';

/**
 * Give the OS packages of one cataloger run local ids and the reverse dependency links.
 * The local id is the package name (the first package of a name; later ones of the same
 * name, e.g. another architecture, get "name#2"...), so dependsOn lists, which hold names,
 * are already local ids. The catalog runner rewrites local ids to SBOM-wide ids.
 *
 * A package whose relationship the package manager did not record (no apt `extended_states`,
 * no apk `world`, rpm keeps none) gets it from the links, as language packages without a lock
 * file do: one that no installed package depends on was asked for by someone ('direct'), one
 * that others depend on is 'transitive'.
 *
 * A package repeated exactly (a status file listing the same stanza twice) is kept once:
 * returns the packages that remain.
 */
export function linkByName(all: Package[]): Package[] {
  const pkgs = withoutRepeats(all);
  const used = new Map<string, number>();
  for (const p of pkgs) {
    const n = (used.get(p.name) ?? 0) + 1;
    used.set(p.name, n);
    p.id = n === 1 ? p.name : `${p.name}#${n}`;
  }
  const dependents = new Map<string, Set<string>>();
  for (const p of pkgs) {
    for (const d of p.dependsOn ?? []) {
      if (!dependents.has(d)) dependents.set(d, new Set());
      dependents.get(d)!.add(p.id);
    }
  }
  for (const p of pkgs) {
    const of = dependents.get(p.id);
    if (of?.size) p.dependencyOf = [...of].sort();
    p.relationship ??= of?.size ? 'transitive' : 'direct';
  }
  return pkgs;
}

/** Drop exact repeats (same PURL, evidence and facts), in linear time. */
function withoutRepeats(pkgs: Package[]): Package[] {
  // Content is only worked out for a PURL seen before, so the common case costs a Map lookup.
  const byPurl = new Map<string, { p: Package; key?: string; keys?: Set<string> }>();
  const out: Package[] = [];
  for (const p of pkgs) {
    const first = byPurl.get(p.purl);
    if (!first) {
      byPurl.set(p.purl, { p });
      out.push(p);
      continue;
    }
    first.keys ??= new Set([JSON.stringify(first.p)]);
    const key = JSON.stringify(p);
    if (first.keys.has(key)) continue;
    first.keys.add(key);
    out.push(p);
  }
  return out;
}
