import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFailures, loadRows } from './conformance.js';
import { rpmScheme } from '../../src/versions/rpm.js';

test('rpm: every row of rpm.tsv holds in both directions', () => {
  const rows = loadRows('rpm.tsv');
  assert.equal(rows.length, 170);
  assert.deepEqual(conformanceFailures(rows, rpmScheme.compare), []);
});

test('rpm: isValid accepts package EVRs and rejects what rpm would not build', () => {
  // bind in RHEL 7 has epoch 32
  for (const v of ['1.0', '1:2.3-4.el8', '2.23.2-22.el7_1.1', '1.0~rc1^git1-1', '0:3.10.0-229.1.2.ael7b', '32:9.11.4-26.P2.el7']) assert.equal(rpmScheme.isValid(v), true, v);
  for (const v of ['', 'a:1', '1-2-3', '1.0-', '1.0 2', '-1']) assert.equal(rpmScheme.isValid(v), false, v);
});

test('rpm: hostile input is ordered without throwing', () => {
  assert.equal(rpmScheme.compare('1.' + '1'.repeat(100_000), '1.' + '1'.repeat(99_999) + '2'), -1);
  assert.equal(rpmScheme.compare('~'.repeat(100_000), '~'.repeat(100_001)), 1);
});
