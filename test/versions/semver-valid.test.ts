import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRows } from './conformance.js';
import { semverScheme } from '../../src/versions/semver.js';

test('semver: every version semver.tsv orders is valid; a tag, a two-part version and blank are not', () => {
  const versions = [...new Set(loadRows('semver.tsv').flatMap((r) => [r.a, r.b]))];
  assert.ok(versions.length >= 10, `${versions.length} versions`);
  assert.deepEqual(versions.filter((v) => !semverScheme.isValid(v)), []);
  assert.deepEqual(['latest', '1.2', ''].filter((v) => semverScheme.isValid(v)), []);
});
