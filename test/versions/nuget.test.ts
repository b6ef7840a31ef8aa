import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFailures, loadRows } from './conformance.js';
import { nugetScheme } from '../../src/versions/nuget.js';
import { ScoutError } from '../../src/util/errors.js';

test('nuget: every row of nuget.tsv holds in both directions', () => {
  const rows = loadRows('nuget.tsv');
  assert.equal(rows.length, 66);
  assert.deepEqual(conformanceFailures(rows, nugetScheme.compare), []);
});

test('nuget: strings NuGet cannot parse are refused with invalid-version', () => {
  for (const v of ['1.0.0.0.0', '1.0-', '1.0..1', 'latest', '1.0-beta..1', '']) {
    assert.equal(nugetScheme.isValid(v), false, v);
    assert.throws(() => nugetScheme.compare(v, '1.0'), (e: unknown) => e instanceof ScoutError && e.code === 'invalid-version');
  }
});
