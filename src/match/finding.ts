/**
 * One finding from one alias group of hits against one package: status, fix versions, ranges,
 * severity, dates, summary, references, the advisories behind it and their trace.
 *
 * A match builds thousands of these, so this file avoids work a report does not need: the
 * trace is built when first read, per-record facts come from advisory-facts.ts, and groups of
 * one deciding record (the usual case) skip the de-duplication sets.
 */
import type { Package } from '../sbom/model.js';
import type { VersionScheme } from '../versions/index.js';
import { detailsLineOf, factsOf } from './advisory-facts.js';
import type { EcosystemQuery } from './ecosystem.js';
import type { Hit } from './evaluate.js';
import type { MergeGroup } from './merge.js';
import type { TraceEntry } from './osv-range.js';
import { decideSeverity } from './severity.js';
import type { Finding, FindingAdvisory, FindingStatus } from './types.js';
import { appendAll } from '../util/arrays.js';

const MAX_REFERENCES = 50;

function sortVersions(vs: string[], scheme: VersionScheme): string[] {
  const unique = vs.length < 2 ? vs.slice() : [...new Set(vs)];
  if (unique.length < 2) return unique;
  return unique.sort((a, b) => {
    try {
      return scheme.compare(a, b);
    } catch {
      return a < b ? -1 : a > b ? 1 : 0;
    }
  });
}

function pushUnique(out: string[], values: readonly string[]): void {
  for (const v of values) if (!out.includes(v)) out.push(v);
}

function memberRank(h: Hit): number {
  const id = h.advisory.id;
  return id.startsWith('GHSA-') ? 0 : id.startsWith('DEBIAN-') || id.startsWith('CVE-') ? 1 : 2;
}

/** GHSA and CVE-keyed records first: their summaries and dates read best. */
function memberOrder(a: Hit, b: Hit): number {
  return memberRank(a) - memberRank(b) || (a.advisory.id < b.advisory.id ? -1 : 1);
}

// The trace of a finding is its members' traces, built when `trace` is first read (explain,
// tests). One shared accessor (a per-object getter costs several times more to create); the
// members wait in a WeakMap. Reading or assigning turns it into a plain data property in place.
const traceMembers = new WeakMap<object, readonly Hit[]>();

function settleTrace(finding: object, trace: TraceEntry[]): TraceEntry[] {
  Object.defineProperty(finding, 'trace', { value: trace, writable: true, enumerable: true, configurable: true });
  traceMembers.delete(finding);
  return trace;
}

const LAZY_TRACE: PropertyDescriptor = {
  get(this: object): TraceEntry[] {
    return settleTrace(this, (traceMembers.get(this) ?? []).flatMap((m) => m.evaluation.trace));
  },
  set(this: object, value: TraceEntry[]) {
    settleTrace(this, value);
  },
  enumerable: true,
  configurable: true,
};

/** CWE ids the advisories name (GHSA keeps them in `database_specific.cwe_ids`), well-formed ones only. */
function cwesOf(hits: readonly Hit[]): string[] {
  const out: string[] = [];
  for (const h of hits) {
    const ids = (h.advisory.database_specific as { cwe_ids?: unknown } | undefined)?.cwe_ids;
    if (!Array.isArray(ids)) continue;
    for (const id of ids.slice(0, 50)) if (typeof id === 'string' && /^CWE-\d{1,6}$/.test(id) && !out.includes(id)) out.push(id);
  }
  return out;
}

/**
 * The finding for one group, or undefined when no member decides it. Severity comes from the
 * members; the NVD fallback (a store query) is the caller's, when `severity.source` is 'none'.
 * `trace` says whether the trace is built now or when first read (MatchOptions.trace).
 */
