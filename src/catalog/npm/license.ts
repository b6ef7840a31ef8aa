import type { License } from '../../sbom/model.js';
import { dedupeLicenses, normaliseLicense } from '../../sbom/license.js';

/** npm's own words for "no license to use" or "read the file": kept as they are, as names. */
const NPM_SPECIAL = /^(UNLICENSED|SEE LICEN[SC]E IN\b)/i;

/** One license text of package.json, through the shared normaliser (src/sbom/license.ts). */
function normalise(raw: string): License[] {
  const s = raw.trim();
  if (NPM_SPECIAL.test(s)) return [{ name: s.slice(0, 512) }];
  return normaliseLicense(s);
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
  return dedupeLicenses(texts.flatMap(normalise));
}
