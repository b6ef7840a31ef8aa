/**
 * explain(sbom, store, vulnId, packageName?): why a vulnerability does or does not match the
 * packages of an SBOM — the package, its ecosystem mapping, every range evaluated with each
 * comparison, the data source and its import date, or why nothing matched.
 */
import { ecosystemBase, normalizePackageName } from '../advisories/ecosystems.js';
import type { Advisory } from '../advisories/model.js';
import type { Package, Sbom } from '../sbom/model.js';
import type { AdvisoryStore } from '../store/advisory-store.js';
import { ecosystemFor } from './ecosystem.js';
import { LookupCache, type Triage } from './evaluate.js';
import { match, osOwner } from './matcher.js';
import type { TraceEntry } from './osv-range.js';
import type { Finding } from './types.js';

export interface ExplainedEvaluation {
  advisory: string;
  source: string;
  importedAt?: string;
  modified: string;
  ecosystem: string;
  entryPackage: string;
  affected: boolean;
  fixed: string[];
  matchedRanges: string[];
  triage: Triage;
  skipped?: { reason: string; detail: string };
  trace: TraceEntry[];
}

export type ExplainVerdict = 'affected' | 'not-affected' | 'not-matched' | 'not-matchable' | 'os-owned';

export interface ExplainedPackage {
  package: { id: string; name: string; version: string; purl: string; type: string };
  mapping: { ok: true; ecosystems: string[]; name: string; version: string; scheme: string; derivation: string[] } | { ok: false; code: string; reason: string };
  evaluations: ExplainedEvaluation[];
  /** Advisories for this vulnerability that were withdrawn (never matched). */
  withdrawn: { advisory: string; withdrawn: string }[];
  verdict: ExplainVerdict;
  reason: string;
  finding?: Finding;
}

export interface Explanation {
  vulnerability: string;
  /** Every id the store links to it (aliases/upstream, one hop). */
  ids: string[];
  /** Advisories in the store for this vulnerability and the packages they name. */
  advisories: { id: string; source: string; importedAt?: string; withdrawn?: string; packages: { ecosystem: string; name: string }[] }[];
  packages: ExplainedPackage[];
  summary: string;
}

const MAX_ALIAS_HOPS = 25;

function keysOf(a: Advisory): string[] {
  return [a.id, ...a.aliases, ...a.upstream].filter((k) => typeof k === 'string');
}

async function relatedAdvisories(store: AdvisoryStore, vulnId: string): Promise<Map<string, Advisory>> {
  const found = new Map<string, Advisory>();
  const queue = [vulnId];
  const asked = new Set<string>();
  while (queue.length && asked.size < MAX_ALIAS_HOPS) {
    const id = queue.shift()!;
    if (asked.has(id)) continue;
    asked.add(id);
    for (const a of await store.byAlias(id)) {
      if (found.has(a.id)) continue;
      found.set(a.id, a);
      // One hop out: a GHSA's CVE alias finds the distro records for the same CVE. Records
      // naming several CVEs are not followed (they would pull in other vulnerabilities).
      const cves = keysOf(a).filter((k) => k.startsWith('CVE-'));
      if (cves.length <= 1) for (const k of keysOf(a)) if (!asked.has(k)) queue.push(k);
    }
  }
  return found;
}

export async function explain(sbom: Sbom, store: AdvisoryStore, vulnId: string, packageName?: string): Promise<Explanation> {
  const related = await relatedAdvisories(store, vulnId);
  const ids = new Set<string>([vulnId]);
  for (const a of related.values()) if (keysOf(a).filter((k) => k.startsWith('CVE-')).length <= 1) keysOf(a).forEach((k) => ids.add(k));
  const sources = new Map((await store.sources()).map((s) => [s.name, s.importedAt]));

  const named = new Map<string, Set<string>>(); // ecosystem base → normalised names
  const advisories: Explanation['advisories'] = [...related.values()].map((a) => {
    const packages = a.affected.filter((e) => e.package).map((e) => ({ ecosystem: e.package!.ecosystem, name: e.package!.name }));
    for (const p of packages) {
      const base = ecosystemBase(p.ecosystem);
      if (!named.has(base)) named.set(base, new Set());
      named.get(base)!.add(normalizePackageName(p.ecosystem, p.name));
    }
    const out: Explanation['advisories'][number] = { id: a.id, source: a.source, packages };
    const at = sources.get(a.source);
    if (at) out.importedAt = at;
    if (a.withdrawn) out.withdrawn = a.withdrawn;
    return out;
  });

  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  const candidates = sbom.packages.filter((p) => {
    if (packageName !== undefined) return p.name === packageName || p.source?.name === packageName || p.purl === packageName;
    const m = ecosystemFor(p, sbom.distro);
    if (!m.ok) return false;
    // Any release of the same distribution counts, so "only Debian:13 is affected" is explained.
    return m.query.ecosystems.some((e) => named.get(ecosystemBase(e))?.has(normalizePackageName(e, m.query.name)));
  });

  const cache = new LookupCache(store);
  const packages: ExplainedPackage[] = [];
  for (const pkg of candidates) packages.push(await explainPackage(pkg, sbom, store, cache, ids, related, sources, byId));

  let summary: string;
  const affected = packages.filter((p) => p.verdict === 'affected');
  if (related.size === 0) summary = `no advisory in the store mentions ${vulnId}`;
  else if (packages.length === 0) summary = packageName !== undefined
    ? `no package named ${packageName} in the SBOM`
    : `the SBOM has no package that the ${related.size} advisories for ${vulnId} name (${advisories.flatMap((a) => a.packages.map((p) => `${p.ecosystem}/${p.name}`)).slice(0, 10).join(', ')})`;
  else if (affected.length) summary = `${vulnId} affects ${affected.map((p) => `${p.package.name} ${p.package.version}`).join(', ')}`;
  else summary = `${vulnId} affects none of the ${packages.length} candidate packages: ${packages.map((p) => `${p.package.name}: ${p.reason}`).join('; ')}`;
  return { vulnerability: vulnId, ids: [...ids].sort(), advisories, packages, summary };
}

