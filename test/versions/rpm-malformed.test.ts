/**
 * Strings that are not valid EVRs still get an order (an SBOM or a hand-written advisory may hold
 * one), and it is rpm's own: rpm.vercmp reads them without complaint, except an empty version or
 * several ':'. The generated pairs are short strings over the characters that steer the parse
 * (':', '-', '~', '^', '.', digits, letters), so every corner of it is met many times: no epoch
 * before ':', several '-', an empty version or release, '~' against the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from './conformance.js';
import { disagreements, hasRpm, rpmOrder } from './rpm-oracle.js';
import { rpmScheme } from '../../src/versions/rpm.js';

test('rpm: 3,000 short malformed strings are ordered as rpm.vercmp orders them', () => {
  assert.ok(hasRpm, "rpm (>= 4.16) is the oracle here and .ci/run installs it: install Debian's rpm");
  const random = seededRandom(16);
  const chars = [...'01a~^.-:b'];
  const word = (): string => Array.from({ length: Math.floor(random() * 6) }, () => chars[Math.floor(random() * chars.length)]).join('');
  const pairs: [string, string][] = Array.from({ length: 3000 }, () => [word(), word()]);
  const refused = rpmOrder(pairs).filter((w) => w === 'refused').length;
  // About a third hold an empty version or a second ':'; the rest are what the test is about.
  assert.ok(refused < 1200, `rpm refused ${refused} of 3000 pairs`);
  const kinds = (re: RegExp) => pairs.filter(([a, b]) => re.test(a) || re.test(b)).length;
  assert.ok(kinds(/-.*-/) >= 200 && kinds(/^-|^:|:-/) >= 300 && kinds(/[^0-9]:/) >= 300, `several hyphens ${kinds(/-.*-/)}, empty versions ${kinds(/^-|^:|:-/)}, non-numeric epochs ${kinds(/[^0-9]:/)}`);
  assert.deepEqual(disagreements(pairs, true), []);
});

test('rpm: the corners of the parse, each against rpm.vercmp', () => {
  assert.ok(hasRpm, "rpm (>= 4.16) is the oracle here and .ci/run installs it: install Debian's rpm");
  const pairs: [string, string][] = [
    // The release starts after the last '-': version '1-1' is newer than version '1'.
    ['1-1-5', '1-2'],
    ['1.0-1-5', '1.0-2'],
    // An empty epoch is epoch 0; an epoch that is not all digits is part of the version.
    [':1.0-1', '1.0-1'],
    [':1.0-1', '0:1.0-1'],
    ['a:1-1', '0:a.1-1'],
    ['a:2-1', '1:1-1'],
    // An empty version, and an empty release: '~' sorts before them, anything else after.
    ['-1', '0-1'],
    ['1:-1', '1:0-1'],
    [':', '~'],
    ['-1', '~-1'],
    ['1.0-', '1.0-~'],
    // An absent release sorts before every present one, even '~1' and the empty one.
    ['1.0', '1.0-~1'],
    ['1.0', '1.0-'],
    ['1.0', '1.0-^'],
    // '^' against a letter, a digit and the end.
    ['1.0a-1', '1.0^-1'],
    ['1.0^-1', '1.01-1'],
    ['1.0^', '1.0'],
    // Runs: digits beat letters; a longer tail wins only after equal runs.
    ['1.0.a', '1.0.1'],
    ['1.0a', '1.0'],
    ['1.0', '1.0.0'],
    ['1.a', '1.b'],
  ];
  assert.deepEqual(disagreements(pairs), []);
});

test('rpm: surrounding whitespace is trimmed before the epoch is looked for', () => {
  // rpm itself reads ' 1:2.0' as version ' 1:2.0' with epoch 0 (rpm.vercmp(' 1:2.0-1', '1:2.0-1')
  // is -1); no EVR rpm writes has whitespace, and every scheme here trims it, so the epoch counts.
  assert.equal(rpmScheme.compare(' 1:2.0-1', '1:2.0-1'), 0);
  assert.equal(rpmScheme.compare('1:2.0-1 \t', '3.0-1'), 1);
  assert.equal(rpmScheme.isValid(' 1:2.0-1 '), true);
});
