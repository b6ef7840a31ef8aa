import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conformanceFailures, fixturePath, loadRows } from './conformance.js';
import { apkScheme } from '../../src/versions/apk.js';

test('apk: every row of apk.tsv holds in both directions', () => {
  const rows = loadRows('apk.tsv');
  assert.equal(rows.length, 1115);
  assert.deepEqual(conformanceFailures(rows, apkScheme.compare), []);
});

test("apk: isValid follows apk-tools' validity lines ('v' must parse, '!v' must be rejected)", () => {
  // Lines of version.data without an operator: a bare version or '!' + version (possibly empty).
  const lines = readFileSync(fixturePath('apk-tools-version.data'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '' && !/\s/.test(l));
  const valid = lines.filter((l) => !l.startsWith('!'));
  const invalid = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  assert.ok(valid.length >= 5 && invalid.length >= 20, `${valid.length} valid, ${invalid.length} invalid lines`);
  assert.deepEqual(valid.filter((v) => !apkScheme.isValid(v)), []);
  assert.deepEqual(invalid.filter((v) => apkScheme.isValid(v)), []);
});

test('apk: hostile input is ordered without throwing', () => {
  const many = '1' + '.1'.repeat(50_000);
  assert.equal(apkScheme.compare(many, many + '.1'), -1);
  const junk = '1_' + 'p'.repeat(100_000);
  assert.equal(apkScheme.isValid(junk), false);
  assert.equal(Math.abs(apkScheme.compare(junk, '1')), 1);
  assert.equal(apkScheme.compare(junk, '1'), -apkScheme.compare('1', junk));
  assert.equal(apkScheme.compare('\u0000', ''), 1);
});
