import { test } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';
import { conformanceFailures, loadRows, opOf, seededRandom } from './conformance.js';
import { semverScheme } from '../../src/versions/semver.js';
import { ScoutError } from '../../src/util/errors.js';

const strictRows = loadRows('semver.tsv');
const looseRows = loadRows('semver-loose.tsv');

test('semver: every row of semver.tsv holds in both directions, all strictly valid', () => {
  assert.equal(strictRows.length, 53);
  assert.deepEqual(strictRows.flatMap((r) => [r.a, r.b]).filter((v) => semver.valid(v) === null), []);
  assert.deepEqual(conformanceFailures(strictRows, semverScheme.compare), []);
});

test('semver: every row of semver-loose.tsv holds in both directions through the loose fallback', () => {
  assert.equal(looseRows.length, 28);
  // the file exists for the strings that strict parsing refuses ('v 1.2.3', '= 1.2.3')
  const looseOnly = [...new Set(looseRows.flatMap((r) => [r.a, r.b]))].filter((v) => semver.valid(v) === null);
  assert.ok(looseOnly.includes('v 1.2.3') && looseOnly.includes('= 1.2.3-beta'), looseOnly.join(', '));
  assert.deepEqual(conformanceFailures(looseRows, semverScheme.compare), []);
});

test('semver: agrees with node-semver on 300 random pairs of the conformance strings', () => {
  const strings = [...new Set([...strictRows, ...looseRows].flatMap((r) => [r.a, r.b]))];
  const random = seededRandom(7);
  const pick = (): string => strings[Math.floor(random() * strings.length)];
  for (let i = 0; i < 300; i++) {
    const a = pick();
    const b = pick();
    assert.equal(opOf(semverScheme.compare(a, b)), opOf(semver.compare(a, b, { loose: true })), `${a} vs ${b}`);
  }
});

test('semver: strings no parser accepts are refused with invalid-version', () => {
  for (const v of ['1.2', 'latest', '1.2.3.4', '']) {
    assert.equal(semverScheme.isValid(v), false, v);
    assert.throws(() => semverScheme.compare(v, '1.0.0'), (e: unknown) => e instanceof ScoutError && e.code === 'invalid-version');
  }
});
