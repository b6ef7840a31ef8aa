/**
 * RPM versions, `[epoch:]version[-release]`, ordered by rpmvercmp() (rpmio/rpmvercmp.c) on each
 * of epoch, version and release in turn. Written here, no library.
 *
 * Rules worth knowing:
 * - Only alphanumeric runs matter; any other character ('.', '_', '+', non-ASCII, ...) is just a
 *   separator, so '2_0' = '2.0' and '1.1.α' = '1.1.β'.
 * - Digit runs compare numerically (any length), letter runs with strcmp; a digit run beats a
 *   letter run ('1.0' < '1.0.1', but '6.0.rc1' > '6.0' because the extra run is the longer tail).
 * - '~' sorts before everything, even the end of the string: '1.0~rc1' < '1.0'.
 * - '^' sorts after the end of the string but before any further run: '1.0' < '1.0^git1' <
 *   '1.0.1' (post-release snapshots).
 * - The epoch is the part before the first ':' only when it is all digits (default 0); otherwise
 *   the whole string is the version ('a:1' is a version, not epoch 'a').
 * - The release is everything after the last '-' of the remainder, as rpm's own EVR parser reads
 *   it (strrchr): '1-1-5' is version '1-1', release '5', so it is newer than '1-2'. (A valid EVR
 *   has one '-'; osv-scalibr cuts at the first, which orders such strings differently.)
 * - A present release — even an empty one after a trailing '-' — sorts after an absent one, as
 *   rpm.vercmp and osv-scalibr both do: '1' < '1-' < '1-0', and '1' < '1-~1'. (rpm's own
 *   dependency matching skips the release when one side has none; advisories always carry one.)
 * - Surrounding whitespace is trimmed first, as every scheme here does; rpm itself would not find
 *   the epoch of ' 1:2.0' (no EVR rpm writes has whitespace, so only hand-written input differs).
 */
import type { VersionScheme } from './types.js';
import { compareDigitStrings, isAsciiDigit, isAsciiLetter } from './digits.js';

interface RpmVersion {
  epoch: string;
  version: string;
  /** undefined when absent; '' for the empty release after a trailing '-'. */
  release: string | undefined;
}

function parse(v: string): RpmVersion {
  const s = v.trim();
  const colon = s.indexOf(':');
  let epoch = '0';
  let vr = s;
  if (colon >= 0 && /^\d*$/.test(s.slice(0, colon))) {
    epoch = colon === 0 ? '0' : s.slice(0, colon);
    vr = s.slice(colon + 1);
  }
  const hyphen = vr.lastIndexOf('-');
  return hyphen < 0
    ? { epoch, version: vr, release: undefined }
    : { epoch, version: vr.slice(0, hyphen), release: vr.slice(hyphen + 1) };
}

function isSeparator(c: number): boolean {
  return !isAsciiLetter(c) && !isAsciiDigit(c) && c !== 126 /* ~ */ && c !== 94 /* ^ */;
}

/**
 * rpmvercmp() on one component, step for step: an empty component sorts before any other except
 * one starting with '~' ('' > '~', as '1.0' > '1.0~rc1').
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (true) {
    while (i < a.length && isSeparator(a.charCodeAt(i))) i++;
    while (j < b.length && isSeparator(b.charCodeAt(j))) j++;

    // '~' on both sides: skip it; on one side: that side is older.
    const aTilde = a.charCodeAt(i) === 126;
    const bTilde = b.charCodeAt(j) === 126;
    if (aTilde || bTilde) {
      if (!aTilde) return 1;
      if (!bTilde) return -1;
      i++;
      j++;
      continue;
    }
    // '^' on both sides: skip it; on one side: older, unless the other side has ended.
    const aCaret = a.charCodeAt(i) === 94;
    const bCaret = b.charCodeAt(j) === 94;
    if (aCaret || bCaret) {
      if (!aCaret) return i >= a.length ? -1 : 1;
      if (!bCaret) return j >= b.length ? 1 : -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;

    // Take a run of the type that `a` starts with from both strings.
    const numeric = isAsciiDigit(a.charCodeAt(i));
    const inRun = numeric ? isAsciiDigit : isAsciiLetter;
    const si = i;
    const sj = j;
    while (i < a.length && inRun(a.charCodeAt(i))) i++;
    while (j < b.length && inRun(b.charCodeAt(j))) j++;
    const ra = a.slice(si, i);
    const rb = b.slice(sj, j);
    // Different run types: a numeric run is newer than an alphabetic one.
    if (rb === '') return numeric ? 1 : -1;
    const c = numeric ? compareDigitStrings(ra, rb) : ra < rb ? -1 : ra > rb ? 1 : 0;
    if (c !== 0) return c;
  }
  // Equal up to where one ended: whichever has something left wins.
  const restA = a.length - i;
  const restB = b.length - j;
  return restA === restB ? 0 : restA > restB ? 1 : -1;
}

export function compareRpm(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  return rpmvercmp(x.epoch, y.epoch) || rpmvercmp(x.version, y.version) || compareReleases(x.release, y.release);
}

/** An absent release sorts before any present one, even '~1' or the empty one. */
function compareReleases(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return rpmvercmp(a, b);
}

/** What rpm accepts in a package's EVR: numeric epoch, then version and release of [A-Za-z0-9._+~^]. */
export function isValidRpm(v: string): boolean {
  return /^(\d+:)?[A-Za-z0-9._+~^]+(-[A-Za-z0-9._+~^]+)?$/.test(v.trim());
}

export const rpmScheme: VersionScheme = {
  name: 'rpm',
  isValid: isValidRpm,
  compare: compareRpm,
};
