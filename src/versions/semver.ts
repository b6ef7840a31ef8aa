/**
 * SemVer 2.0 (npm, crates.io) as node-semver orders it: strict parsing first, node-semver's
 * loose parsing ('v1.2.3', '=1.2.3', 'v 1.2.3', surrounding spaces) as the fallback.
 *
 * Build metadata is ignored ('1.2.3+a' = '1.2.3+b'); a pre-release sorts before its release and
 * pre-release identifiers compare numerically when both are numeric, else as ASCII strings, with
 * numeric ones first ('1.0.0-2' < '1.0.0-10' < '1.0.0-a').
 * A string neither parser accepts has no place in the order: compare() throws
 * ScoutError('invalid-version').
 */
import semver from 'semver';
import { ScoutError } from '../util/errors.js';
import type { VersionScheme } from './types.js';
import { memoizeParse } from '../util/memo.js';

const parse = memoizeParse((v: string): semver.SemVer | null => semver.parse(v) ?? semver.parse(v, { loose: true }));

function mustParse(v: string): semver.SemVer {
  const parsed = parse(v);
  if (!parsed) throw new ScoutError('invalid-version', `not a SemVer version: ${JSON.stringify(v.slice(0, 100))}`);
  return parsed;
}

export function compareSemver(a: string, b: string): number {
  return mustParse(a).compare(mustParse(b));
}

export const semverScheme: VersionScheme = {
  name: 'semver',
  isValid: (v) => parse(v) !== null,
  compare: compareSemver,
};
