import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSbom } from '../../../src/sbom/formats/detect.js';
import { toCycloneDx, writeCycloneDx } from '../../../src/sbom/formats/cyclonedx.js';
import { writeScoutJson } from '../../../src/sbom/formats/scout-json.js';
import { toSpdx, writeSpdx } from '../../../src/sbom/formats/spdx.js';
import { packageRows, writeTable } from '../../../src/sbom/formats/table.js';
import { Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { sampleSbom } from './sample-sbom.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));

test('detect: each format is recognised by content and read back with the same packages', () => {
  const original = sampleSbom();
  assert.equal(readSbom(bytes(writeScoutJson(original))).format, 'scout-json');
  for (const [text, format] of [[writeCycloneDx(original), 'cyclonedx-json'], [writeSpdx(original), 'spdx-json'], [writeScoutJson(original), 'scout-json']] as const) {
    const got = readSbom(bytes(text));
    assert.equal(got.format, format);
    assert.deepEqual(got.sbom.packages, original.packages);
  }
});

test('detect: in-toto statements with SPDX or CycloneDX predicates', () => {
  const original = sampleSbom();
  const spdx = { _type: 'https://in-toto.io/Statement/v1', predicateType: 'https://spdx.dev/Document', subject: [], predicate: toSpdx(original) };
  assert.equal(readSbom(bytes(JSON.stringify(spdx))).format, 'spdx-json');
  assert.deepEqual(readSbom(bytes(JSON.stringify(spdx))).sbom.packages, original.packages);
  const cdxDoc = JSON.parse(new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6)).serialize(toCycloneDx(original)));
  const cdx = { _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://cyclonedx.org/bom', subject: [], predicate: cdxDoc };
  const got = readSbom(bytes(JSON.stringify(cdx)));
  assert.equal(got.format, 'cyclonedx-json');
  assert.deepEqual(got.sbom.packages, original.packages);
});

test('detect: unknown and broken files give a clear error', () => {
  assert.throws(() => readSbom(bytes('{"hello": 1, "world": 2}')), /not a recognised SBOM: .*found keys hello, world/);
  assert.throws(() => readSbom(bytes('[1,2]')), /found a JSON array/);
  assert.throws(() => readSbom(bytes('SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n')), /SPDX tag-value \(only SPDX JSON is supported\)/);
  assert.throws(() => readSbom(bytes('<?xml version="1.0"?><bom/>')), /XML/);
  assert.throws(() => readSbom(bytes('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": 1}]}')), /CycloneDX: \$\.components\[0\]\.name: expected a string, got number/);
  assert.throws(() => readSbom(bytes('{"schema": "iechor-scout/sbom@1", ')), /SBOM: not valid JSON/);
  assert.throws(() => readSbom(bytes('')), /document is empty/);
});

test('table: one sorted row per package with name, version, type, layer index and first path', () => {
  const rows = packageRows(sampleSbom().packages);
  assert.deepEqual(rows, [
    ['@types/node', '20.11.0', 'npm', '2', '/app/node_modules/@types/node/package.json'],
    ['com.fasterxml.jackson.core/jackson-databind', '2.17.1', 'maven', '1', '/app/lib/jackson-databind-2.17.1.jar'],
    ['express', '4.19.2', 'npm', '2', '/app/node_modules/express/package.json'],
    ['libssl3', '3.0.15-1~deb12u1', 'deb', '0', '/var/lib/dpkg/status'],
    ['requests', '2.32.3', 'pypi', '1', '/usr/lib/python3/dist-packages/requests-2.32.3.dist-info/METADATA'],
  ]);
  const text = writeTable(sampleSbom());
  assert.match(text.split('\n')[0], /^NAME\s+VERSION\s+TYPE\s+LAYER\s+PATH$/);
  assert.match(text, /5 packages\n$/);
});

test('table: terminal control characters in package data are neutralised', () => {
  const s = sampleSbom();
  s.packages = [s.packages[1]];
  s.packages[0].name = 'evil\u001b[2Jname';
  assert.ok(!writeTable(s).includes('\u001b'));
  assert.equal(writeTable({ ...s, packages: [] }), 'No packages found.\n');
});
