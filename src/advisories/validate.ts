/**
 * Shape check and normalisation of one OSV record from an untrusted feed.
 *
 * Rules: a wrong *type* anywhere we rely on (id not a string, versions not strings, events not
 * objects) or an absurd size rejects the whole record with a reason; an unknown *value* that a
 * future feed may legitimately carry (an ecosystem or range type we do not know) drops only that
 * part, noted, and the record is kept if something usable is left.
 */
import type { Advisory, Affected, AffectedRange, RangeEvent, RangeType, Reference, Severity } from './model.js';
import { isKnownEcosystem } from './ecosystems.js';

export const OSV_LIMITS = {
  idLength: 200,
  stringLength: 512,
  versionLength: 256,
  textLength: 256 * 1024,
  listLength: 2000,
  affected: 5000,
  rangesPerAffected: 200,
  eventsPerRange: 1000,
  versionsPerAffected: 50_000,
  /** Depth of free-form objects (database_specific, ecosystem_specific). */
  objectDepth: 32,
} as const;

export type ValidationResult =
  | { ok: true; advisory: Advisory; notes: string[] }
  | { ok: false; reason: string; detail: string; id?: string };

class Reject extends Error {
  constructor(readonly reason: string, readonly detail: string) {
    super(detail);
  }
}

const RANGE_TYPES: ReadonlySet<string> = new Set(['SEMVER', 'ECOSYSTEM', 'GIT']);
const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
// Printable, no spaces: ids become file names in reports and keys in URLs.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:+\-/]*$/;

// Speed: every record of a feed passes through here, and nearly all are valid. Field paths for
// messages ('affected[3].ranges[0].events[2]') are therefore built only when something fails,
// from a parent path and a suffix, never for the fields that pass.

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field; the field's name is `at + suffix`, joined only for the message. */
function str(v: unknown, at: string, suffix: string, max: number = OSV_LIMITS.stringLength): string {
  if (typeof v !== 'string') throw new Reject('bad-field', `${at}${suffix} is not a string`);
  if (v.length > max) throw new Reject('too-large', `${at}${suffix} is longer than ${max} characters`);
  if (v.includes('\u0000')) throw nulIn(`${at}${suffix}`);
  return v;
}

// PostgreSQL text cannot hold a NUL: one such string in an id, name or alias would fail the
// whole all-or-nothing import there (and be stored on SQLite). No real feed has one; the record
// is rejected here, named, and the import goes on with the rest on every backend alike.
function nulIn(field: string): Reject {
  return new Reject('bad-field', `${field} contains a NUL character`);
}

function optStr(v: unknown, at: string, suffix: string, max: number = OSV_LIMITS.stringLength): string | undefined {
  return v === undefined || v === null ? undefined : str(v, at, suffix, max);
}

function strList(v: unknown, field: string, maxItems: number = OSV_LIMITS.listLength, maxLen: number = OSV_LIMITS.stringLength): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Reject('bad-field', `${field} is not an array`);
  if (v.length > maxItems) throw new Reject('too-large', `${field} has ${v.length} items (limit ${maxItems})`);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'string') throw new Reject('bad-field', `${field}[${i}] is not a string`);
    if (x.length > maxLen) throw new Reject('too-large', `${field}[${i}] is longer than ${maxLen} characters`);
    if (x.includes('\u0000')) throw nulIn(`${field}[${i}]`);
  }
  return v as string[];
}

/** Free-form objects are kept as given, but must be objects and not absurdly deep. */
function freeObject(v: unknown, at: string, suffix: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) throw new Reject('bad-field', `${at}${suffix} is not an object`);
  if (!depthWithin(v, OSV_LIMITS.objectDepth)) throw new Reject('too-large', `${at}${suffix} is nested deeper than ${OSV_LIMITS.objectDepth}`);
  return v;
}

function depthWithin(v: unknown, left: number): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (left === 0) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!depthWithin(v[i], left - 1)) return false;
    return true;
  }
  // for-in walks inherited keys too, but a parsed JSON object has none; no array is allocated.
  for (const k in v) if (!depthWithin((v as Record<string, unknown>)[k], left - 1)) return false;
  return true;
}

function severities(v: unknown, field: string): Severity[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Reject('bad-field', `${field} is not an array`);
  if (v.length > 20) throw new Reject('too-large', `${field} has ${v.length} entries`);
  const out: Severity[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    if (!isPlainObject(s)) throw new Reject('bad-field', `${field}[${i}] is not an object`);
    if (typeof s.type !== 'string' || s.type.length > 32) str(s.type, `${field}[${i}]`, '.type', 32);
    if (typeof s.score !== 'string' || s.score.length > 256) str(s.score, `${field}[${i}]`, '.score', 256);
    out[i] = { type: s.type as string, score: s.score as string };
  }
  return out;
}

