/**
 * Severity of a finding. Who decides, in order:
 *  1. 'distro': for OS packages, the distribution's own rating (Debian tracker `urgency`,
 *     Ubuntu's priority in `severity[]` type 'Ubuntu'); Debian's "not yet assigned" is no rating.
 *  2. 'advisory': the advisory's own label (GHSA `database_specific.severity`), else the CVSS
 *     vectors in its `severity[]` (or the affected entry's), scored with ae-cvss-calculator.
 *  3. 'nvd': a record of an NVD-derived source in the store for the same CVE.
 * The CVSS score shown beside the level comes from the deciding source when it has a vector,
 * otherwise from the next source that has one (`scoreSource` says which).
 */
import { createRequire } from 'node:module';
import * as cvssModule from 'ae-cvss-calculator';
import type { Advisory, Affected, Severity } from '../advisories/model.js';

export type SeverityLevel = 'critical' | 'high' | 'medium' | 'low' | 'negligible' | 'unknown';
export const SEVERITY_LEVELS: readonly SeverityLevel[] = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];
export type SeveritySource = 'distro' | 'advisory' | 'nvd' | 'none';
export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export interface FindingSeverity {
  level: SeverityLevel;
  source: SeveritySource;
  /** The record and field the level came from ('DEBIAN-CVE-2011-3374 urgency unimportant'). */
  from?: string;
  score?: number;
  vector?: string;
  cvssVersion?: CvssVersion;
  /** Where the score came from when that is not `source`. */
  scoreSource?: SeveritySource;
}

export interface CvssScore {
  score: number;
  vector: string;
  version: CvssVersion;
}

interface CvssVectorLike {
  getVectorName(): string;
  isBaseFullyDefined(): boolean;
  calculateScores(): { base?: number; overall?: number };
}
// The package is a webpack CommonJS bundle: under Node's ESM loader its exports sit on `default`.
const cvssLib = ((cvssModule as unknown as { default?: unknown }).default ?? cvssModule) as { fromVector(v: string): CvssVectorLike | null | undefined };

const VERSION_RANK: Record<CvssVersion, number> = { '4.0': 4, '3.1': 3, '3.0': 2, '2.0': 1 };

// The same vectors recur across thousands of findings; scoring one costs ~25 µs for CVSS 3 and
// ~200–500 µs for CVSS 4. Scores are remembered here, and across runs by score-cache.ts.
const scoreCache = new Map<string, CvssScore | undefined>();
const SCORE_CACHE_MAX = 20_000;
/** Vectors scored by this process (not read from a saved cache): what a save adds. */
const scoredHere = new Set<string>();

/** Scores worked out earlier (a saved cache), used as if this process had scored them. */
export function rememberScores(entries: Iterable<[string, CvssScore | undefined]>): void {
  for (const [vector, score] of entries) {
    if (scoreCache.size >= SCORE_CACHE_MAX) return;
    if (!scoreCache.has(vector)) scoreCache.set(vector, score);
  }
}

/** The vectors this process scored itself, with their scores (undefined: not a usable vector). */
export function scoresWorkedOut(): [string, CvssScore | undefined][] {
  return [...scoredHere].filter((v) => scoreCache.has(v)).map((v) => [v, scoreCache.get(v)]);
}

/** The CVSS calculator and its version: saved scores hold for it alone. */
export const CVSS_CALCULATOR = (() => {
  try {
    return `ae-cvss-calculator@${(createRequire(import.meta.url)('ae-cvss-calculator/package.json') as { version: string }).version}`;
  } catch {
    return 'ae-cvss-calculator';
  }
})();

