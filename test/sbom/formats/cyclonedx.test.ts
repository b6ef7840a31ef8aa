import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCycloneDx, writeCycloneDx } from '../../../src/sbom/formats/cyclonedx.js';
import { sampleSbom } from './sample-sbom.js';
import { cycloneDxValidator } from './schema-validators.js';

test('CycloneDX export validates against the official 1.6 schema', () => {
  const doc = JSON.parse(writeCycloneDx(sampleSbom()));
  const validate = cycloneDxValidator();
  assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 1));
  assert.equal(doc.specVersion, '1.6');
});

test('CycloneDX export: image as container metadata.component, packages with purl, author, description, licenses, properties, dependencies', () => {
  const doc = JSON.parse(writeCycloneDx(sampleSbom()));
  assert.equal(doc.metadata.component.type, 'container');
  assert.equal(doc.metadata.component.version, 'sha256:' + 'd'.repeat(64));
  assert.equal(doc.metadata.component.name, 'shop:1.4', 'the image as the user names it, its digest as the version');
  assert.equal(doc.components.length, 5);
  const ssl = doc.components.find((c: { name: string }) => c.name === 'libssl3');
  assert.equal(ssl.purl, 'pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl');
  assert.equal(ssl.author, 'Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>');
  assert.deepEqual(ssl.licenses, [{ license: { id: 'Apache-2.0' } }, { license: { name: 'OpenSSL-like custom terms' } }]);
  const props = Object.fromEntries(ssl.properties.map((p: { name: string; value: string }) => [p.name, p.value]));
  assert.equal(props['iechor-scout:location:0:path'], '/var/lib/dpkg/status');
  assert.equal(props['iechor-scout:location:0:layerDiffId'], 'sha256:' + 'a'.repeat(64));
  assert.equal(props['iechor-scout:location:1:path'], '/usr/share/doc/libssl3/copyright');
  assert.equal(props['iechor-scout:introducedLayer:diffId'], 'sha256:' + 'a'.repeat(64));
  assert.equal(props['iechor-scout:relationship'], 'direct');
  assert.equal(props['iechor-scout:source:name'], 'openssl');
  const types = doc.components.find((c: { name: string }) => c.name === 'node');
  assert.deepEqual(types.licenses, [{ expression: 'MIT OR Apache-2.0' }]);
  const express = doc.dependencies.find((d: { ref: string }) => d.ref === 'npm-express');
  assert.deepEqual([...express.dependsOn].sort(), ['deb-libssl3', 'npm-types-node']);
  const root = doc.dependencies.find((d: { ref: string }) => d.ref === 'image');
  assert.ok(root.dependsOn.includes('npm-express'));
  assert.ok(!root.dependsOn.includes('deb-libssl3'), 'a package something depends on is not a top-level dependency of the image');
});

test('CycloneDX round trip keeps every package field, the image, distro and warnings', () => {
  const original = sampleSbom();
  const back = readCycloneDx(writeCycloneDx(original));
  assert.deepEqual(back.packages, original.packages);
  assert.deepEqual(back.image, original.image);
  assert.deepEqual(back.distro, original.distro);
  assert.deepEqual(back.warnings, original.warnings);
  assert.equal(back.generatedAt, original.generatedAt);
  assert.deepEqual(back.tool, original.tool);
  assert.equal(back.packageCount, 5);
});

test('CycloneDX import of a foreign 1.4 document: nested components, authors, expressions, syft layer properties', () => {
  const doc = {
    bomFormat: 'CycloneDX',
    specVersion: '1.4',
    version: 1,
    metadata: { timestamp: '2024-01-01T00:00:00Z', tools: [{ vendor: 'anchore', name: 'syft', version: '1.0.0' }], component: { 'bom-ref': 'root', type: 'container', name: 'alpine' } },
    components: [
      {
        'bom-ref': 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19',
        type: 'library',
        name: 'musl',
        version: '1.2.4-r2',
        purl: 'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19',
        licenses: [{ license: { name: 'MIT License' } }],
        properties: [
          { name: 'syft:package:foundBy', value: 'apk-db-cataloger' },
          { name: 'syft:location:0:path', value: '/lib/apk/db/installed' },
          { name: 'syft:location:0:layerID', value: 'sha256:aaaa' },
        ],
        components: [{ type: 'library', name: 'inner', version: '1', licenses: [{ expression: 'mit or apache-2.0' }], authors: [{ name: 'A' }, { name: 'B' }] }],
      },
    ],
    dependencies: [{ ref: 'root', dependsOn: ['pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19'] }],
  };
  const sbom = readCycloneDx(JSON.stringify(doc));
  assert.equal(sbom.packages.length, 2);
  const [musl, inner] = sbom.packages;
  assert.equal(musl.type, 'apk');
  assert.equal(musl.namespace, 'alpine');
  assert.equal(musl.foundBy, 'apk-db-cataloger');
  assert.deepEqual(musl.licenses, [{ spdx: 'MIT' }]);
  assert.deepEqual(musl.locations, [{ path: '/lib/apk/db/installed' }], 'a layer known only by a diff_id not in the image is not invented');
  assert.equal(inner.purl, 'pkg:generic/inner@1');
  assert.equal(inner.author, 'A, B');
  assert.deepEqual(inner.licenses, [{ spdx: 'MIT OR Apache-2.0' }]);
  assert.deepEqual(sbom.tool, { name: 'syft', version: '1.0.0' });
  assert.equal(sbom.importedFrom, 'cyclonedx-1.4');
});

test('CycloneDX import errors name the problem', () => {
  assert.throws(() => readCycloneDx('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library"}]}'), /CycloneDX: \$\.components\[0\]\.name: expected a string, got nothing/);
  assert.throws(() => readCycloneDx('{"bomFormat": "CycloneDX", "specVersion": "1.2"}'), /CycloneDX 1\.2 is not supported/);
  assert.throws(() => readCycloneDx('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {}}'), /\$\.components: expected an array, got an object/);
  assert.throws(() => readCycloneDx('{"bomFormat": "CycloneDX",\n "specVersion": '), /not valid JSON at line 2/);
  assert.throws(() => readCycloneDx(new Uint8Array()), /document is empty/);
  let deep: Record<string, unknown> = { type: 'library', name: 'x' };
  for (let i = 0; i < 40; i++) deep = { type: 'library', name: `n${i}`, components: [deep] };
  assert.throws(() => readCycloneDx(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', components: [deep] })), /nested deeper than 16/);
});
