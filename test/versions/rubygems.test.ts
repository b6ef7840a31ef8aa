import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFailures, loadRows } from './conformance.js';
import { rubygemsScheme } from '../../src/versions/rubygems.js';

test('rubygems: every row of rubygems.tsv holds in both directions', () => {
  const rows = loadRows('rubygems.tsv');
  assert.equal(rows.length, 255);
  assert.deepEqual(conformanceFailures(rows, rubygemsScheme.compare), []);
});

test('rubygems: isValid is Gem::Version.correct?', () => {
  for (const v of ['1.0', '1.0.a.2', '1.0-1', ' 2.0 ', '', '1.2.3-rc.1']) assert.equal(rubygemsScheme.isValid(v), true, JSON.stringify(v));
  for (const v of ['1beta', 'junk', '1..2', '1.0-', '-1']) assert.equal(rubygemsScheme.isValid(v), false, JSON.stringify(v));
});

test('rubygems: numbers of any length compare exactly', () => {
  assert.equal(rubygemsScheme.compare('1.99999999999999999999', '1.99999999999999999998'), 1);
});
