import parseSpdx from 'spdx-expression-parse';
import correct from 'spdx-correct';
import type { License } from '../../sbom/model.js';
import { memoizeParse } from '../../util/memo.js';

/*
 * Local license normalisation for package.json and lockfile license fields until the shared
 * src/sbom/license.ts exists; switch to it then. Valid SPDX expressions are kept, near-misses
 * ("Apache 2.0", "MIT License") are corrected by spdx-correct, anything else (UNLICENSED,
 * "SEE LICENSE IN ...") is kept as a named non-SPDX license.
 */

const MAX_LICENSE_TEXT = 512;

/**
 * Thousands of packages say "MIT" or "ISC": each text is normalised once (the parser and
 * spdx-correct cost tens of microseconds a call). Callers get their own copy of the result.
 */
const normalised = memoizeParse(normaliseText, 4096);

function normalise(raw: string): License | undefined {
  const l = normalised(raw);
  return l && { ...l };
}

function normaliseText(raw: string): License | undefined {
  const s = raw.trim().slice(0, MAX_LICENSE_TEXT);
  if (!s) return undefined;
  if (/^(UNLICENSED|SEE LICEN[SC]E IN\b)/i.test(s)) return { name: s };
  try {
    parseSpdx(s);
    return { spdx: s };
  } catch {
    /* not an SPDX expression as written */
  }
  const fixed = correct(s);
  return fixed ? { spdx: fixed } : { name: s };
}

/** The text of one license item: "MIT", or { type: "MIT", url }, as npm has allowed over time. */
function itemText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string') return (v as { type: string }).type;
  return undefined;
}

/**
 * Licenses of a package.json or lockfile entry: `license` (string or legacy { type }) and the
 * legacy `licenses` array (of strings or { type, url }). Duplicates are dropped.
 */
export function npmLicenses(license: unknown, licenses?: unknown): License[] {
  const texts: string[] = [];
  for (const v of [license, licenses]) {
    if (Array.isArray(v)) {
      for (const item of v.slice(0, 32)) {
        const t = itemText(item);
        if (t) texts.push(t);
      }
    } else {
      const t = itemText(v);
      if (t) texts.push(t);
    }
  }
  const out: License[] = [];
  const seen = new Set<string>();
  for (const t of texts) {
    const l = normalise(t);
    if (!l) continue;
    const key = l.spdx ?? `name:${l.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(l);
  }
  return out;
}
