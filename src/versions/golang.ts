/**
 * Go versions: module versions as golang.org/x/mod/semver orders them, plus Go toolchain names
 * ('go1.21.3', 'go1.22rc1') as go/version orders them. Written here (small, and x/mod/semver's
 * shorthands have no npm equivalent).
 *
 * Rules worth knowing:
 * - Shorthands: 'v1' = 'v1.0' = 'v1.0.0' (not allowed together with a pre-release or build).
 * - Build metadata is ignored, so '+incompatible' does not change the order:
 *   'v3.2.0' = 'v3.2.0+incompatible'.
 * - Pseudo-versions ('v0.0.0-20180116102854-5a71ef0e047d', 'v1.2.4-0.2006...-hash') are ordinary
 *   pre-releases and land between the previous tag and the next release by SemVer precedence.
 * - Versions without the 'v' ('1.20.1', as OSV writes Go standard-library versions) are read as if
 *   they had it.
 * - Toolchains: 'go1.21.3' = 'v1.21.3'; 'go1.22rc1' = 'v1.22.0-rc.1' (alpha/beta/rc). From Go 1.21 on,
 *   'go1.21' names the language version, which sorts before 'go1.21rc1' and 'go1.21.0'; up to Go
 *   1.20 'go1.20' was the name of the release itself, so it equals 'go1.20.0'.
 * x/mod/semver puts every invalid string below every valid one and all invalid strings equal; that
 * is no order to match advisories with, so compare() throws ScoutError('invalid-version').
 */
import { ScoutError } from '../util/errors.js';
import type { VersionScheme } from './types.js';
import { compareDigitStrings } from './digits.js';

interface GoVersion {
  major: string;
  minor: string;
  patch: string;
  /** pre-release identifiers, empty for a release */
  prerelease: string[];
}

const NUM = '(0|[1-9][0-9]*)';
const IDENT = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(`^v${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-(${IDENT}(?:\\.${IDENT})*))?(?:\\+${IDENT}(?:\\.${IDENT})*)?)?)?$`);
// go/version: no leading zeros, and no pre-release of a patch release ('go1.21.3rc1' is invalid).
const TOOLCHAIN = /^go(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:\.(0|[1-9][0-9]*)|(alpha|beta|rc)(0|[1-9][0-9]*)?)?$/;

function parseToolchain(m: RegExpExecArray): GoVersion {
  const [, major, minor = '0', patch, kind, pre] = m;
  if (kind) return { major, minor, patch: '0', prerelease: pre === undefined ? [kind] : [kind, pre] };
  if (patch !== undefined) return { major, minor, patch, prerelease: [] };
  // 'go1.21' (language version) sorts before its pre-releases; before Go 1.21 it was the release
  // (go/version compares only the minor number with 21).
  const languageVersion = compareDigitStrings(minor, '21') >= 0;
  return { major, minor, patch: '0', prerelease: languageVersion ? ['0'] : [] };
}

function parse(v: string): GoVersion | undefined {
  const s = v.trim();
  const tc = TOOLCHAIN.exec(s);
  if (tc) return parseToolchain(tc);
  const m = SEMVER.exec(/^[0-9]/.test(s) ? `v${s}` : s);
  if (!m) return undefined;
  const [, major, minor, patch, pre] = m;
  const prerelease = pre === undefined ? [] : pre.split('.');
  // SemVer: numeric identifiers must not have leading zeros.
  if (prerelease.some((id) => /^0[0-9]+$/.test(id))) return undefined;
  return { major, minor: minor ?? '0', patch: patch ?? '0', prerelease };
}

function mustParse(v: string): GoVersion {
  const parsed = parse(v);
  if (!parsed) throw new ScoutError('invalid-version', `not a Go version: ${JSON.stringify(v.slice(0, 100))}`);
  return parsed;
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^[0-9]+$/.test(a);
  const bn = /^[0-9]+$/.test(b);
  if (an && bn) return compareDigitStrings(a, b);
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrerelease(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareIdentifiers(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareGolang(a: string, b: string): number {
  const x = mustParse(a);
  const y = mustParse(b);
  return (
    compareDigitStrings(x.major, y.major) ||
    compareDigitStrings(x.minor, y.minor) ||
    compareDigitStrings(x.patch, y.patch) ||
    comparePrerelease(x.prerelease, y.prerelease)
  );
}

export const golangScheme: VersionScheme = {
  name: 'golang',
  isValid: (v) => parse(v) !== undefined,
  compare: compareGolang,
};
