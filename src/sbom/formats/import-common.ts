/** Pieces shared by the CycloneDX and SPDX importers. */
import type { Package } from '../model.js';
import { purlFor, tryParsePurl } from '../purl.js';

/** A package from the identity fields a standard document gives; extras are applied after. */
export function basePackage(name: string, version: string | undefined, purl: string | undefined, foundBy: string): Package {
  const parsed = purl ? tryParsePurl(purl) : undefined;
  const p: Package = {
    id: '',
    name,
    version: version ?? parsed?.version ?? '',
    type: parsed?.type ?? 'generic',
    purl: parsed ? purl! : purlFor({ type: 'generic', name, version }),
    licenses: [],
    locations: [],
    foundBy,
  };
  if (parsed?.namespace) p.namespace = parsed.namespace;
  return p;
}

/** Gives every package a unique id (keeping ids it has), in document order. */
export function assignIds(packages: Package[], fallback: (p: Package, i: number) => string): void {
  const seen = new Set<string>();
  packages.forEach((p, i) => {
    let id = p.id || fallback(p, i) || p.purl;
    if (seen.has(id)) {
      let n = 2;
      while (seen.has(`${id}#${n}`)) n++;
      id = `${id}#${n}`;
    }
    seen.add(id);
    p.id = id;
  });
}

/** Sets dependsOn and its inverse dependencyOf from edges between package ids (sorted, unique). */
export function applyDependencies(packages: Package[], edges: Map<string, Set<string>>): void {
  const byId = new Map(packages.map((p) => [p.id, p]));
  const inverse = new Map<string, Set<string>>();
  for (const [from, tos] of edges) {
    if (!byId.has(from)) continue;
    const deps = [...tos].filter((t) => byId.has(t) && t !== from).sort();
    if (deps.length) byId.get(from)!.dependsOn = deps;
    for (const t of deps) {
      let s = inverse.get(t);
      if (!s) inverse.set(t, (s = new Set()));
      s.add(from);
    }
  }
  for (const [id, froms] of inverse) byId.get(id)!.dependencyOf = [...froms].sort();
}
