/**
 * match(sbom, store): every package of an SBOM against the advisory store → findings.
 *
 * One finding per (package, vulnerability): advisories that are the same vulnerability
 * (aliases/upstream) merge into one finding (merge.ts). For OS packages only the distribution's
 * advisories are queried; language packages installed by an OS package (`ownedBy`) are left to
 * the distribution and reported as not matchable ('os-owned').
 */
import type { Package, Sbom } from '../sbom/model.js';
import type { AdvisoryStore, SourceSummary } from '../store/advisory-store.js';
import { Warnings } from '../util/errors.js';
import { ecosystemFor, OS_PACKAGE_TYPES, type EcosystemQuery } from './ecosystem.js';
import { LookupCache, type Hit, type PackageEvaluation } from './evaluate.js';
import { buildFinding } from './finding.js';
import { mergeByAlias, type MergeGroup } from './merge.js';
import { decideSeverity, distroRating } from './severity.js';
import type { Advisory } from '../advisories/model.js';
import type { Finding, MatchResult, NotMatchable, SkippedAdvisory } from './types.js';
import { applyVex, type VexDocument } from './vex.js';

export interface MatchOptions {
  /** VEX documents to apply (loadVex / vexFromTree). */
  vex?: VexDocument[];
  /** Where warnings go besides MatchResult.warnings. */
  warnings?: Warnings;
  /**
   * When neither the distribution nor the advisory rates a finding, take the rating of any other
   * stored advisory that names one of its ids (GHSA, NVD-derived, a distribution's): one store
   * query per id asked, shared within the match. Default true.
   */
  nvdFallback?: boolean;
  /**
   * The store's sources (from `store.sources()`), for each finding's data-source import date.
   * Pass them when you already have them: `status()` counts every table and costs tens of ms
   * on a full database. Fetched once per match when absent.
   */
  sources?: readonly SourceSummary[];
  /**
   * When findings' range traces are built: 'lazy' (default) the first time `trace` is read,
   * 'eager' while matching. The findings are the same either way; 'eager' is for comparing.
   */
  trace?: 'lazy' | 'eager';
  /**
   * Ids of packages whose findings the caller already has (a push's remembered purls, see
   * src/server/push-answers.ts): not matched, not listed, but still seen as owners of others.
   */
  skip?: ReadonlySet<string>;
}

const CVE = /^CVE-\d{4}-\d+$/;

/** How many packages ahead of the one being reported are evaluated (lookups in flight). */
const EVALUATION_WINDOW = 64;

/** The OS package that owns a language package's files, when the SBOM has it. */
export function osOwner(pkg: Package, byId: Map<string, Package>): Package | undefined {
  if (!pkg.ownedBy || OS_PACKAGE_TYPES.has(pkg.type)) return undefined;
  const owner = byId.get(pkg.ownedBy);
  return owner && OS_PACKAGE_TYPES.has(owner.type) ? owner : undefined;
}

/**
 * A finding that neither its distribution nor its own advisories rate takes the rating of any
 * other advisory in the store that names one of its ids: a GHSA record of another ecosystem,
 * an NVD-derived record, a distribution's urgency. Unknown is the last resort, not the first
 * gap: an unrated finding slips through `--only-severity critical,high` gates. Ids are asked
 * in order (the CVE first) until one gives a rating; answers are shared within a match.
 */
async function severityFromAliases(finding: Finding, store: AdvisoryStore, asked: Map<string, Promise<Advisory[]>>): Promise<void> {
  const own = new Set(finding.advisories.map((a) => a.id));
  for (const id of finding.ids) {
    let answer = asked.get(id);
    if (!answer) asked.set(id, (answer = store.byAlias(id).catch(() => [])));
    const others = (await answer).filter((a) => !own.has(a.id));
    if (!others.length) continue;
    const nvd = others.filter((a) => /nvd/i.test(a.source));
    const rest = others.filter((a) => !/nvd/i.test(a.source));
    const sev = decideSeverity({ members: rest.map((advisory) => ({ advisory })), os: false, nvd });
    if (sev.source !== 'none') {
      finding.severity = sev;
      return;
    }
    for (const a of rest) {
      for (const entry of a.affected ?? []) {
        const d = distroRating(a, entry);
        if (d) {
          finding.severity = { level: d.level, source: 'distro', from: d.from };
          return;
        }
      }
    }
  }
}

