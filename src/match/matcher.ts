/**
 * match(sbom, store): every package of an SBOM against the advisory store → findings.
 *
 * One finding per (package, vulnerability): advisories that are the same vulnerability
 * (aliases/upstream) merge into one finding (merge.ts). For OS packages only the distribution's
 * advisories are queried; language packages installed by an OS package (`ownedBy`) are left to
 * the distribution and reported as not matchable ('os-owned').
 */
import type { Advisory } from '../advisories/model.js';
import type { Package, Sbom } from '../sbom/model.js';
import type { AdvisoryStore, SourceSummary } from '../store/advisory-store.js';
import { Warnings } from '../util/errors.js';
import type { VersionScheme } from '../versions/index.js';
import { ecosystemFor, OS_PACKAGE_TYPES, type EcosystemQuery } from './ecosystem.js';
import { LookupCache, type Hit } from './evaluate.js';
import { mergeByAlias, type MergeGroup } from './merge.js';
import { decideSeverity } from './severity.js';
import type { Finding, FindingStatus, MatchResult, NotMatchable, SkippedAdvisory } from './types.js';
import { applyVex, type VexDocument } from './vex.js';

export interface MatchOptions {
  /** VEX documents to apply (loadVex / vexFromTree). */
  vex?: VexDocument[];
  /** Where warnings go besides MatchResult.warnings. */
  warnings?: Warnings;
  /**
   * When neither the distribution nor the advisory rates a finding, look for records of an
   * NVD-derived source for its CVE (one store query per such finding). Default true.
   */
  nvdFallback?: boolean;
  /**
   * The store's sources (from `store.sources()`), for each finding's data-source import date.
   * Pass them when you already have them: `status()` counts every table and costs tens of ms
   * on a full database. Fetched once per match when absent.
   */
  sources?: readonly SourceSummary[];
}

const CVE = /^CVE-\d{4}-\d+$/;
const MAX_REFERENCES = 50;

/** The OS package that owns a language package's files, when the SBOM has it. */
export function osOwner(pkg: Package, byId: Map<string, Package>): Package | undefined {
  if (!pkg.ownedBy || OS_PACKAGE_TYPES.has(pkg.type)) return undefined;
  const owner = byId.get(pkg.ownedBy);
  return owner && OS_PACKAGE_TYPES.has(owner.type) ? owner : undefined;
}

function sortVersions(vs: string[], scheme: VersionScheme): string[] {
  return [...new Set(vs)].sort((a, b) => {
    try {
      return scheme.compare(a, b);
    } catch {
      return a < b ? -1 : a > b ? 1 : 0;
    }
  });
}

function firstLine(s: string | undefined): string | undefined {
  if (typeof s !== 'string') return undefined;
  const line = s.trim().split('\n')[0].trim();
  return line ? line.slice(0, 300) : undefined;
}

/** GHSA and CVE-keyed records first: their summaries and dates read best. */
function memberOrder(a: Hit, b: Hit): number {
  const r = (h: Hit) => (h.advisory.id.startsWith('GHSA-') ? 0 : h.advisory.id.startsWith('DEBIAN-') || h.advisory.id.startsWith('CVE-') ? 1 : 2);
  return r(a) - r(b) || (a.advisory.id < b.advisory.id ? -1 : 1);
}

interface BuildContext {
  store: AdvisoryStore;
  importedAt: () => Promise<Map<string, string>>;
  nvdFallback: boolean;
}

async function buildFinding(pkg: Package, query: EcosystemQuery, group: MergeGroup<Hit>, ctx: BuildContext): Promise<Finding | undefined> {
  const members = [...group.members].sort(memberOrder);
  const affecting = members.filter((m) => m.evaluation.affected && !m.triage.notAffected);
  const notAffecting = members.filter((m) => m.triage.notAffected);
  let status: FindingStatus;
  let deciding: Hit[];
  if (affecting.length) {
    deciding = affecting;
    status = affecting.some((m) => m.evaluation.fixed.length) ? 'fixed' : 'unfixed';
  } else if (notAffecting.length) {
    deciding = notAffecting;
    status = 'not-affected';
  } else {
    return undefined;
  }
  const fixedVersions = sortVersions(deciding.flatMap((m) => m.evaluation.fixed), query.scheme);
  const texts = [...new Set(deciding.map((m) => m.triage.text).filter((t): t is string => !!t))];

  let nvd: Advisory[] | undefined;
  let severity = decideSeverity({ members: deciding.map((m) => ({ advisory: m.advisory, entry: m.entry })), os: query.os });
  // Only when the store holds an NVD-derived source at all: otherwise it is a wasted query per finding.
  if (severity.source === 'none' && ctx.nvdFallback && CVE.test(group.primary) && [...(await ctx.importedAt()).keys()].some((n) => /nvd/i.test(n))) {
    nvd = (await ctx.store.byAlias(group.primary)).filter((a) => /nvd/i.test(a.source));
    if (nvd.length) severity = decideSeverity({ members: [], os: false, nvd });
  }

  const published = deciding.map((m) => m.advisory.published).filter((d): d is string => typeof d === 'string').sort()[0];
  const modified = deciding.map((m) => m.advisory.modified).filter((d): d is string => typeof d === 'string').sort().at(-1);
  const summary = deciding.map((m) => firstLine(m.advisory.summary)).find(Boolean) ?? deciding.map((m) => firstLine(m.advisory.details)).find(Boolean);
  const references: string[] = [];
  for (const m of deciding) {
    for (const r of Array.isArray(m.advisory.references) ? m.advisory.references : []) {
      if (typeof r?.url === 'string' && r.url.length <= 2048 && !references.includes(r.url) && references.length < MAX_REFERENCES) references.push(r.url);
    }
  }
  const seenAdv = new Set<string>();
  const advisories = members
    .filter((m) => !seenAdv.has(m.advisory.id) && seenAdv.add(m.advisory.id))
    .map((m) => ({ id: m.advisory.id, source: m.advisory.source, modified: m.advisory.modified, ...(m.advisory.published ? { published: m.advisory.published } : {}) }));
  const sourceName = deciding[0].advisory.source;
  const importedAt = (await ctx.importedAt()).get(sourceName);

  const finding: Finding = {
    id: group.primary,
    ids: group.ids,
    package: {
      id: pkg.id,
      name: pkg.name,
      version: pkg.version,
      purl: pkg.purl,
      type: pkg.type,
      locations: pkg.locations.map((l) => ({ ...l })),
    },
    ecosystem: deciding[0].ecosystem,
    queriedName: query.name,
    queriedVersion: query.version,
    status,
    fixedVersions: status === 'not-affected' ? [] : fixedVersions,
    affectedRanges: [...new Set(deciding.flatMap((m) => m.evaluation.matchedRanges))],
    severity,
    references,
    advisories,
    dataSource: importedAt ? { name: sourceName, importedAt } : { name: sourceName },
    trace: members.flatMap((m) => m.evaluation.trace),
  };
  if (texts.length) finding.statusText = texts.join('; ');
  if (published) finding.published = published;
  if (modified) finding.modified = modified;
  if (summary) finding.summary = summary;
  return finding;
}