async function explainPackage(
  pkg: Package,
  sbom: Sbom,
  store: AdvisoryStore,
  cache: LookupCache,
  ids: Set<string>,
  related: Map<string, Advisory>,
  sources: Map<string, string>,
  byId: Map<string, Package>,
): Promise<ExplainedPackage> {
  const base = { package: { id: pkg.id, name: pkg.name, version: pkg.version, purl: pkg.purl, type: pkg.type }, evaluations: [], withdrawn: [] };
  const owner = osOwner(pkg, byId);
  if (owner) {
    return { ...base, mapping: { ok: false, code: 'os-owned', reason: `installed by ${owner.name}` }, verdict: 'os-owned', reason: `installed by OS package ${owner.name} (${owner.purl}); the distribution's advisories decide` };
  }
  const m = ecosystemFor(pkg, sbom.distro);
  if (!m.ok) return { ...base, mapping: { ok: false, code: m.code, reason: m.reason }, verdict: 'not-matchable', reason: m.reason };
  const q = m.query;
  const mapping = { ok: true as const, ecosystems: q.ecosystems, name: q.name, version: q.version, scheme: q.scheme.name, derivation: q.derivation };
  const ev = await cache.evaluate(q);
  const relevant = ev.hits.filter((h) => keysOf(h.advisory).some((k) => ids.has(k)));
  const evaluations: ExplainedEvaluation[] = relevant.map((h) => {
    const e: ExplainedEvaluation = {
      advisory: h.advisory.id,
      source: h.advisory.source,
      modified: h.advisory.modified,
      ecosystem: h.ecosystem,
      entryPackage: h.entry.package?.name ?? '',
      affected: h.evaluation.affected,
      fixed: h.evaluation.fixed,
      matchedRanges: h.evaluation.matchedRanges,
      triage: h.triage,
      trace: h.evaluation.trace,
    };
    const at = sources.get(h.advisory.source);
    if (at) e.importedAt = at;
    if (h.evaluation.skipped) e.skipped = h.evaluation.skipped;
    return e;
  });
  const withdrawn = ev.withdrawn.filter((a) => keysOf(a).some((k) => ids.has(k))).map((a) => ({ advisory: a.id, withdrawn: a.withdrawn! }));
  const out: ExplainedPackage = { ...base, mapping, evaluations, withdrawn, verdict: 'not-matched', reason: '' };

  if (relevant.some((h) => (h.evaluation.affected && !h.triage.notAffected) || h.triage.notAffected)) {
    const result = await match({ ...sbom, packages: [pkg], packageCount: 1 }, store, {});
    out.finding = result.findings.find((f) => f.ids.some((i) => ids.has(i)));
    out.verdict = out.finding?.status === 'not-affected' ? 'not-affected' : 'affected';
    out.reason = out.finding
      ? `${q.name} ${q.version} in ${out.finding.ecosystem}: ${out.finding.status}${out.finding.fixedVersions.length ? `, fixed in ${out.finding.fixedVersions.join(', ')}` : ''} (${out.finding.affectedRanges.join(' | ')})`
      : 'matched';
    return out;
  }
  if (relevant.length) {
    const skippedAll = relevant.every((h) => h.evaluation.skipped);
    out.reason = skippedAll
      ? `advisory entries could not be evaluated: ${relevant.map((h) => h.evaluation.skipped!.detail).join('; ')}`
      : `${q.version} is outside every range: ${relevant.map((h) => `${h.advisory.id} ${h.ecosystem} [${h.evaluation.trace.filter((t) => t.kind === 'range-result').map((t) => t.note).join('; ')}]`).join('; ')}`;
    return out;
  }
  if (withdrawn.length) {
    out.reason = `the only advisories were withdrawn: ${withdrawn.map((w) => `${w.advisory} (${w.withdrawn})`).join(', ')}`;
    return out;
  }
  // Which ecosystems do the advisories name for this package instead?
  const elsewhere = [...related.values()].flatMap((a) => a.affected
    .filter((e) => e.package && q.ecosystems.some((qe) => ecosystemBase(qe) === ecosystemBase(e.package!.ecosystem)) && normalizePackageName(e.package.ecosystem, e.package.name) === normalizePackageName(e.package.ecosystem, q.name))
    .map((e) => e.package!.ecosystem));
  out.reason = elsewhere.length
    ? `no advisory for this vulnerability names ${q.name} in ${q.ecosystems.join(' or ')}; advisories name it in ${[...new Set(elsewhere)].sort().join(', ')} only`
    : `no advisory for this vulnerability names ${q.name} in ${q.ecosystems.join(' or ')}`;
  return out;
}
