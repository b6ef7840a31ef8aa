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

/**
 * The packages without exact repeats: a document listing one component twice (same ref,
 * same content) describes one package. Components that share a ref but differ are all kept
 * (they get distinct ids). Linear: content is compared only when a ref and PURL repeat.
 */
export function withoutRepeats(packages: Package[], refOf: (p: Package) => string | undefined): Package[] {
  const first = new Map<string, { p: Package; contents?: Set<string> }>();
  const out: Package[] = [];
  for (const p of packages) {
    const key = `${refOf(p) ?? ''}\0${p.purl}`;
    const f = first.get(key);
    if (!f) {
      first.set(key, { p });
      out.push(p);
      continue;
    }
    f.contents ??= new Set([JSON.stringify(f.p)]);
    const content = JSON.stringify(p);
    if (f.contents.has(content)) continue;
    f.contents.add(content);
    out.push(p);
  }
  return out;
}

/** Gives every package a unique id (keeping ids it has), in document order. */
export function assignIds(packages: Package[], fallback: (p: Package, i: number) => string): void {
  const seen = new Set<string>();
  // The next suffix to try per id: counting up from 2 each time is quadratic in the repeats.
  const next = new Map<string, number>();
  packages.forEach((p, i) => {
    let id = p.id || fallback(p, i) || p.purl;
    if (seen.has(id)) {
      const base = id;
      let n = next.get(base) ?? 2;
      while (seen.has((id = `${base}#${n}`))) n++;
      next.set(base, n + 1);
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
