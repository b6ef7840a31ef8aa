/**
 * NuGet versions at the edges the conformance rows do not reach: a release against a
 * pre-release whose label sorts late, validity of the versions those rows compare, and
 * surrounding whitespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRows } from './conformance.js';
import { nugetScheme } from '../../src/versions/nuget.js';

test('nuget: a release is newer than every pre-release of it, whatever its label', () => {
  for (const label of ['alpha', 'beta', 'rc', 'zeta', 'ZZZ', 'z.9', '999']) {
    assert.equal(nugetScheme.compare('1.0.0', `1.0.0-${label}`), 1, label);
    assert.equal(nugetScheme.compare(`1.0.0-${label}`, '1.0.0'), -1, label);
  }
});

test('nuget: every version of nuget.tsv is valid, and surrounding whitespace is trimmed', () => {
  const versions = [...new Set(loadRows('nuget.tsv').flatMap((r) => [r.a, r.b]))];
  assert.ok(versions.length >= 20, `${versions.length} versions`);
  assert.deepEqual(versions.filter((v) => !nugetScheme.isValid(v)), []);
  assert.equal(nugetScheme.isValid(' 1.0.0-beta \t'), true);
  assert.equal(nugetScheme.compare(' 1.0.0-beta\n', '1.0.0-BETA'), 0);
});