/** Matches every package of the SBOM. Never throws for bad advisory content. */
export async function match(sbom: Sbom, store: AdvisoryStore, opts: MatchOptions = {}): Promise<MatchResult> {
  const warnings = opts.warnings ?? new Warnings();
  const firstWarning = warnings.items.length;
  const cache = new LookupCache(store);
  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  const notMatchable: NotMatchable[] = [];
  const skipped: SkippedAdvisory[] = [];
  const skippedByReason: Record<string, number> = {};
  const findings: Finding[] = [];
  let sourcesPromise: Promise<Map<string, string>> | undefined;
  const ctx: BuildContext = {
    store,
    nvdFallback: opts.nvdFallback ?? true,
    importedAt: () => (sourcesPromise ??= (opts.sources ? Promise.resolve(opts.sources) : store.sources().catch(() => []))
      .then((list) => new Map(list.map((x) => [x.name, x.importedAt])))),
  };
  const stats = { packages: sbom.packages.length, matchable: 0, queries: 0, advisoriesEvaluated: 0, withdrawnIgnored: 0 };
  const withdrawnSeen = new Set<string>();

  for (const pkg of sbom.packages) {
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
    let evaluation;
    try {
      evaluation = await cache.evaluate(mapping.query);
    } catch (err) {
      // A store failure for one package must not lose the others' findings.
      warnings.add('match-lookup-failed', `advisory lookup for ${pkg.purl} failed: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    for (const w of evaluation.withdrawn) withdrawnSeen.add(w.id);
    stats.advisoriesEvaluated += evaluation.hits.length;
    for (const h of evaluation.hits) {
      if (!h.evaluation.skipped) continue;
      skipped.push({ advisory: h.advisory.id, source: h.advisory.source, packageId: pkg.id, reason: h.evaluation.skipped.reason, detail: h.evaluation.skipped.detail });
      skippedByReason[h.evaluation.skipped.reason] = (skippedByReason[h.evaluation.skipped.reason] ?? 0) + 1;
    }
    const relevant = evaluation.hits.filter((h) => h.evaluation.affected || h.triage.notAffected);
    if (!relevant.length) continue;
    for (const group of mergeByAlias(relevant)) {
      const f = await buildFinding(pkg, mapping.query, group, ctx);
      if (f) findings.push(f);
    }
  }
  stats.queries = cache.queries;
  stats.withdrawnIgnored = withdrawnSeen.size;
  if (skipped.length) {
    const reasons = Object.entries(skippedByReason).map(([r, n]) => `${n} ${r}`).join(', ');
    warnings.add('match-advisories-skipped', `${skipped.length} advisory entries could not be evaluated (${reasons})`);
  }

  await enrich(findings, store, warnings);
  if (opts.vex?.length) applyVex(findings, opts.vex, sbom);
  return { findings, notMatchable, skipped, skippedByReason, warnings: warnings.items.slice(firstWarning), stats };
}

/** KEV and EPSS for every CVE among the findings' ids, two store queries in all. */
async function enrich(findings: Finding[], store: AdvisoryStore, warnings: Warnings): Promise<void> {
  const cves = [...new Set(findings.flatMap((f) => f.ids.filter((i) => CVE.test(i))))];
  if (!cves.length) return;
  try {
    const [kev, epss] = await Promise.all([store.kev(cves), store.epss(cves)]);
    for (const f of findings) {
      const ids = f.ids.filter((i) => CVE.test(i));
      const k = ids.map((i) => kev.get(i)).find(Boolean);
      if (k) {
        f.kev = { dateAdded: k.dateAdded };
        if (k.dueDate) f.kev.dueDate = k.dueDate;
        if (k.knownRansomwareUse !== undefined) f.kev.knownRansomwareUse = k.knownRansomwareUse;
        if (k.vulnerabilityName) f.kev.vulnerabilityName = k.vulnerabilityName;
      }
      const e = ids.map((i) => epss.get(i)).find(Boolean);
      if (e) f.epss = e.date ? { score: e.score, percentile: e.percentile, date: e.date } : { score: e.score, percentile: e.percentile };
    }
  } catch (err) {
    warnings.add('match-enrich-failed', `KEV/EPSS lookup failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
