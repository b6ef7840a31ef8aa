/**
 * Does one OSV `affected` entry include an installed version? OSV semantics
 * (https://ossf.github.io/osv-schema/#evaluation):
 * - SEMVER and ECOSYSTEM ranges: events sorted by version under the ecosystem's scheme
 *   ('introduced: "0"' first); walking them, `introduced` ≤ v turns "affected" on, `fixed` ≤ v
 *   and `last_affected` < v turn it off. A `limit` is an upper bound: v ≥ limit is outside the
 *   range. Several ranges are alternatives (any one including v is enough).
 * - `versions`: an explicit list, matched by the scheme's equality ('1.0' = '1.0.0' in Maven).
 * - GIT ranges name commits, not versions: ignored (noted in the trace).
 * Every comparison is written to the trace, which `explain` shows.
 *
 * Advisories are hostile input: a version the scheme cannot order, or an absurdly large entry,
 * makes the entry "skipped" with a reason; it never throws.
 */
import type { Affected, AffectedRange, RangeEvent } from '../advisories/model.js';
import type { VersionScheme } from '../versions/index.js';

export const RANGE_LIMITS = {
  rangesPerEntry: 200,
  eventsPerRange: 1000,
  versionsPerEntry: 100_000,
  versionLength: 256,
};

export type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

export interface TraceEntry {
  advisory: string;
  ecosystem: string;
  package: string;
  installed: string;
  /** What this entry records. */
  kind: 'event' | 'versions' | 'range-result' | 'ignored' | 'skipped' | 'withdrawn';
  rangeIndex?: number;
  rangeType?: string;
  event?: EventKind;
  eventVersion?: string;
  /** Sign of compare(installed, eventVersion): -1 installed is lower, 0 equal, 1 higher. */
  comparison?: -1 | 0 | 1;
  /** For events: whether the range includes the installed version after this event. */
  affectedAfter?: boolean;
  note?: string;
}

export interface EntryEvaluation {
  affected: boolean;
  /** Fix versions of the ranges that include the installed version (the next fix above it). */
  fixed: string[];
  /** Readable forms of the ranges that include the installed version ('>=4.0.0, <4.17.21'). */
  matchedRanges: string[];
  /** True when the explicit `versions` list named the installed version. */
  viaVersions: boolean;
  trace: TraceEntry[];
  /** Set when the entry could not be evaluated; `affected` is then false. */
  skipped?: { reason: 'invalid-version' | 'too-large' | 'bad-range'; detail: string };
}

type Ctx = Pick<TraceEntry, 'advisory' | 'ecosystem' | 'package' | 'installed'>;

function eventOf(e: RangeEvent): { kind: EventKind; version: string } | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  for (const k of ['introduced', 'fixed', 'last_affected', 'limit'] as const) {
    const v = (e as Record<string, unknown>)[k];
    if (typeof v === 'string') return { kind: k, version: v };
  }
  return undefined;
}

const sign = (n: number): -1 | 0 | 1 => (n < 0 ? -1 : n > 0 ? 1 : 0);

class Skip extends Error {
  constructor(readonly reason: 'invalid-version' | 'too-large' | 'bad-range', readonly detail: string) {
    super(detail);
  }
}

function cmp(scheme: VersionScheme, a: string, b: string): number {
  if (b.length > RANGE_LIMITS.versionLength) throw new Skip('too-large', `version longer than ${RANGE_LIMITS.versionLength} characters`);
  try {
    return scheme.compare(a, b);
  } catch {
    throw new Skip('invalid-version', `${JSON.stringify(b.slice(0, 80))} is not a ${scheme.name} version`);
  }
}

/** cmp(scheme, installed, b) through a caller's compare function. */
function cmpInstalled(scheme: VersionScheme, compareInstalled: CompareInstalled, b: string): number {
  if (b.length > RANGE_LIMITS.versionLength) throw new Skip('too-large', `version longer than ${RANGE_LIMITS.versionLength} characters`);
  try {
    return compareInstalled(b);
  } catch {
    throw new Skip('invalid-version', `${JSON.stringify(b.slice(0, 80))} is not a ${scheme.name} version`);
  }
}

/** '>=0, <2.36-9+deb12u3' — how a matched range reads in reports. */
export function describeRange(events: { kind: EventKind; version: string }[]): string {
  const parts: string[] = [];
  for (const e of events) {
    if (e.kind === 'introduced') parts.push(`>=${e.version}`);
    else if (e.kind === 'fixed') parts.push(`<${e.version}`);
    else if (e.kind === 'last_affected') parts.push(`<=${e.version}`);
    else parts.push(`<${e.version} (limit)`);
  }
  return parts.join(', ');
}

interface SortedEvent {
  kind: EventKind;
  version: string;
  /** 'introduced: "0"': from the beginning; sorts first and is never compared. */
  zero: boolean;
}

/** A range's events validated and sorted under one scheme, or why that failed. */
type PreparedRange = { index: number; sorted: SortedEvent[]; text: string } | { index: number; skip: Skip };

