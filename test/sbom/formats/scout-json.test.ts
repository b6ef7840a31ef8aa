import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readScoutJson, writeScoutJson } from '../../../src/sbom/formats/scout-json.js';
import type { Sbom } from '../../../src/sbom/model.js';
import { sampleSbom } from './sample-sbom.js';

test('scout JSON round trip gives the same SBOM', () => {
  const original = sampleSbom();
  assert.deepEqual(readScoutJson(writeScoutJson(original)), original);
  assert.deepEqual(readScoutJson(Buffer.from(writeScoutJson(original))), original);
});

test('scout JSON: packageCount is written from the package list', () => {
  const s = sampleSbom();
  s.packageCount = 99;
  assert.equal(JSON.parse(writeScoutJson(s)).packageCount, 5);
});

test('scout JSON: hostile or broken input gives an error naming the field', () => {
  const good = JSON.parse(writeScoutJson(sampleSbom())) as Sbom;
  // Wrong types are the point here, hence the `as never` casts.
  const cases: [(d: Sbom) => void, RegExp][] = [
    [(d) => (d.schema = 'other@2' as never), /\$\.schema: expected "iechor-scout\/sbom@1", got "other@2"/],
    [(d) => (d.packages = 'x' as never), /\$\.packages: expected an array, got string/],
    [(d) => (d.packages[2].name = 7 as never), /\$\.packages\[2\]\.name: expected a string, got number/],
    [(d) => (d.packages[0].locations[1].layer!.index = 'one' as never), /\$\.packages\[0\]\.locations\[1\]\.layer\.index: expected a number, got string/],
    [(d) => (d.packages[1].relationship = 'cousin' as never), /\$\.packages\[1\]\.relationship: expected one of root, direct, transitive, unknown/],
    [(d) => (d.packages[1].licenses = [{}]), /\$\.packages\[1\]\.licenses\[0\]: a license needs "spdx" or "name"/],
    [(d) => (d.packages[1].id = d.packages[0].id), /\$\.packages\[1\]\.id: duplicate package id/],
    [(d) => (d.image!.layers = null as never), /\$\.image\.layers: expected an array, got null/],
    [(d) => (d.packages[0].size = 'big' as never), /\$\.packages\[0\]\.size: expected a number/],
  ];
  for (const [mutate, re] of cases) {
    const d = structuredClone(good);
    mutate(d);
    assert.throws(() => readScoutJson(JSON.stringify(d)), re);
  }
  assert.throws(() => readScoutJson('[1, 2'), /iechor-scout SBOM: not valid JSON/);
  assert.throws(() => readScoutJson('null'), /\$: expected an object, got null/);
});
