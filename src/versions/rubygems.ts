/**
 * RubyGems versions, ordered as `Gem::Version#<=>` (rubygems/version.rb). Written here rather than
 * with @renovatebot/ruby-semver because that port keeps segments as JS numbers (inexact beyond
 * 2^53); the rules are short.
 *
 * Rules worth knowing:
 * - '-' means '.pre.': '1.0-1' is '1.0.pre.1'.
 * - The version is cut into runs of digits and runs of letters ('1.0.b1' → 1, 0, 'b', 1).
 * - Trailing zeros are dropped from the numeric part and from the part after the first letter
 *   run ('1.0' = '1', '1.0.a' = '1.a'), then segments compare one by one, a missing one
 *   counting as 0.
 * - A letter segment is older than any number ('1.0.a' < '1.0' < '1.0.1'): anything with a letter
 *   is a pre-release. Letter segments compare as byte strings ('B' < 'a').
 * Blank is version '0', as in RubyGems. Strings Gem::Version refuses ('1beta': a letter run
 * straight after the first number) are still ordered by the same segment rules, as osv-scalibr
 * does ('1beta' < '1'); isValid() tells them apart.
 */
import type { VersionScheme } from './types.js';
import { compareDigitStrings } from './digits.js';

// Gem::Version::ANCHORED_VERSION_PATTERN ((?>...) atomic group is not needed: no backtracking
// can change what this pattern accepts).
const VERSION_PATTERN = /^\s*([0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*$/;

export function isValidRubygems(v: string): boolean {
  return VERSION_PATTERN.test(v);
}

type Segment = string; // digits or letters; digits are recognised by their first character

function isNumeric(s: Segment): boolean {
  return s.charCodeAt(0) >= 48 && s.charCodeAt(0) <= 57;
}

function isZero(s: Segment): boolean {
  return isNumeric(s) && /^0+$/.test(s);
}

/** Gem::Version#canonical_segments */
function canonicalSegments(v: string): Segment[] {
  const text = v.trim() === '' ? '0' : v.trim().replaceAll('-', '.pre.');
  const segments = text.match(/[0-9]+|[a-z]+/gi) ?? [];
  const firstString = segments.findIndex((s) => !isNumeric(s));
  const numeric = firstString < 0 ? segments : segments.slice(0, firstString);
  const rest = firstString < 0 ? [] : segments.slice(firstString);
  const dropTrailingZeros = (list: Segment[]): Segment[] => {
    let end = list.length;
    while (end > 0 && isZero(list[end - 1])) end--;
    return list.slice(0, end);
  };
  return [...dropTrailingZeros(numeric), ...dropTrailingZeros(rest)];
}

export function compareRubygems(a: string, b: string): number {
  const x = canonicalSegments(a);
  const y = canonicalSegments(b);
  const n = Math.max(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const l = x[i] ?? '0';
    const r = y[i] ?? '0';
    if (isNumeric(l) && isNumeric(r)) {
      const c = compareDigitStrings(l, r);
      if (c !== 0) return c;
      continue;
    }
    if (!isNumeric(l) && isNumeric(r)) return -1;
    if (isNumeric(l) && !isNumeric(r)) return 1;
    if (l !== r) return l < r ? -1 : 1;
  }
  return 0;
}

export const rubygemsScheme: VersionScheme = {
  name: 'rubygems',
  isValid: isValidRubygems,
  compare: compareRubygems,
};
