/**
 * A push's findings, taking each package's from the answers local analysis remembers per purl
 * (purl-answers.ts: one memory for both routes) where that answer is exactly what matching the
 * package would give, and matching only the others.
 *
 * Why: a push of 500 packages spent a third of its CPU matching them, and distinct images
 * (one base, one application's releases) share most of their packages.
 * Why it is exact: the matcher's findings for a package depend on its advisory query (ecosystems,
 * name, version, scheme) and the advisory data alone; the package itself only fills in the
 * finding's `package`. So a remembered purl answers a pushed package when the package is not
 * left to its OS owner and its query, worked out with the SBOM's distro and the package's own
 * fields (source package, version), is the query of the purl alone. Otherwise (a Debian binary
 * with its source package recorded beside the purl, say) the package is matched as before.
 * The memory is dropped when advisories are imported (AdvisoryStore.dataGeneration).
 */
import { ecosystemFor, type EcosystemQuery } from '../match/ecosystem.js';
import { osOwner } from '../match/matcher.js';
import type { Finding } from '../match/types.js';
import type { Package, Sbom } from '../sbom/model.js';
import type { AdvisoryStore } from '../store/advisory-store.js';
import { failureWatching, matchFindingOf, packageOfPurl, type MatchFinding } from './analyze.js';
import type { PurlAnswer, PurlAnswers } from './purl-answers.js';

/** A query as one string: two packages with equal strings are matched alike. */
function queryKey(q: EcosystemQuery): string {
  return `${q.ecosystems.join(' ')}\0${q.name}\0${q.version}\0${q.scheme.name}\0${q.os ? 1 : 0}`;
}

/** The query of the purl alone, as local analysis matches it (null: none). */
function purlQueryOf(purl: string): string | null {
  const alone = packageOfPurl(purl, 'purl');
  const m = alone && ecosystemFor(alone);
  return m?.ok ? queryKey(m.query) : null;
}

/**
 * Everything of the package and the SBOM that ecosystemFor reads: packages with equal strings
 * have the same query. Building it costs far less than working the query out (which parses the purl).
 */
function pushedAsKey(pkg: Package, sbom: Sbom): string {
  const d = sbom.distro;
  // JSON, not a separator: no field can pass for two.
  return JSON.stringify([pkg.purl, pkg.type, pkg.name, pkg.namespace, pkg.version, pkg.source?.name, pkg.source?.version, d?.id, d?.versionId, d?.versionCodename]);
}

/** Whether the package, not left to an OS owner, is matched exactly as its purl alone would be (see above). */
function sameAsPurl(pkg: Package, sbom: Sbom, purlQuery: string | null): boolean {
  if (purlQuery === null) return false;
  const own = ecosystemFor(pkg, sbom.distro);
  return own.ok && queryKey(own.query) === purlQuery;
}

/** A remembered finding as the pushed package's own (the answers are shared: nothing of them is modified). */
function findingOf(f: MatchFinding, pkg: Package): Finding {
  const { purl: _purl, ...rest } = f;
  return { ...rest, package: { id: pkg.id, name: pkg.name, version: pkg.version, purl: pkg.purl, type: pkg.type, locations: pkg.locations.map((l) => ({ ...l })) }, trace: [] };
}

/**
 * The SBOM's findings, in the order of its packages, as `match(sbom, advisories)` gives them but
 * for the distribution's "not affected" ones of remembered purls (a push stores none of those).
 * Without `answers`, or with package ids that are not unique, every package is matched.
 */
export async function matchPush(sbom: Sbom, advisories: AdvisoryStore, orgId: string, answers?: PurlAnswers): Promise<Finding[]> {
  const { match } = await import('../match/matcher.js');
  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  if (!answers || byId.size !== sbom.packages.length) return (await match(sbom, advisories)).findings;
  const generation = await answers.current();
  const remembered = generation === undefined ? undefined : answers.ofOrg(orgId);

  const known = new Map<string, PurlAnswer>();
  /** Packages answered by their purl that nobody remembers yet, by id. */
  const toRemember = new Set<string>();
  /** The fields of each package whose purl's answer is to be remembered, by id. */
  const pushedAs = new Map<string, string>();
  for (const pkg of sbom.packages) {
    if (osOwner(pkg, byId)) continue;
    const as = pushedAsKey(pkg, sbom);
    const a = remembered?.get(pkg.purl);
    if (a) {
      // Bookkeeping of the shared answer (never its findings): see PurlAnswer.
      if (a.pushedAs !== as) {
        if (a.purlQuery === undefined) a.purlQuery = purlQueryOf(pkg.purl);
        if (a.notMatchable || !sameAsPurl(pkg, sbom, a.purlQuery)) continue;
        a.pushedAs = as;
      }
      known.set(pkg.id, a);
    } else if (sameAsPurl(pkg, sbom, purlQueryOf(pkg.purl))) {
      toRemember.add(pkg.id);
      pushedAs.set(pkg.id, as);
    }
  }
  if (!known.size && !toRemember.size) return (await match(sbom, advisories)).findings;

  const watched = failureWatching(advisories);
  const result = await match(sbom, watched.store, known.size ? { skip: new Set(known.keys()) } : {});
  const matched = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = matched.get(f.package.id);
    if (list) list.push(f);
    else matched.set(f.package.id, [f]);
  }

  const findings: Finding[] = [];
  const fresh = new Map<string, PurlAnswer>();
  for (const pkg of sbom.packages) {
    const a = known.get(pkg.id);
    if (a) {
      for (const f of a.findings) findings.push(findingOf(f, pkg));
      continue;
    }
    const own = matched.get(pkg.id) ?? [];
    for (const f of own) findings.push(f);
    // Local analysis answers without the distribution's "not affected" (analyze.ts matchPurls).
    if (toRemember.has(pkg.id) && !fresh.has(pkg.purl)) fresh.set(pkg.purl, { findings: own.filter((f) => f.status !== 'not-affected').map(matchFindingOf), pushedAs: pushedAs.get(pkg.id)! });
  }
  // Answers from a match whose store calls failed are incomplete: stored with the image as
  // before, never remembered.
  if (!watched.failed()) await answers.remember(generation, orgId, fresh);
  return findings;
}