/**
 * Preparing a range (validating and sorting its events) does not depend on the installed
 * version, and the store hands out the same advisory objects until the next import: prepare
 * each range once per scheme. Keyed by the events array so that a replaced array is prepared again.
 */
const preparedRanges = new WeakMap<object, Map<VersionScheme, PreparedRange>>();

function prepareRange(events: RangeEvent[], index: number, scheme: VersionScheme): PreparedRange {
  let byScheme = preparedRanges.get(events);
  if (!byScheme) preparedRanges.set(events, (byScheme = new Map()));
  let p = byScheme.get(scheme);
  // The index only appears in skip messages; an array met at another index is prepared anew.
  if (!p || p.index !== index) {
    p = prepareUncached(events, index, scheme);
    byScheme.set(scheme, p);
  }
  return p;
}

function prepareUncached(events: RangeEvent[], index: number, scheme: VersionScheme): PreparedRange {
  try {
    if (events.length > RANGE_LIMITS.eventsPerRange) throw new Skip('too-large', `range ${index} has ${events.length} events`);
    const parsed = events.map(eventOf);
    if (parsed.some((e) => e === undefined)) throw new Skip('bad-range', `range ${index} has an event without a version`);
    const list = (parsed as { kind: EventKind; version: string }[]).map((e) => ({ ...e, zero: e.kind === 'introduced' && e.version === '0' }));
    // Sort by version; 'introduced: "0"' means "from the beginning" and sorts first.
    for (const e of list) if (!e.zero) cmp(scheme, e.version, e.version);
    const sorted = list
      .map((e, i) => ({ e, i }))
      .sort((a, b) => {
        if (a.e.zero || b.e.zero) return a.e.zero && b.e.zero ? a.i - b.i : a.e.zero ? -1 : 1;
        return cmp(scheme, a.e.version, b.e.version) || a.i - b.i;
      })
      .map((x) => x.e);
    return { index, sorted, text: describeRange(sorted) };
  } catch (err) {
    if (!(err instanceof Skip)) throw err;
    return { index, skip: err };
  }
}

/** compare(installed, v) for one installed version, possibly remembered (EvaluateOptions.comparisons). */
type CompareInstalled = (v: string) => number;

function evaluateRange(range: AffectedRange, index: number, installed: string, scheme: VersionScheme, compareInstalled: CompareInstalled, ctx: Ctx | undefined, trace: TraceEntry[] | undefined): { affected: boolean; fixed?: string; text: string } {
  if (!Array.isArray(range.events)) throw new Skip('bad-range', `range ${index} has no events list`);
  const prepared = prepareRange(range.events, index, scheme);
  if ('skip' in prepared) throw prepared.skip;

  const base = trace && { ...ctx!, rangeIndex: index, rangeType: range.type };
  let affected = false;
  let outside = false;
  let fixed: string | undefined;
  for (const e of prepared.sorted) {
    const c: -1 | 0 | 1 = e.zero ? 1 : sign(cmpInstalled(scheme, compareInstalled, e.version));
    switch (e.kind) {
      case 'introduced':
        if (c >= 0) affected = true;
        break;
      case 'fixed':
        if (c >= 0) affected = false;
        else if (affected && fixed === undefined) fixed = e.version;
        break;
      case 'last_affected':
        if (c > 0) affected = false;
        break;
      case 'limit':
        if (c >= 0) outside = true;
        break;
    }
    trace?.push({ ...base!, kind: 'event', event: e.kind, eventVersion: e.version, comparison: c, affectedAfter: affected && !outside });
  }
  const result = affected && !outside;
  return { affected: result, fixed: result ? fixed : undefined, text: prepared.text };
}

export interface EvaluateOptions {
  /**
   * 'eager' (default) writes the trace while evaluating. 'lazy' evaluates without it and
   * writes it (by evaluating again, with tracing) the first time `trace` is read: a match
   * evaluates thousands of entries and almost never shows their traces.
   */
  trace?: 'eager' | 'lazy';
  /**
   * Remembered results of scheme.compare(installed, v), for this installed version and scheme
   * only. The entries of one package repeat the same versions (a PYSEC and a GHSA record with
   * the same range, long `versions` lists in several records), and some schemes parse on every
   * comparison. Failed comparisons are not remembered (they are asked again and fail again).
   */
  comparisons?: Map<string, number>;
}

/** Evaluates one affected entry for an installed version. Never throws. */
export function evaluateAffected(entry: Affected, installed: string, scheme: VersionScheme, ctx: Omit<Ctx, 'installed'>, opts: EvaluateOptions = {}): EntryEvaluation {
  const memo = opts.comparisons;
  const compareInstalled: CompareInstalled = memo
    ? (v) => {
      let r = memo.get(v);
      if (r === undefined) memo.set(v, (r = scheme.compare(installed, v)));
      return r;
    }
    : (v) => scheme.compare(installed, v);
  if (opts.trace !== 'lazy') return evaluateEntry(entry, installed, scheme, compareInstalled, { ...ctx, installed }, []);
  const result = evaluateEntry(entry, installed, scheme, compareInstalled, undefined, undefined);
  // The trace is rebuilt with plain comparisons: the memo only ever held their results, and
  // keeping it would keep the package's whole memo alive for as long as the finding.
  return new LazyTraceEvaluation(result, { entry, installed, scheme, ctx });
}