/** Matches every package of the SBOM. Never throws for bad advisory content. */
export async function match(sbom: Sbom, store: AdvisoryStore, opts: MatchOptions = {}): Promise<MatchResult> {
  const warnings = opts.warnings ?? new Warnings();
  const firstWarning = warnings.items.length;
  const trace = opts.trace ?? 'lazy';
  const cache = new LookupCache(store, trace);
  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  const notMatchable: NotMatchable[] = [];
  const skipped: SkippedAdvisory[] = [];
  const skippedByReason: Record<string, number> = {};
  const findings: Finding[] = [];
  const nvdFallback = opts.nvdFallback ?? true;
  /** Read once, when the first finding is built: most matches of a clean image need no sources. */
  let sources: { importedAt: Map<string, string> } | undefined;
  const readSources = async () => {
    const list = await (opts.sources ? Promise.resolve(opts.sources) : store.sources().catch(() => []));
    return { importedAt: new Map(list.map((x) => [x.name, x.importedAt])) };
  };
  const aliasAnswers = new Map<string, Promise<Advisory[]>>();
  const stats = { packages: sbom.packages.length, matchable: 0, queries: 0, advisoriesEvaluated: 0, withdrawnIgnored: 0 };
  const withdrawnSeen = new Set<string>();

  // Map every package first, then evaluate them a window ahead of the package being turned into
  // findings: a store that answers asynchronously (PostgreSQL) works on a window of lookups
  // together, identical queries share one evaluation (LookupCache), and an evaluation is released
  // once the last package with its query is done, so that most of them can be collected young
  // (a match evaluates thousands of entries; only the findings' own hits need to outlive it).
  type Settled = { ok: true; value: PackageEvaluation } | { ok: false; error: unknown };
  const planned: { pkg: Package; query: EcosystemQuery; key: string }[] = [];
  const uses = new Map<string, number>();
  for (const pkg of sbom.packages) {
    if (opts.skip?.has(pkg.id)) continue;
    const owner = osOwner(pkg, byId);
    if (owner) {
      notMatchable.push({ packageId: pkg.id, name: pkg.name, purl: pkg.purl, code: 'os-owned', reason: `installed by OS package ${owner.name} (${owner.purl}); the distribution's advisories decide` });
      continue;
    }
    const mapping = ecosystemFor(pkg, sbom.distro);
    if (!mapping.ok) {
      notMatchable.push({ packageId: pkg.id, name: pkg.name, purl: pkg.purl, code: mapping.code, reason: mapping.reason });
      continue;
    }
    stats.matchable++;
    const key = LookupCache.keyOf(mapping.query);
    uses.set(key, (uses.get(key) ?? 0) + 1);
    planned.push({ pkg, query: mapping.query, key });
  }
  const pending: (Promise<Settled> | undefined)[] = [];
  let started = 0;
  const startUpTo = (end: number) => {
    for (; started < Math.min(end, planned.length); started++) {
      // Settled at once, so a failed lookup is never an unhandled rejection while earlier packages are read.
      pending[started] = cache.evaluate(planned[started].query).then((value): Settled => ({ ok: true, value }), (error: unknown): Settled => ({ ok: false, error }));
    }
  };

  // Packages with the same query (binaries of one source package) share their alias groups.
  const groupsOf = new WeakMap<PackageEvaluation, MergeGroup<Hit>[]>();
  // The CVE ids of each finding (for KEV/EPSS), worked out once per group.
  const cvesOfGroup = new WeakMap<MergeGroup<Hit>, string[]>();
  const findingCves: string[][] = [];
  for (let i = 0; i < planned.length; i++) {
    startUpTo(i + EVALUATION_WINDOW);
    const settled = await pending[i]!;
    pending[i] = undefined;
    const { pkg, query, key } = planned[i];
    const left = uses.get(key)! - 1;
    uses.set(key, left);
    if (left === 0) cache.release(key);
    if (!settled.ok) {
      // A store failure for one package must not lose the others' findings.
      const err = settled.error;
      warnings.add('match-lookup-failed', `advisory lookup for ${pkg.purl} failed: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    const evaluation = settled.value;
    for (const w of evaluation.withdrawn) withdrawnSeen.add(w.id);
    stats.advisoriesEvaluated += evaluation.hits.length;
    for (const h of evaluation.hits) {
      if (!h.evaluation.skipped) continue;
      skipped.push({ advisory: h.advisory.id, source: h.advisory.source, packageId: pkg.id, reason: h.evaluation.skipped.reason, detail: h.evaluation.skipped.detail });
      skippedByReason[h.evaluation.skipped.reason] = (skippedByReason[h.evaluation.skipped.reason] ?? 0) + 1;
    }
    let groups = groupsOf.get(evaluation);
    if (!groups) {
      const relevant = evaluation.hits.filter((h) => h.evaluation.affected || h.triage.notAffected);
      groups = relevant.length ? mergeByAlias(relevant) : [];
      groupsOf.set(evaluation, groups);
    }
    if (!groups.length) continue;
    sources ??= await readSources();
    for (const group of groups) {
      const f = buildFinding(pkg, query, group, sources.importedAt, trace);
      if (!f) continue;
      if (f.severity.source === 'none' && nvdFallback) await severityFromAliases(f, store, aliasAnswers);
      findings.push(f);
      let cves = cvesOfGroup.get(group);
      if (!cves) cvesOfGroup.set(group, (cves = group.ids.filter((id) => CVE.test(id))));
      findingCves.push(cves);
    }
  }
  stats.queries = cache.queries;
  stats.withdrawnIgnored = withdrawnSeen.size;
  if (skipped.length) {
    const reasons = Object.entries(skippedByReason).map(([r, n]) => `${n} ${r}`).join(', ');
    warnings.add('match-advisories-skipped', `${skipped.length} advisory entries could not be evaluated (${reasons})`);
  }

  // NVD is off by default: without its import, no query for it.
  const hasNvd = !!sources && [...sources.importedAt.keys()].some((n) => /nvd/i.test(n));
  await enrich(findings, findingCves, store, warnings, hasNvd);
  if (opts.vex?.length) applyVex(findings, opts.vex, sbom);
  return { findings, notMatchable, skipped, skippedByReason, warnings: warnings.items.slice(firstWarning), stats };
}

/** At most this many references per finding (as finding.ts keeps). */
const MAX_REFERENCES = 50;

/**
 * What NVD's record of a CVE adds to a finding another source decided (a Debian or GHSA record
 * names the package; NVD does not): its CWE ids after the finding's own, and its reference
 * URLs after the finding's own, up to MAX_REFERENCES. One store query for all the CVEs.
 */
async function withNvd(findings: Finding[], cvesOf: readonly string[][], cves: readonly string[], store: AdvisoryStore): Promise<void> {
  const nvd = new Map([...(await store.getMany(cves))].filter(([, a]) => /nvd/i.test(a.source)));
  if (!nvd.size) return;
  findings.forEach((f, n) => {
    for (const id of cvesOf[n]) {
      const a = nvd.get(id);
      if (!a) continue;
      const ids = (a.database_specific as { cwe_ids?: unknown } | undefined)?.cwe_ids;
      const cwes = Array.isArray(ids) ? ids.filter((c): c is string => typeof c === 'string' && /^CWE-\d{1,6}$/.test(c)) : [];
      const mine = f.cwes ?? [];
      const more = cwes.filter((c) => !mine.includes(c));
      if (more.length) f.cwes = [...mine, ...more];
      for (const r of a.references ?? []) {
        if (f.references.length >= MAX_REFERENCES) break;
        if (typeof r.url === 'string' && !f.references.includes(r.url)) f.references.push(r.url);
      }
    }
  });
}

/**
 * KEV, EPSS and NVD's CWEs and references for every CVE among the findings' ids (`cvesOf`, one
 * list per finding), three store queries in all.
 */
async function enrich(findings: Finding[], cvesOf: readonly string[][], store: AdvisoryStore, warnings: Warnings, hasNvd: boolean): Promise<void> {
  const cves = [...new Set(cvesOf.flat())];
  if (!cves.length) return;
  if (hasNvd) {
    try {
      await withNvd(findings, cvesOf, cves, store);
    } catch (err) {
      warnings.add('match-enrich-failed', `NVD lookup failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  try {
    const [kev, epss] = await Promise.all([store.kev(cves), store.epss(cves)]);
    findings.forEach((f, n) => {
      const ids = cvesOf[n];
      const k = ids.map((i) => kev.get(i)).find(Boolean);
      if (k) {
        f.kev = { dateAdded: k.dateAdded };
        if (k.dueDate) f.kev.dueDate = k.dueDate;
        if (k.knownRansomwareUse !== undefined) f.kev.knownRansomwareUse = k.knownRansomwareUse;
        if (k.vulnerabilityName) f.kev.vulnerabilityName = k.vulnerabilityName;
      }
      const e = ids.map((i) => epss.get(i)).find(Boolean);
      if (e) f.epss = e.date ? { score: e.score, percentile: e.percentile, date: e.date } : { score: e.score, percentile: e.percentile };
    });
  } catch (err) {
    warnings.add('match-enrich-failed', `KEV/EPSS lookup failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
