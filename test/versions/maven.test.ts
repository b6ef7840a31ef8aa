import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFailures, loadRows } from './conformance.js';
import { mavenScheme } from '../../src/versions/maven.js';
import { ScoutError } from '../../src/util/errors.js';

test('maven: every row of maven.tsv holds in both directions', () => {
  const rows = loadRows('maven.tsv');
  assert.equal(rows.length, 1371);
  assert.deepEqual(conformanceFailures(rows, mavenScheme.compare), []);
});

test('maven: like Maven, versions over 256 characters are refused instead of nested without bound', () => {
  const deep = '1' + '-1'.repeat(200);
  assert.equal(mavenScheme.isValid(deep), false);
  assert.throws(() => mavenScheme.compare(deep, '1'), (e: unknown) => e instanceof ScoutError && e.code === 'invalid-version');
  const ok = '1' + '-1'.repeat(126);
  assert.equal(mavenScheme.isValid(ok), true);
  assert.equal(ok.length, 253);
  assert.equal(mavenScheme.compare(ok, ok + '.1'), -1);
});

test('maven: the length limit is 256 characters, exactly', () => {
  const at256 = '1.' + '0'.repeat(253) + '1';
  assert.equal(at256.length, 256);
  assert.equal(mavenScheme.isValid(at256), true);
  assert.equal(mavenScheme.compare(at256, '1'), 1);
  assert.equal(mavenScheme.isValid(at256 + '0'), false);
  assert.throws(() => mavenScheme.compare(at256 + '0', '1'), (e: unknown) => e instanceof ScoutError && e.code === 'invalid-version');
});
