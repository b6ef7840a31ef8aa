import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_SCHEMES, schemeForPurlType } from '../../src/versions/index.js';

test('ALL_SCHEMES holds each scheme a Package URL type maps to, once', () => {
  const names = ALL_SCHEMES.map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  const byPurl = ['deb', 'rpm', 'apk', 'npm', 'pypi', 'maven', 'gem', 'golang', 'nuget', 'composer'].map((t) => schemeForPurlType(t));
  assert.deepEqual(byPurl.filter((s) => s === undefined || !ALL_SCHEMES.includes(s)), []);
  assert.equal(names.length, byPurl.length);
});
