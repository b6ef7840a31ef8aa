import type { Package } from '../sbom/model.js';

export interface RequirementLinks {
  /** Which environment a package belongs to (a site-packages, a gem home, one composer file). */
  envOf: (p: Package) => string;
  /** The names a package requires (unconditional requirements only). */
  requires: (p: Package) => Iterable<string>;
  /** How names compare in this ecosystem (applied to package names and requirement names). */
  key: (name: string) => string;
}

/**
 * Link packages that require each other by name within one environment, filling dependsOn and
 * dependencyOf. Without a lock file saying what the project asked for, a package that nothing
 * else in its environment requires was asked for by someone ('direct'); a required one is
 * 'transitive'. Used by ecosystems whose installed metadata names requirements (Python, Ruby,
 * PHP); linear in the number of links.
 */
export function linkByRequirements(pkgs: Package[], o: RequirementLinks): void {
  const byEnv = new Map<string, Map<string, Package[]>>();
  for (const p of pkgs) {
    const env = o.envOf(p);
    let names = byEnv.get(env);
    if (!names) byEnv.set(env, (names = new Map()));
    const k = o.key(p.name);
    const list = names.get(k);
    if (list) list.push(p);
    else names.set(k, [p]);
  }
  const dependents = new Map<Package, Set<string>>();
  for (const p of pkgs) {
    const names = byEnv.get(o.envOf(p))!;
    const on = new Set<string>();
    for (const r of o.requires(p)) {
      for (const q of names.get(o.key(r)) ?? []) {
        if (q === p) continue;
        on.add(q.id);
        let of = dependents.get(q);
        if (!of) dependents.set(q, (of = new Set(q.dependencyOf ?? [])));
        of.add(p.id);
      }
    }
    if (on.size) p.dependsOn = [...on];
  }
  for (const p of pkgs) {
    const of = dependents.get(p);
    if (of) p.dependencyOf = [...of];
    p.relationship = of ? 'transitive' : 'direct';
  }
}
