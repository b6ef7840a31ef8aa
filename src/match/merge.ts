/**
 * Which advisories matched against one package describe the same vulnerability.
 *
 * Records link through `id`, `aliases` and `upstream` (GHSA-x ↔ CVE-y; DEBIAN-CVE-y ↔ CVE-y;
 * DSA-n upstream CVE-y). Records naming at most one CVE are joined transitively on every id they
 * carry. A record naming several CVEs (a DSA fixing three CVEs, a GHSA with two CVE aliases) must
 * not join those CVEs into one finding: it is attached to each group it shares an id with, and
 * only becomes its own group when it shares none.
 */
import type { Advisory } from '../advisories/model.js';
import { factsOf } from './advisory-facts.js';

const CVE = /^CVE-\d{4}-\d+$/;

export interface MergeGroup<T> {
  primary: string;
  /** Primary first, then CVEs, GHSAs and the rest, each sorted. */
  ids: string[];
  members: T[];
}

function keysOf(a: Advisory): string[] {
  return factsOf(a).keys;
}

function cvesOf(a: Advisory): string[] {
  return factsOf(a).cves;
}

function rank(id: string): number {
  if (CVE.test(id)) return 0;
  if (id.startsWith('GHSA-')) return 1;
  return 2;
}

/** Primary, then the other ids by rank, each rank in code-unit order (what `<` says). */
function orderIds(ids: Iterable<string>, primary: string): string[] {
  const byRank: string[][] = [[], [], []];
  for (const i of new Set(ids)) if (i !== primary) byRank[rank(i)].push(i);
  return [primary, ...byRank[0].sort(), ...byRank[1].sort(), ...byRank[2].sort()];
}

/** What the general case below makes of one item (the usual case: one record per vulnerability and package). */
function singleGroup<T extends { advisory: Advisory }>(item: T): MergeGroup<T> {
  const { keys, cves } = factsOf(item.advisory);
  const primary = cves[0] ?? keys.filter((i) => i.startsWith('GHSA-')).sort()[0] ?? item.advisory.id;
  return { primary, ids: orderIds(keys, primary), members: [item] };
}

/** Groups `items` (each carrying an advisory) into one group per vulnerability. */
export function mergeByAlias<T extends { advisory: Advisory }>(items: T[]): MergeGroup<T>[] {
  if (items.length === 1) return [singleGroup(items[0])];
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    // Path compression keeps the chains short.
    let c = k;
    while (c !== r) {
      const n = parent.get(c)!;
      parent.set(c, r);
      c = n;
    }
    return r;
  };
  const add = (k: string) => {
    if (!parent.has(k)) parent.set(k, k);
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };

  const single = items.filter((i) => cvesOf(i.advisory).length <= 1);
  const multi = items.filter((i) => cvesOf(i.advisory).length > 1);
  for (const it of single) {
    const keys = keysOf(it.advisory);
    keys.forEach(add);
    for (const k of keys.slice(1)) union(keys[0], k);
  }

  const groups = new Map<string, { members: T[]; ids: Set<string>; cves: string[] }>();
  const groupFor = (root: string) => {
    let g = groups.get(root);
    if (!g) groups.set(root, (g = { members: [], ids: new Set(), cves: [] }));
    return g;
  };
  for (const it of single) {
    const g = groupFor(find(it.advisory.id));
    g.members.push(it);
    for (const k of keysOf(it.advisory)) g.ids.add(k);
    for (const c of cvesOf(it.advisory)) if (!g.cves.includes(c)) g.cves.push(c);
  }
  for (const it of multi) {
    const keys = keysOf(it.advisory);
    const roots = new Set(keys.filter((k) => parent.has(k)).map(find));
    if (roots.size > 0) {
      for (const r of roots) {
        const g = groupFor(r);
        if (!g.members.includes(it)) g.members.push(it);
        // Only its own id: its other CVEs belong to other findings.
        g.ids.add(it.advisory.id);
      }
      continue;
    }
    // Its own group, joined with other multi-CVE records for the same first CVE.
    const first = cvesOf(it.advisory)[0];
    const root = `\0multi:${first}`;
    const g = groupFor(root);
    g.members.push(it);
    for (const k of keys) g.ids.add(k);
    for (const c of cvesOf(it.advisory)) if (!g.cves.includes(c)) g.cves.push(c);
  }

  const out: MergeGroup<T>[] = [];
  for (const g of groups.values()) {
    const ids = [...g.ids];
    const primary = g.cves[0] ?? ids.filter((i) => i.startsWith('GHSA-')).sort()[0] ?? g.members.map((m) => m.advisory.id).sort()[0];
    out.push({ primary, ids: orderIds(ids, primary), members: g.members });
  }
  return out.sort((a, b) => (a.primary < b.primary ? -1 : a.primary > b.primary ? 1 : 0));
}
