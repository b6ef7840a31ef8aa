/**
 * Composer / Packagist versions, ordered like PHP's version_compare() after Composer's trimming of
 * a leading 'v'/'V' — the rules osv-scalibr implements for the Packagist ecosystem. Written here.
 *
 * Rules worth knowing:
 * - '-', '_' and '+' become '.', and a '.' is inserted at every letter/digit transition:
 *   '1.0rc1' → 1.0.rc.1, '1.25.0-beta2.1' → 1.25.0.beta.2.1.
 * - Parts compare pairwise: numbers numerically (any length); words by their special-form weight,
 *   matched by prefix: dev < alpha = a < beta = b < RC = rc < '#' < pl = p, so 'beta2' = 'b2'.
 *   A number against a word counts as '#': '1.0' > '1.0rc1' but '1.0' < '1.0pl1'. Unknown words
 *   weigh below 'dev', as in PHP ('dev-foo' < '1.26.0').
 * - When one side runs out: if the other continues with a number it is newer ('1.0.0' > '1.0'),
 *   otherwise its remaining parts are compared against '#' ('1.0' > '1.0-beta').
 * Every string has a place in this order.
 */
import type { VersionScheme } from './types.js';
import { compareDigitStrings } from './digits.js';

function canonicalize(v: string): string[] {
  return v
    .trim()
    .replace(/^[vV]/, '')
    .replace(/[-_+]/g, '.')
    .replace(/([^\d.])(\d)/g, '$1.$2')
    .replace(/(\d)([^\d.])/g, '$1.$2')
    .split('.');
}

const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

function weight(part: string): number {
  for (const [form, w] of SPECIAL_FORMS) if (part.startsWith(form)) return w;
  return -1;
}

const isNumber = (s: string): boolean => /^[0-9]+$/.test(s);

function comparePart(a: string, b: string): number {
  const an = isNumber(a);
  const bn = isNumber(b);
  if (an && bn) return compareDigitStrings(a, b);
  return Math.sign(weight(an ? '#' : a) - weight(bn ? '#' : b));
}

/**
 * The longer side's remaining parts against '#', as version_compare recurses: a number among them
 * makes the longer side newer, a word is weighed against '#'. A loop, not recursion, so a hostile
 * string with a million parts cannot exhaust the stack.
 */
function compareTail(tail: string[]): number {
  for (let k = 0; k < tail.length; k++) {
    if (isNumber(tail[k])) return 1;
    const c = comparePart(tail[k], '#');
    if (c !== 0) return c;
  }
  return 0;
}

function compareParts(a: string[], b: string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = comparePart(a[i], b[i]);
    if (c !== 0) return c;
  }
  if (a.length > n) return compareTail(a.slice(n));
  if (b.length > n) return -compareTail(b.slice(n));
  return 0;
}

export function compareComposer(a: string, b: string): number {
  return compareParts(canonicalize(a), canonicalize(b));
}

export const composerScheme: VersionScheme = {
  name: 'composer',
  // Composer's VersionParser accepts far less than version_compare orders; for matching we only
  // need the order, so anything with at least one digit counts as a version.
  isValid: (v) => /[0-9]/.test(v),
  compare: compareComposer,
};
