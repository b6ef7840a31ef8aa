import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFailures, loadRows } from './conformance.js';
import { pep440Scheme } from '../../src/versions/pep440.js';
import { ScoutError } from '../../src/util/errors.js';

test('pep440: every row of pep440.tsv holds in both directions', () => {
  const rows = loadRows('pep440.tsv');
  assert.equal(rows.length, 527);
  assert.deepEqual(conformanceFailures(rows, pep440Scheme.compare), []);
});

test('pep440: surrounding whitespace is allowed, as packaging allows it', () => {
  assert.equal(pep440Scheme.compare(' 1.0 ', '1.0.0'), 0);
});

test('pep440: non-PEP 440 strings are refused with invalid-version', () => {
  for (const v of ['1.0-foo-bar', 'french toast', '1.0+', '']) {
    assert.equal(pep440Scheme.isValid(v), false, v);
    assert.throws(() => pep440Scheme.compare('1.0', v), (e: unknown) => e instanceof ScoutError && e.code === 'invalid-version');
  }
});
