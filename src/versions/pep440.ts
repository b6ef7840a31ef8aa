/**
 * Python versions (PEP 440) as `packaging.version.Version` orders them, via @renovatebot/pep440.
 *
 * Rules worth knowing: epoch first ('1!0.1' > '2.0'); trailing zeros of the release do not count
 * ('1.0' = '1.0.0'); '.devN' < 'aN' < 'bN' < 'rcN' < release < '.postN'; a local label
 * ('+ubuntu1') sorts after the same version without one. Spellings are normalised ('1.0-alpha1'
 * = '1.0a1', 'c'/'pre'/'preview' = 'rc', '1.0-1' = '1.0.post1'); packaging allows surrounding
 * whitespace, so do we. Strings that are not PEP 440 (e.g. legacy '2.0-foo-bar') cannot be ordered:
 * compare() throws ScoutError('invalid-version').
 *
 * Known limit: the library keeps numbers as JS numbers, so two parts that differ only beyond
 * 2^53 (16+ digits) may compare equal; real PyPI versions do not come near that.
 */
import { compare, valid } from '@renovatebot/pep440';
import { ScoutError } from '../util/errors.js';
import type { VersionScheme } from './types.js';
import { memoizeParse } from '../util/memo.js';

function normalise(v: string): string {
  return v.trim();
}

/** Every comparison checks both sides first: remember the answer per string. */
export const isValidPep440 = memoizeParse((v: string): boolean => valid(normalise(v)) !== null);

/**
 * The library parses both strings on every call; matching compares the same installed version
 * with the same range events again and again (every re-match of a stored SBOM), so each pair's
 * answer is remembered.
 */
const comparePair = memoizeParse((pair: string): number => {
  const sep = pair.indexOf('\0');
  const c = compare(normalise(pair.slice(0, sep)), normalise(pair.slice(sep + 1)));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
});

export function comparePep440(a: string, b: string): number {
  for (const v of [a, b]) {
    if (!isValidPep440(v)) throw new ScoutError('invalid-version', `not a PEP 440 version: ${JSON.stringify(v.slice(0, 100))}`);
  }
  return comparePair(`${a}\0${b}`);
}

export const pep440Scheme: VersionScheme = {
  name: 'pep440',
  isValid: isValidPep440,
  compare: comparePep440,
};
