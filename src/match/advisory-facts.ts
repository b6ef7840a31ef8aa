/**
 * What the matcher reads from an advisory record over and over (its ids, its CVEs, its first
 * summary line, its usable reference URLs), worked out once per record. The store hands out the
 * same advisory objects until the next import, so across matches too. Values are shared between
 * findings: callers copy before they hand anything out, and never modify them.
 */
import type { Advisory } from '../advisories/model.js';

const CVE = /^CVE-\d{4}-\d+$/;
const MAX_URL = 2048;

export interface AdvisoryFacts {
  /** id, then aliases and upstream ids (strings of 1–200 characters), without duplicates. */
  keys: string[];
  /** The CVE ids among `keys`. */
  cves: string[];
  /** Reference URLs a finding may carry (strings of at most 2048 characters), in order, without duplicates. */
  urls: string[];
  summaryLine: string | undefined;
  /** Computed on demand: details can be long and are only read when there is no summary. */
  detailsLine?: string | null;
}

const facts = new WeakMap<Advisory, AdvisoryFacts>();

/** First non-empty line of a text, at most 300 characters. */
export function firstLine(s: string | undefined): string | undefined {
  if (typeof s !== 'string') return undefined;
  const line = s.trim().split('\n')[0].trim();
  return line ? line.slice(0, 300) : undefined;
}

function keysOf(a: Advisory): string[] {
  const out = new Set<string>([a.id]);
  for (const k of [...(Array.isArray(a.aliases) ? a.aliases : []), ...(Array.isArray(a.upstream) ? a.upstream : [])]) {
    if (typeof k === 'string' && k.length > 0 && k.length <= 200) out.add(k);
  }
  return [...out];
}

function urlsOf(a: Advisory): string[] {
  const out = new Set<string>();
  for (const r of Array.isArray(a.references) ? a.references : []) {
    if (typeof r?.url === 'string' && r.url.length <= MAX_URL) out.add(r.url);
  }
  return [...out];
}

export function factsOf(a: Advisory): AdvisoryFacts {
  let f = facts.get(a);
  if (!f) {
    const keys = keysOf(a);
    f = { keys, cves: keys.filter((k) => CVE.test(k)), urls: urlsOf(a), summaryLine: firstLine(a.summary) };
    facts.set(a, f);
  }
  return f;
}

export function detailsLineOf(a: Advisory): string | undefined {
  const f = factsOf(a);
  if (f.detailsLine === undefined) f.detailsLine = firstLine(a.details) ?? null;
  return f.detailsLine ?? undefined;
}