/** What evaluating an entry again, with tracing, takes. */
interface TraceArgs {
  entry: Affected;
  installed: string;
  scheme: VersionScheme;
  ctx: Omit<Ctx, 'installed'>;
}

/**
 * An evaluation whose trace is written when first read, by evaluating again with tracing (the
 * evaluation depends on nothing but its arguments, so the second run takes the same path).
 * `trace` is an accessor of the class, not an own property: these objects stay inside the
 * matcher, which copies what it reports.
 */
class LazyTraceEvaluation implements EntryEvaluation {
  affected: boolean;
  fixed: string[];
  matchedRanges: string[];
  viaVersions: boolean;
  declare skipped?: EntryEvaluation['skipped'];
  #trace: TraceEntry[] | undefined;
  readonly #args: TraceArgs;

  constructor(result: EntryEvaluation, args: TraceArgs) {
    this.affected = result.affected;
    this.fixed = result.fixed;
    this.matchedRanges = result.matchedRanges;
    this.viaVersions = result.viaVersions;
    if (result.skipped) this.skipped = result.skipped;
    this.#args = args;
  }

  get trace(): TraceEntry[] {
    if (this.#trace === undefined) {
      const a = this.#args;
      this.#trace = evaluateEntry(a.entry, a.installed, a.scheme, (v) => a.scheme.compare(a.installed, v), { ...a.ctx, installed: a.installed }, []).trace;
    }
    return this.#trace;
  }

  set trace(value: TraceEntry[]) {
    this.#trace = value;
  }
}

/** With `trace` (and `c`) undefined nothing is traced and the result's `trace` is a placeholder. */
function evaluateEntry(entry: Affected, installed: string, scheme: VersionScheme, compareInstalled: CompareInstalled, c: Ctx | undefined, trace: TraceEntry[] | undefined): EntryEvaluation {
  const out: EntryEvaluation = { affected: false, fixed: [], matchedRanges: [], viaVersions: false, trace: trace ?? [] };
  try {
    const ranges = Array.isArray(entry.ranges) ? entry.ranges : [];
    const versions = Array.isArray(entry.versions) ? entry.versions : [];
    if (ranges.length > RANGE_LIMITS.rangesPerEntry) throw new Skip('too-large', `${ranges.length} ranges in one entry`);
    if (versions.length > RANGE_LIMITS.versionsPerEntry) throw new Skip('too-large', `${versions.length} versions in one entry`);
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i];
      if (r?.type !== 'SEMVER' && r?.type !== 'ECOSYSTEM') {
        trace?.push({ ...c!, kind: 'ignored', rangeIndex: i, rangeType: String(r?.type).slice(0, 20), note: 'GIT and unknown range types name commits, not versions' });
        continue;
      }
      const res = evaluateRange(r, i, installed, scheme, compareInstalled, c, trace);
      trace?.push({ ...c!, kind: 'range-result', rangeIndex: i, rangeType: r.type, affectedAfter: res.affected, note: `${res.text}: ${res.affected ? 'includes' : 'does not include'} ${installed}` });
      if (res.affected) {
        out.affected = true;
        out.matchedRanges.push(res.text);
        if (res.fixed !== undefined && !out.fixed.includes(res.fixed)) out.fixed.push(res.fixed);
      }
    }
    if (versions.length && out.affected) {
      // A range already includes it: the list cannot change the answer.
      trace?.push({ ...c!, kind: 'versions', note: `versions list (${versions.length} entries) not needed: a range includes ${installed}` });
    } else if (versions.length) {
      let hit: string | undefined;
      let invalid = 0;
      for (const v of versions) {
        if (typeof v !== 'string' || v.length > RANGE_LIMITS.versionLength) {
          invalid++;
          continue;
        }
        if (v === installed) {
          hit = v;
          break;
        }
        try {
          if (compareInstalled(v) === 0) {
            hit = v;
            break;
          }
        } catch {
          // One unorderable entry in an enumeration does not spoil the others.
          invalid++;
        }
      }
      trace?.push({
        ...c!,
        kind: 'versions',
        comparison: hit !== undefined ? 0 : undefined,
        eventVersion: hit,
        note: hit !== undefined ? `listed in versions (${versions.length} entries) as ${hit}` : `not among ${versions.length} listed versions${invalid ? ` (${invalid} unreadable)` : ''}`,
      });
      if (hit !== undefined) {
        out.viaVersions = true;
        out.affected = true;
        if (out.matchedRanges.length === 0) out.matchedRanges.push(`=${hit}`);
      }
    }
  } catch (err) {
    if (!(err instanceof Skip)) throw err;
    trace?.push({ ...c!, kind: 'skipped', note: `${err.reason}: ${err.detail}` });
    return { affected: false, fixed: [], matchedRanges: [], viaVersions: false, trace: trace ?? [], skipped: { reason: err.reason, detail: err.detail } };
  }
  return out;
}
