/**
 * Reading advisory rows back from a store (SQLite or PostgreSQL): each row's JSON through
 * fromStoredJson, remembered by (id, modified, source) so a lookup that names the same
 * advisories again does not parse them again, and a row that does not parse is a warning naming
 * the database, not a failed scan (the SQLite file sits in a cache folder anyone may touch).
 */
import type { Warnings } from '../util/errors.js';
import type { Advisory, EpssScore, KevEntry } from './model.js';
import { fromStoredJson } from './stored-json.js';
import { indexKeysOf, type IndexKeys } from './prepared.js';

/** An advisory row as both stores select it; `id` and `modified` absent: not remembered. */
export interface StoredAdvisoryRow {
  id?: string;
  modified?: string;
  source: string;
  json: string;
}

/** How many parsed advisories are remembered before the cache starts over. */
const PARSED_CACHE_SIZE = 20_000;

export class StoredAdvisoryRows {
  private readonly parsed = new Map<string, Advisory>();

  /** `where`: the database as messages name it (the file, or the URL without its password). */
  constructor(private readonly warnings: Warnings, private readonly where: string) {}

  get size(): number {
    return this.parsed.size;
  }

  /** Forgets every parsed advisory (after an import changed rows). */
  clear(): void {
    this.parsed.clear();
  }

  /** The advisory parsed before from a row with these keys, if it is remembered. */
  remembered(r: Pick<StoredAdvisoryRow, 'id' | 'modified' | 'source'>): Advisory | undefined {
    return this.parsed.get(keyOf(r));
  }

  parse(rows: readonly StoredAdvisoryRow[]): Advisory[] {
    const out: Advisory[] = [];
    for (const r of rows) {
      const key = r.id !== undefined ? keyOf(r) : undefined;
      const hit = key ? this.parsed.get(key) : undefined;
      if (hit) {
        out.push(hit);
        continue;
      }
      try {
        const a = fromStoredJson(r.json, r.source);
        if (key) {
          if (this.parsed.size >= PARSED_CACHE_SIZE) this.parsed.clear();
          this.parsed.set(key, a);
        }
        out.push(a);
      } catch {
        this.warnings.add('store-corrupt-row', 'unreadable advisory row in advisory database', { path: this.where });
      }
    }
    return out;
  }

  /** The KEV entries of these CVEs, from the stored catalogue (cve → JSON), each parsed once. */
  kevEntries(catalogue: ReadonlyMap<string, string>, cveIds: readonly string[]): Map<string, KevEntry> {
    const out = new Map<string, KevEntry>();
    for (const cve of cveIds) {
      const json = catalogue.get(cve);
      if (json === undefined || out.has(cve)) continue;
      const entry = this.parseJson<KevEntry>(json, `kev ${cve}`);
      if (entry) out.set(cve, entry);
    }
    return out;
  }

  /** Other stored JSON; undefined and a warning when it does not parse. */
  parseJson<T>(json: string, what: string): T | undefined {
    try {
      return JSON.parse(json) as T;
    } catch {
      this.warnings.add('store-corrupt-row', `unreadable ${what} in advisory database`, { path: this.where });
      return undefined;
    }
  }
}

/** A row is the same advisory while id, modified and source are. */
function keyOf(r: Pick<StoredAdvisoryRow, 'id' | 'modified' | 'source'>): string {
  return `${r.id}\0${r.modified}\0${r.source}`;
}

/** An `epss` row as both stores select it. */
export interface StoredEpssRow {
  cve: string;
  score: number;
  percentile: number;
  score_date: string | null;
  model_version: string | null;
}

export function epssFromRow(r: StoredEpssRow): EpssScore {
  const s: EpssScore = { cve: r.cve, score: r.score, percentile: r.percentile };
  if (r.score_date !== null) s.date = r.score_date;
  if (r.model_version !== null) s.modelVersion = r.model_version;
  return s;
}

/**
 * The index rows a stored record was written with, read back from its own JSON, so they can be
 * deleted by key; undefined when the JSON is damaged (tampered with), and the caller must find
 * the record's rows by advisory id, the slow way.
 */
export function storedIndexKeys(row: { json: string; source: string }): IndexKeys | undefined {
  let keys: IndexKeys;
  try {
    keys = indexKeysOf(fromStoredJson(row.json, row.source));
  } catch {
    return undefined;
  }
  const usable = keys.packages.every(([e, n]) => typeof e === 'string' && typeof n === 'string')
    && [...keys.aliases, ...keys.upstream].every((a) => typeof a === 'string');
  return usable ? keys : undefined;
}
