/**
 * Go module pre-releases are SemVer 2.0 pre-releases (golang.org/x/mod/semver), so npm's semver,
 * which orders them by the same rule, is the oracle here: numeric identifiers compare as numbers
 * and before alphanumeric ones ('-' counts as a letter: '--x' is alphanumeric), alphanumeric
 * ones as ASCII text, and a shorter list of equal identifiers first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';
import { opOf, seededRandom } from './conformance.js';
import { golangScheme } from '../../src/versions/golang.js';

test('golang: pre-release order agrees with npm semver on 2,000 generated pairs', () => {
  const random = seededRandom(1_21);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const identifier = (): string => pick(['0', '1', '2', '9', '10', '100', '1000', 'rc1', 'rc10', 'x1', 'beta', 'beta2', 'a10', 'b9', '-', '--x', '-1', 'A1', '0a', '01a', 'rc01', 'alpha']);
  const version = (): string => `v1.2.3-${Array.from({ length: 1 + Math.floor(random() * 3) }, identifier).join('.')}`;
  const pairs = Array.from({ length: 2000 }, () => [version(), version()] as const);
  const differ = pairs.filter(([a, b]) => opOf(golangScheme.compare(a, b)) !== opOf(semver.compare(a.slice(1), b.slice(1))));
  assert.deepEqual(differ, []);
  assert.deepEqual(pairs.filter(([a]) => !golangScheme.isValid(a)), []);
});

test('golang: a leading zero is refused only in a numeric pre-release identifier, as SemVer (npm semver) says', () => {
  const versions = ['v1.2.3-0a', 'v1.2.3-01a', 'v1.2.3-rc01', 'v1.2.3-001', 'v1.2.3-00', 'v1.2.3-rc.01', 'v1.2.3-rc.0', 'v1.2.3--x', 'v1.2.3-0'];
  assert.deepEqual(versions.filter((v) => golangScheme.isValid(v) !== (semver.valid(v.slice(1)) !== null)), []);
  assert.ok(versions.filter((v) => golangScheme.isValid(v)).length >= 5, 'valid ones too');
});

test('golang: toolchain names at the edges of the grammar, and whitespace', () => {
  // 'go1' is Go 1's language version, the same as go1.0.0; later majors and two-digit
  // pre-release numbers are part of go/version's grammar; surrounding whitespace is trimmed, as
  // every scheme here does.
  assert.deepEqual(['go1', 'go10.1', 'go1.22rc10', ' go1.21.0 ', ' v1.2.3\n'].filter((v) => !golangScheme.isValid(v)), []);
  assert.deepEqual(['xgo1.21', 'go1.21x', 'go1.'].filter((v) => golangScheme.isValid(v)), []);
  assert.equal(golangScheme.compare('go1', 'go1.0.0'), 0);
  assert.equal(golangScheme.compare('go1', 'go1.0.1'), -1);
  assert.equal(golangScheme.compare('go10.1', 'go9.1'), 1);
  assert.equal(golangScheme.compare('go1.22rc10', 'go1.22rc9'), 1);
  assert.equal(golangScheme.compare(' v1.2.3\n', 'v1.2.3'), 0);
});
