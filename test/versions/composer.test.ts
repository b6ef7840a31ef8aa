import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFailures, loadRows } from './conformance.js';
import { composerScheme } from '../../src/versions/composer.js';

test('composer: every row of composer.tsv holds in both directions', () => {
  const rows = loadRows('composer.tsv');
  assert.equal(rows.length, 364);
  assert.deepEqual(conformanceFailures(rows, composerScheme.compare), []);
});

test('composer: a string with a million parts is ordered without exhausting the stack', () => {
  const tail = '.beta'.repeat(1_000_000);
  assert.equal(composerScheme.compare('1' + tail, '1'), -1);
  // the first extra part decides: 'beta' is older than a release, the trailing '.1' never counts
  assert.equal(composerScheme.compare('1', '1' + tail + '.1'), 1);
});
