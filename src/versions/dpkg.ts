/**
 * Debian package versions, `[epoch:]upstream[-revision]`, ordered as dpkg's verrevcmp() does
 * (lib/dpkg/version.c). Written here, no library.
 *
 * Rules worth knowing:
 * - The epoch is the digits before the first ':'; it is compared as a number. The revision is
 *   everything after the LAST '-' (the upstream part may itself contain hyphens).
 * - A missing revision is the empty string, and "" equals "0" ('1.0' = '1.0-0').
 * - Strings alternate non-digit and digit runs. Non-digit runs compare character by character by
 *   a weight: '~' sorts before everything, even the end of the string ('1.0~rc1' < '1.0'), then
 *   the end of the run, then ASCII letters, then every other character ('+', '.', '-', ...).
 *   So '1.0+x' > '1.0' but '1.0~x' < '1.0', and '.' > any letter ('0foo.bar' > '0foobar').
 * - Digit runs compare numerically, any length (leading zeros ignored: '1.09' = '1.9').
 * dpkg works on bytes; we compare the UTF-8 bytes the same way, with dpkg's signed-char quirk
 * for bytes >= 0x80 (they weigh 128..255: above letters, below ASCII punctuation).
 */
import type { VersionScheme } from './types.js';
import { compareDigitStrings, sign } from './digits.js';

interface DebianVersion {
  epoch: string;
  upstream: Uint8Array;
  revision: Uint8Array;
}

// dpkg trims blanks (spaces and tabs) from both ends and nothing else: a trailing '\n' or '\r'
// is a character of the version (dpkg warns about it, and orders it).
const BLANKS = /^[ \t]+|[ \t]+$/g;
// dpkg reads the epoch with strtol(), which skips leading white space and takes a '+' sign
// (blanks were trimmed already, and one inside the version is an error).
const EPOCH = /^[\n\v\f\r]*\+?(\d+):/;

function parse(v: string): DebianVersion {
  const s = v.replace(BLANKS, '');
  // A non-numeric "epoch" is invalid for dpkg; to stay total we then read the whole string as
  // upstream version (isValid reports it).
  const m = EPOCH.exec(s);
  const epoch = m ? m[1] : '0';
  const rest = m ? s.slice(m[0].length) : s;
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen < 0 ? rest : rest.slice(0, hyphen);
  const revision = hyphen < 0 ? '' : rest.slice(hyphen + 1);
  return { epoch, upstream: Buffer.from(upstream, 'utf8'), revision: Buffer.from(revision, 'utf8') };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** dpkg's order(): weight of one byte inside a non-digit run; 0 = end of string (or a digit). */
function order(c: number | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126 /* ~ */) return -1;
  // dpkg's `c + 256` on a signed char: ASCII punctuation weighs 256+c, bytes >= 0x80 weigh c.
  return c < 128 ? c + 256 : c;
}

/** dpkg verrevcmp() on byte strings. */
export function verrevcmp(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    while (a[i] === 48) i++;
    while (b[j] === 48) j++;
    while (i < a.length && j < b.length && isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a[i] - b[j];
      i++;
      j++;
    }
    if (i < a.length && isDigit(a[i])) return 1;
    if (j < b.length && isDigit(b[j])) return -1;
    if (firstDiff) return sign(firstDiff);
  }
  return 0;
}

export function compareDpkg(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  return compareDigitStrings(x.epoch, y.epoch) || verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision);
}

/**
 * dpkg's parseversion() checks, errors and warnings alike: numeric epoch (at most INT_MAX), something after the
 * colon, non-empty upstream starting with a digit, non-empty revision after a '-', and only the
 * allowed characters (upstream: alnum . + ~ - :, revision: alnum . + ~). No embedded spaces;
 * blanks around the version are not part of it.
 */
export function isValidDpkg(v: string): boolean {
  // An empty version, white space inside one and nothing after the colon all fail the
  // character checks below.
  const s = v.replace(BLANKS, '');
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    // dpkg parses the epoch with strtol into an int and refuses anything above INT_MAX.
    const epoch = EPOCH.exec(s);
    if (!epoch || Number(epoch[1]) > 2147483647) return false;
    rest = s.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen < 0 ? rest : rest.slice(0, hyphen);
  const revision = hyphen < 0 ? '' : rest.slice(hyphen + 1);
  if (hyphen >= 0 && revision === '') return false;
  if (!/^[0-9][A-Za-z0-9.+~:-]*$/.test(upstream)) return false;
  return /^[A-Za-z0-9.+~]*$/.test(revision);
}

export const dpkgScheme: VersionScheme = {
  name: 'dpkg',
  isValid: isValidDpkg,
  compare: compareDpkg,
};