/** Scores a CVSS v2/v3.x/v4 vector; undefined for anything that is not a complete base vector. */
export function scoreCvss(vector: string): CvssScore | undefined {
  if (typeof vector !== 'string' || vector.length > 512) return undefined;
  if (scoreCache.has(vector)) {
    const hit = scoreCache.get(vector);
    return hit && { ...hit };
  }
  const result = scoreUncached(vector);
  if (scoreCache.size >= SCORE_CACHE_MAX) scoreCache.clear();
  scoreCache.set(vector, result);
  if (scoredHere.size < SCORE_CACHE_MAX) scoredHere.add(vector);
  return result && { ...result };
}

function scoreUncached(vector: string): CvssScore | undefined {
  const v = vector.trim();
  // A v2 vector has no prefix; require its first metric so arbitrary text is not read as v2.
  if (!/^CVSS:(3\.[01]|4\.0)\//.test(v) && !/^(\(?)AV:[LAN]\//.test(v)) return undefined;
  try {
    const parsed = cvssLib.fromVector(v.replace(/^\((.*)\)$/, '$1'));
    if (!parsed || !parsed.isBaseFullyDefined()) return undefined;
    const name = parsed.getVectorName();
    const version = name.replace(/^CVSS:/, '') as CvssVersion;
    if (!(version in VERSION_RANK)) return undefined;
    const s = parsed.calculateScores();
    const score = s.base ?? s.overall;
    if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
    return { score, vector: v, version };
  } catch {
    return undefined;
  }
}

/** Qualitative rating of a score (CVSS v3/v4 table; v2 has no 'critical'). */
export function levelFromScore(score: number, version: CvssVersion): SeverityLevel {
  if (version === '2.0') return score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'negligible';
}

/** The best CVSS among `severity[]` entries: the newest CVSS version, then the highest score. */
export function bestCvss(severities: readonly Severity[] | undefined): CvssScore | undefined {
  let best: CvssScore | undefined;
  for (const s of Array.isArray(severities) ? severities : []) {
    if (typeof s?.type !== 'string' || !s.type.startsWith('CVSS_') || typeof s.score !== 'string') continue;
    const c = scoreCvss(s.score);
    if (!c) continue;
    if (!best || VERSION_RANK[c.version] > VERSION_RANK[best.version] || (VERSION_RANK[c.version] === VERSION_RANK[best.version] && c.score > best.score)) best = c;
  }
  return best;
}

/** A free-text rating word ('MODERATE', 'Medium', 'important', 'low**') → level. */
export function levelFromLabel(label: unknown): SeverityLevel | undefined {
  if (typeof label !== 'string') return undefined;
  const l = label.trim().toLowerCase().replace(/\*+$/, '');
  switch (l) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'important':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    case 'negligible':
    case 'unimportant':
      return 'negligible';
    default:
      return undefined;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= 200 ? v : undefined;
}

/** The distribution's rating from an affected entry or the record (Debian urgency, Ubuntu priority). */
export function distroRating(adv: Advisory, entry: Affected | undefined): { level: SeverityLevel; from: string } | undefined {
  const candidates: [unknown, string][] = [
    [entry?.ecosystem_specific?.urgency, 'urgency'],
    [entry?.database_specific?.urgency, 'urgency'],
    [entry?.ecosystem_specific?.severity, 'severity'],
    [entry?.database_specific?.severity, 'severity'],
  ];
  for (const s of [...(entry?.severity ?? []), ...adv.severity]) {
    if (s?.type === 'Ubuntu') candidates.push([s.score, 'Ubuntu priority']);
  }
  for (const [value, field] of candidates) {
    const level = levelFromLabel(value);
    if (level) return { level, from: `${adv.id} ${field} ${str(value) ?? ''}`.trim() };
  }
  return undefined;
}

/** The advisory's own rating: its label, then its CVSS vectors. */
export function advisoryRating(adv: Advisory, entry: Affected | undefined): { level: SeverityLevel; from: string; cvss?: CvssScore } | undefined {
  const cvss = bestCvss([...(entry?.severity ?? []), ...adv.severity]);
  const label = levelFromLabel(adv.database_specific?.severity);
  if (label) return { level: label, from: `${adv.id} database_specific.severity ${str(adv.database_specific?.severity) ?? ''}`.trim(), cvss };
  if (cvss) return { level: levelFromScore(cvss.score, cvss.version), from: `${adv.id} CVSS ${cvss.version}`, cvss };
  return undefined;
}

export interface SeverityInputs {
  /** Advisories behind the finding with the affected entry that matched (entry may be absent). */
  members: { advisory: Advisory; entry?: Affected }[];
  os: boolean;
  /** Records from an NVD-derived source for the finding's CVE, when looked up. */
  nvd?: Advisory[];
}

/**
 * Ratings depend on the advisory and its entry alone, and the store hands out the same objects
 * until the next import, while a match rates thousands of findings from far fewer records:
 * each (advisory, entry) is rated once. Keyed by the entry (the advisory itself when there is
 * none); the advisory is checked as well so an entry object reused elsewhere is rated afresh.
 * The cached values are shared: decideSeverity copies what it reports.
 */
interface Ratings {
  advisory: Advisory;
  distro?: ReturnType<typeof distroRating> | null;
  own?: ReturnType<typeof advisoryRating> | null;
}
const ratings = new WeakMap<object, Ratings>();

function ratingsOf(adv: Advisory, entry: Affected | undefined): Ratings {
  const key = entry ?? adv;
  let r = ratings.get(key);
  if (!r || r.advisory !== adv) ratings.set(key, (r = { advisory: adv }));
  return r;
}

function cachedDistroRating(adv: Advisory, entry: Affected | undefined): ReturnType<typeof distroRating> {
  const r = ratingsOf(adv, entry);
  if (r.distro === undefined) r.distro = distroRating(adv, entry) ?? null;
  return r.distro ?? undefined;
}

function cachedAdvisoryRating(adv: Advisory, entry: Affected | undefined): ReturnType<typeof advisoryRating> {
  const r = ratingsOf(adv, entry);
  if (r.own === undefined) r.own = advisoryRating(adv, entry) ?? null;
  return r.own ?? undefined;
}

function firstRating<T>(members: readonly { advisory: Advisory; entry?: Affected }[], rate: (a: Advisory, e: Affected | undefined) => T | undefined): T | undefined {
  for (const m of members) {
    const x = rate(m.advisory, m.entry);
    if (x !== undefined) return x;
  }
  return undefined;
}

/** Decides a finding's severity by the documented source order. */
export function decideSeverity(input: SeverityInputs): FindingSeverity {
  const distro = input.os ? firstRating(input.members, cachedDistroRating) : undefined;
  const advisory = firstRating(input.members, cachedAdvisoryRating);
  const nvd = input.nvd?.length ? firstRating(input.nvd.map((a) => ({ advisory: a })), cachedAdvisoryRating) : undefined;
  const withScore = (sev: FindingSeverity): FindingSeverity => {
    // The deciding source's own score, else the first of advisory, NVD that has one.
    const fromSelf = sev.source === 'advisory' ? advisory?.cvss : sev.source === 'nvd' ? nvd?.cvss : undefined;
    const [from, cvss]: [SeveritySource, CvssScore | undefined] = fromSelf ? [sev.source, fromSelf] : advisory?.cvss ? ['advisory', advisory.cvss] : ['nvd', nvd?.cvss];
    if (cvss) {
      sev.score = cvss.score;
      sev.vector = cvss.vector;
      sev.cvssVersion = cvss.version;
      if (from !== sev.source) sev.scoreSource = from;
    }
    return sev;
  };
  if (distro) return withScore({ level: distro.level, source: 'distro', from: distro.from });
  if (advisory) return withScore({ level: advisory.level, source: 'advisory', from: advisory.from });
  if (nvd) return withScore({ level: nvd.level, source: 'nvd', from: nvd.from });
  return { level: 'unknown', source: 'none' };
}
