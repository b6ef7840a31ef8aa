/**
 * One package against the store: look up its query keys and evaluate every affected entry of
 * every advisory returned. Shared by `match` (which turns hits into findings) and `explain`
 * (which shows all of them, including those that did not match).
 */
import { normalizePackageName } from '../advisories/ecosystems.js';
import type { Advisory, Affected, AffectedPackage } from '../advisories/model.js';
import type { AdvisoryStore } from '../store/advisory-store.js';
import type { EcosystemQuery } from './ecosystem.js';
import { evaluateAffected, type EntryEvaluation } from './osv-range.js';

export interface Triage {
  notAffected: boolean;
  text?: string;
}

export interface Hit {
  advisory: Advisory;
  entry: Affected;
  ecosystem: string;
  evaluation: EntryEvaluation;
  triage: Triage;
}

export interface PackageEvaluation {
  hits: Hit[];
  withdrawn: Advisory[];
  queries: number;
}

const NOT_AFFECTED = new Set(['not-affected', 'not_affected', 'not affected', 'notaffected']);
const UNINFORMATIVE_STATUS = new Set(['open', 'resolved', 'undetermined', 'affected', 'fixed', 'released']);

function shortString(v: unknown, max = 300): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : undefined;
}

// Triage depends on the entry alone, and the store returns the same entry objects until the next
// import: read it once per entry. Callers must not modify the returned object.
const triages = new WeakMap<Affected, Triage>();

/** The distribution's triage of an entry (Debian tracker fields, OSV ecosystem_specific). */
export function triageOf(entry: Affected): Triage {
  let t = triages.get(entry);
  if (!t) triages.set(entry, (t = readTriage(entry)));
  return t;
}

function readTriage(entry: Affected): Triage {
  const ds: Record<string, unknown> = {
    ...(entry.ecosystem_specific && typeof entry.ecosystem_specific === 'object' ? entry.ecosystem_specific : {}),
    ...(entry.database_specific && typeof entry.database_specific === 'object' ? entry.database_specific : {}),
  };
  const status = shortString(ds.status, 80);
  const notAffected = status !== undefined && NOT_AFFECTED.has(status.toLowerCase());
  const parts: string[] = [];
  const nodsa = shortString(ds.nodsa);
  const tags = Array.isArray(ds.tags) ? ds.tags.filter((t): t is string => typeof t === 'string' && t.length <= 40) : [];
  for (const t of tags) parts.push(t === 'no-dsa' && nodsa ? `no-dsa: ${nodsa}` : t);
  if (nodsa && !tags.includes('no-dsa')) parts.push(`no-dsa: ${nodsa}`);
  const urgency = shortString(ds.urgency, 40);
  if (urgency && /^unimportant|^end-of-life/.test(urgency) && !parts.some((p) => p.startsWith(urgency.replace(/\*+$/, '')))) parts.push(urgency);
  if (status && !UNINFORMATIVE_STATUS.has(status.toLowerCase()) && !parts.includes(status)) parts.push(status);
  return parts.length ? { notAffected, text: [...new Set(parts)].join('; ') } : { notAffected };
}

/** Lookups are cached per match: many binary packages share one source package. */
export class LookupCache {
  private readonly lookups = new Map<string, Promise<Advisory[]>>();
  private readonly evaluations = new Map<string, Promise<PackageEvaluation>>();
  queries = 0;

  /** `trace`: when entry evaluations write their traces (EvaluateOptions.trace). */
  constructor(
    private readonly store: AdvisoryStore,
    private readonly trace: 'lazy' | 'eager' = 'lazy',
  ) {}

  lookup(ecosystem: string, name: string): Promise<Advisory[]> {
    const key = `${ecosystem}\0${name}`;
    let p = this.lookups.get(key);
    if (!p) {
      this.queries++;
      p = this.store.lookup(ecosystem, name);
      this.lookups.set(key, p);
    }
    return p;
  }

  /** Queries with one key get one evaluation. */
  static keyOf(query: EcosystemQuery): string {
    return `${query.ecosystems.join('\0')}\0${query.name}\0${query.version}`;
  }

  evaluate(query: EcosystemQuery): Promise<PackageEvaluation> {
    const key = LookupCache.keyOf(query);
    let p = this.evaluations.get(key);
    if (!p) {
      p = evaluatePackage(query, this, this.trace);
      this.evaluations.set(key, p);
    }
    return p;
  }

  /** Forgets the evaluation of a key (keyOf) no package needs any more (it may be large; lookups are kept). */
  release(key: string): void {
    this.evaluations.delete(key);
  }
}

// An entry's package name normalised for its ecosystem (PyPI names go through a regex), once
// per entry object: the store returns the same objects until the next import.
const normalisedNames = new WeakMap<AffectedPackage, { ecosystem: string; name: string; normalised: string }>();

function normalisedName(p: AffectedPackage): string {
  let n = normalisedNames.get(p);
  if (!n || n.ecosystem !== p.ecosystem || n.name !== p.name) {
    n = { ecosystem: p.ecosystem, name: p.name, normalised: normalizePackageName(p.ecosystem, p.name) };
    normalisedNames.set(p, n);
  }
  return n.normalised;
}

async function evaluatePackage(query: EcosystemQuery, cache: LookupCache, trace: 'lazy' | 'eager'): Promise<PackageEvaluation> {
  const out: PackageEvaluation = { hits: [], withdrawn: [], queries: 0 };
  // One installed version and scheme for every entry below: their comparisons are shared.
  const comparisons = new Map<string, number>();
  for (const ecosystem of query.ecosystems) {
    const wanted = normalizePackageName(ecosystem, query.name);
    const advisories = await cache.lookup(ecosystem, query.name);
    out.queries++;
    for (const advisory of advisories) {
      if (advisory.withdrawn) {
        out.withdrawn.push(advisory);
        continue;
      }
      const affected = Array.isArray(advisory.affected) ? advisory.affected : [];
      for (const entry of affected) {
        const p = entry?.package;
        if (!p || p.ecosystem !== ecosystem || typeof p.name !== 'string' || normalisedName(p) !== wanted) continue;
        const evaluation = evaluateAffected(entry, query.version, query.scheme, { advisory: advisory.id, ecosystem, package: p.name }, { trace, comparisons });
        out.hits.push({ advisory, entry, ecosystem, evaluation, triage: triageOf(entry) });
      }
    }
  }
  return out;
}
