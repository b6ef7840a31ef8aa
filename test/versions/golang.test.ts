import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFailures, loadRows } from './conformance.js';
import { golangScheme } from '../../src/versions/golang.js';
import { ScoutError } from '../../src/util/errors.js';

test('golang: every row of golang.tsv holds in both directions', () => {
  const rows = loadRows('golang.tsv');
  assert.equal(rows.length, 302);
  assert.deepEqual(conformanceFailures(rows, golangScheme.compare), []);
});

test('golang: OSV standard-library versions without "v" and toolchain names share one order', () => {
  assert.equal(golangScheme.compare('1.20.1', 'v1.20.1'), 0);
  assert.equal(golangScheme.compare('go1.22.3', '1.22.3'), 0);
  assert.equal(golangScheme.compare('go1.22rc1', '1.22.0'), -1);
  assert.equal(golangScheme.compare('go1.22.0', '1.21.9'), 1);
});

test('golang: toolchain pre-releases and language versions (go/version order)', () => {
  const ordered = ['go1.9beta', 'go1.9beta2', 'go1.9', 'go1.9.1', 'go1.21', 'go1.21rc1', 'go1.21rc2', 'go1.21.0', 'go1.21.10'];
  for (let i = 0; i + 1 < ordered.length; i++) assert.equal(golangScheme.compare(ordered[i], ordered[i + 1]), -1, `${ordered[i]} < ${ordered[i + 1]}`);
  assert.equal(golangScheme.compare('go1.20', 'go1.20.0'), 0);
});

test('golang: invalid versions are refused with invalid-version', () => {
  for (const v of ['go1.21.3rc1', 'go01.2', 'v1.2.3.4', 'v1-pre', 'v1.2-pre', 'v01.2.3', 'v1.2.3-01', 'bad', '']) {
    assert.equal(golangScheme.isValid(v), false, v);
    assert.throws(() => golangScheme.compare(v, 'v1.0.0'), (e: unknown) => e instanceof ScoutError && e.code === 'invalid-version');
  }
});