export function buildFinding(pkg: Package, query: EcosystemQuery, group: MergeGroup<Hit>, importedAtBySource: ReadonlyMap<string, string>, trace: 'lazy' | 'eager' = 'lazy'): Finding | undefined {
  const members = group.members.length > 1 ? [...group.members].sort(memberOrder) : group.members.slice();
  const affecting = members.filter((m) => m.evaluation.affected && !m.triage.notAffected);
  let status: FindingStatus;
  let deciding: Hit[];
  if (affecting.length) {
    deciding = affecting;
    status = affecting.some((m) => m.evaluation.fixed.length) ? 'fixed' : 'unfixed';
  } else {
    const notAffecting = members.filter((m) => m.triage.notAffected);
    if (!notAffecting.length) return undefined;
    deciding = notAffecting;
    status = 'not-affected';
  }

  const texts: string[] = [];
  const fixed: string[] = [];
  const ranges: string[] = [];
  let references: string[];
  let published: string | undefined;
  let modified: string | undefined;
  let summary: string | undefined;
  if (deciding.length === 1) {
    const m = deciding[0];
    const facts = factsOf(m.advisory);
    if (m.triage.text) texts.push(m.triage.text);
    appendAll(fixed, m.evaluation.fixed);
    pushUnique(ranges, m.evaluation.matchedRanges);
    references = facts.urls.length > MAX_REFERENCES ? facts.urls.slice(0, MAX_REFERENCES) : facts.urls.slice();
    if (typeof m.advisory.published === 'string') published = m.advisory.published;
    if (typeof m.advisory.modified === 'string') modified = m.advisory.modified;
    summary = facts.summaryLine ?? detailsLineOf(m.advisory);
  } else {
    const urls = new Set<string>();
    for (const m of deciding) {
      const a = m.advisory;
      const facts = factsOf(a);
      if (m.triage.text && !texts.includes(m.triage.text)) texts.push(m.triage.text);
      appendAll(fixed, m.evaluation.fixed);
      pushUnique(ranges, m.evaluation.matchedRanges);
      for (const u of facts.urls) {
        if (urls.size >= MAX_REFERENCES) break;
        urls.add(u);
      }
      // Earliest publication, latest modification (ISO strings order as the dates do).
      if (typeof a.published === 'string' && (published === undefined || a.published < published)) published = a.published;
      if (typeof a.modified === 'string' && (modified === undefined || a.modified > modified)) modified = a.modified;
      summary ??= facts.summaryLine;
    }
    references = [...urls];
    summary ??= deciding.map((m) => detailsLineOf(m.advisory)).find(Boolean);
  }

  const advisories: FindingAdvisory[] = [];
  for (const m of members) {
    const a = m.advisory;
    if (advisories.some((x) => x.id === a.id)) continue;
    advisories.push({ id: a.id, source: a.source, modified: a.modified, ...(a.published ? { published: a.published } : {}) });
  }
  const sourceName = deciding[0].advisory.source;
  const importedAt = importedAtBySource.get(sourceName);

  const finding = {
    id: group.primary,
    // Groups are shared by the packages of one query (binaries of a source package): copy.
    ids: group.ids.slice(),
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
    fixedVersions: status === 'not-affected' ? [] : sortVersions(fixed, query.scheme),
    affectedRanges: ranges,
    severity: decideSeverity({ members: deciding, os: query.os }),
    references,
    advisories,
    dataSource: importedAt ? { name: sourceName, importedAt } : { name: sourceName },
  } as Omit<Finding, 'trace'> as Finding;
  if (trace === 'eager') {
    finding.trace = members.flatMap((m) => m.evaluation.trace);
  } else {
    traceMembers.set(finding, members);
    Object.defineProperty(finding, 'trace', LAZY_TRACE);
  }
  if (texts.length) finding.statusText = texts.join('; ');
  if (published) finding.published = published;
  if (modified) finding.modified = modified;
  if (summary) finding.summary = summary;
  const cwes = cwesOf(deciding);
  if (cwes.length) finding.cwes = cwes;
  return finding;
}