function references(v: unknown): Reference[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Reject('bad-field', 'references is not an array');
  if (v.length > OSV_LIMITS.listLength) throw new Reject('too-large', `references has ${v.length} entries`);
  const out: Reference[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const r: unknown = v[i];
    if (!isPlainObject(r)) throw new Reject('bad-field', `references[${i}] is not an object`);
    if (typeof r.type !== 'string' || r.type.length > 64) str(r.type, `references[${i}]`, '.type', 64);
    if (typeof r.url !== 'string' || r.url.length > 4096) str(r.url, `references[${i}]`, '.url', 4096);
    out[i] = { type: r.type as string, url: r.url as string };
  }
  return out;
}

/** Events of one range; `at` is the range's path. */
function events(list: unknown[], at: string): RangeEvent[] {
  const out: RangeEvent[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v: unknown = list[i];
    if (!isPlainObject(v)) throw new Reject('bad-event', `${at}.events[${i}] is not an object`);
    let key: (typeof EVENT_KEYS)[number] | undefined;
    let count = 0;
    for (const k of EVENT_KEYS) {
      if (v[k] !== undefined) {
        key = k;
        count++;
      }
    }
    if (count !== 1 || key === undefined) throw new Reject('bad-event', `${at}.events[${i}] must have exactly one of ${EVENT_KEYS.join(', ')}`);
    const value = v[key];
    if (typeof value !== 'string' || value.length === 0) throw new Reject('bad-event', `${at}.events[${i}].${key} is not a non-empty string`);
    if (value.length > OSV_LIMITS.versionLength) throw new Reject('too-large', `${at}.events[${i}].${key} is longer than ${OSV_LIMITS.versionLength} characters`);
    // Literal shapes (not a computed key) keep these objects in V8's fast representation.
    out[i] = key === 'introduced' ? { introduced: value } : key === 'fixed' ? { fixed: value } : key === 'last_affected' ? { last_affected: value } : { limit: value };
  }
  return out;
}

function range(v: unknown, at: string, notes: string[]): AffectedRange | undefined {
  if (!isPlainObject(v)) throw new Reject('bad-range', `${at} is not an object`);
  const type = str(v.type, at, '.type', 32);
  if (!Array.isArray(v.events) || v.events.length === 0) throw new Reject('bad-range', `${at}.events is not a non-empty array`);
  if (v.events.length > OSV_LIMITS.eventsPerRange) {
    throw new Reject('too-many-events', `${at} has ${v.events.length} events (limit ${OSV_LIMITS.eventsPerRange})`);
  }
  const evs = events(v.events as unknown[], at);
  if (!RANGE_TYPES.has(type)) {
    notes.push(`dropped-range:unknown-type ${type}`);
    return undefined;
  }
  const out: AffectedRange = { type: type as RangeType, events: evs };
  const repo = optStr(v.repo, at, '.repo', 4096);
  if (repo !== undefined) out.repo = repo;
  const ds = freeObject(v.database_specific, at, '.database_specific');
  if (ds !== undefined) out.database_specific = ds;
  return out;
}

function affectedEntry(v: unknown, i: number, notes: string[]): Affected | undefined {
  const at = `affected[${i}]`;
  if (!isPlainObject(v)) throw new Reject('bad-affected', `${at} is not an object`);
  const out: Affected = { ranges: [], versions: [] };
  if (v.package !== undefined && v.package !== null) {
    const p = v.package;
    if (!isPlainObject(p)) throw new Reject('bad-affected', `${at}.package is not an object`);
    const ecosystem = str(p.ecosystem, at, '.package.ecosystem', 200);
    const name = str(p.name, at, '.package.name');
    if (name.length === 0) throw new Reject('bad-affected', `${at}.package.name is empty`);
    const purl = optStr(p.purl, at, '.package.purl', 2048);
    if (!isKnownEcosystem(ecosystem)) {
      notes.push(`dropped-affected:unknown-ecosystem ${ecosystem.slice(0, 60)}`);
      return undefined;
    }
    out.package = purl === undefined ? { ecosystem, name } : { ecosystem, name, purl };
  }
  if (v.ranges !== undefined && v.ranges !== null) {
    if (!Array.isArray(v.ranges)) throw new Reject('bad-range', `${at}.ranges is not an array`);
    if (v.ranges.length > OSV_LIMITS.rangesPerAffected) throw new Reject('too-large', `${at} has ${v.ranges.length} ranges`);
    for (let j = 0; j < v.ranges.length; j++) {
      const r = range(v.ranges[j], `${at}.ranges[${j}]`, notes);
      if (r) out.ranges.push(r);
    }
  }
  if (v.versions !== undefined && v.versions !== null) {
    try {
      out.versions = strList(v.versions, `${at}.versions`, OSV_LIMITS.versionsPerAffected, OSV_LIMITS.versionLength);
    } catch (e) {
      if (e instanceof Reject && e.reason === 'bad-field') throw new Reject('bad-version', e.detail);
      throw e;
    }
  }
  if (v.severity !== undefined && v.severity !== null) {
    const sev = severities(v.severity, `${at}.severity`);
    if (sev.length) out.severity = sev;
  }
  const es = freeObject(v.ecosystem_specific, at, '.ecosystem_specific');
  if (es !== undefined) out.ecosystem_specific = es;
  const ds = freeObject(v.database_specific, at, '.database_specific');
  if (ds !== undefined) out.database_specific = ds;
  return out;
}

