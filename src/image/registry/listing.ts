/**
 * The distribution API's two listings, `/v2/_catalog` (repositories) and `/v2/<name>/tags/list`:
 * their pages (`Link: <…>; rel="next"`, RFC 8288) and the names in them. Both come from the
 * registry, so they are checked before a name is put into a URL or a reference: a name that is
 * not a repository name or tag by the distribution grammar is set aside, not used.
 */

/** A listing's names, and those it held that are not valid names (at most a few, shortened). */
export interface Listing {
  names: string[];
  /** How many entries were not valid names, and the first few of them. */
  rejectedCount: number;
  rejected: string[];
}

/** A hostile registry can page forever: at most this many pages per listing. */
export const MAX_LISTING_PAGES = 10_000;
/** Names per listing, all pages together. */
export const MAX_LISTING_NAMES = 1_000_000;
const MAX_REJECTED_SHOWN = 5;

// From distribution/reference: path components joined by '/', and tags.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export function isRepositoryName(s: string): boolean {
  return s.length > 0 && s.length <= 255 && s.split('/').every((c) => COMPONENT.test(c));
}

export function isTag(s: string): boolean {
  return TAG.test(s);
}

/** The target of the `rel="next"` link of a Link header, if any (resolved by the caller). */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  // `<url>; rel="next", <url>; rel="prev"`: a URL in angle brackets may hold commas and semicolons.
  const re = /<([^>]*)>\s*((?:;\s*[^;,]*)*)/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    const params = m[2].split(';').map((p) => p.trim()).filter(Boolean);
    const rel = params.map((p) => /^rel\s*=\s*"?([^"]*)"?$/i.exec(p)).find(Boolean);
    if (rel && rel[1].toLowerCase().split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}

/** Splits a page's names into valid ones and rejected ones (each at most 100 characters, shown as JSON). */
export function sortNames(values: readonly unknown[], valid: (s: string) => boolean, into: Listing): void {
  for (const v of values) {
    if (typeof v === 'string' && valid(v)) into.names.push(v);
    else if (into.rejectedCount++ < MAX_REJECTED_SHOWN) into.rejected.push(JSON.stringify(typeof v === 'string' ? v.slice(0, 100) : v)?.slice(0, 100) ?? String(v));
  }
}