/** Validates and normalises one parsed OSV record. Never throws. */
export function validateOsvRecord(raw: unknown, source: string): ValidationResult {
  const id = isPlainObject(raw) && typeof raw.id === 'string' ? raw.id.slice(0, OSV_LIMITS.idLength) : undefined;
  try {
    if (!isPlainObject(raw)) throw new Reject('not-an-object', 'record is not a JSON object');
    if (raw.id === undefined) throw new Reject('missing-id', 'record has no id');
    const rid = str(raw.id, 'id', '', OSV_LIMITS.idLength);
    if (!ID_PATTERN.test(rid)) throw new Reject('bad-id', 'id has characters outside [A-Za-z0-9._:+-/]');
    if (raw.modified === undefined) throw new Reject('missing-modified', 'record has no modified timestamp');
    const notes: string[] = [];
    const adv: Advisory = {
      id: rid,
      source,
      modified: str(raw.modified, 'modified', '', 64),
      aliases: strList(raw.aliases, 'aliases', OSV_LIMITS.listLength, OSV_LIMITS.idLength),
      related: strList(raw.related, 'related', OSV_LIMITS.listLength, OSV_LIMITS.idLength),
      upstream: strList(raw.upstream, 'upstream', OSV_LIMITS.listLength, OSV_LIMITS.idLength),
      severity: severities(raw.severity, 'severity'),
      affected: [],
      references: references(raw.references),
    };
    const sv = optStr(raw.schema_version, 'schema_version', '', 32);
    if (sv !== undefined) adv.schema_version = sv;
    const published = optStr(raw.published, 'published', '', 64);
    if (published !== undefined) adv.published = published;
    const withdrawn = optStr(raw.withdrawn, 'withdrawn', '', 64);
    if (withdrawn !== undefined) adv.withdrawn = withdrawn;
    const summary = optStr(raw.summary, 'summary', '', OSV_LIMITS.textLength);
    if (summary !== undefined) adv.summary = summary;
    const details = optStr(raw.details, 'details', '', OSV_LIMITS.textLength);
    if (details !== undefined) adv.details = details;
    if (raw.credits !== undefined && raw.credits !== null) {
      if (!Array.isArray(raw.credits) || !depthWithin(raw.credits, 8)) throw new Reject('bad-field', 'credits is not a shallow array');
      adv.credits = raw.credits;
    }
    const ds = freeObject(raw.database_specific, 'database_specific', '');
    if (ds !== undefined) adv.database_specific = ds;

    if (raw.affected !== undefined && raw.affected !== null) {
      if (!Array.isArray(raw.affected)) throw new Reject('bad-affected', 'affected is not an array');
      if (raw.affected.length > OSV_LIMITS.affected) throw new Reject('too-large', `affected has ${raw.affected.length} entries`);
      for (let i = 0; i < raw.affected.length; i++) {
        const a = affectedEntry(raw.affected[i], i, notes);
        if (a) adv.affected.push(a);
      }
      // Everything the record said it affects was in ecosystems we do not know: nothing to keep.
      if (raw.affected.length > 0 && adv.affected.length === 0) {
        throw new Reject('unknown-ecosystem', notes.map((n) => n.replace(/^dropped-affected:unknown-ecosystem /, '')).join(', '));
      }
    }
    return { ok: true, advisory: adv, notes };
  } catch (e) {
    if (e instanceof Reject) return { ok: false, reason: e.reason, detail: e.detail, id };
    return { ok: false, reason: 'invalid', detail: e instanceof Error ? e.message : String(e), id };
  }
}
