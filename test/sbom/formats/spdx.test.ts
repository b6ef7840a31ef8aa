import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSpdx, toSpdx, writeSpdx } from '../../../src/sbom/formats/spdx.js';
import { sampleSbom } from './sample-sbom.js';
import { spdxValidator } from './schema-validators.js';

interface SpdxPkg {
  SPDXID: string;
  name: string;
  licenseDeclared?: string;
  originator?: string;
  externalRefs?: { referenceType: string; referenceLocator: string }[];
  primaryPackagePurpose?: string;
  comment?: string;
  summary?: string;
}

test('SPDX export validates against the official 2.3 schema', () => {
  const doc = JSON.parse(writeSpdx(sampleSbom()));
  const validate = spdxValidator();
  assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 1));
  assert.equal(doc.spdxVersion, 'SPDX-2.3');
});

test('SPDX export: purl refs, licenses, originator, relationships, layer comment', () => {
  const doc = toSpdx(sampleSbom()) as { packages: SpdxPkg[]; relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[]; hasExtractedLicensingInfos: { licenseId: string; extractedText: string }[] };
  const image = doc.packages.find((p) => p.primaryPackagePurpose === 'CONTAINER')!;
  assert.equal(image.name, 'shop:1.4', 'the image as the user names it');
  const ssl = doc.packages.find((p) => p.name === 'libssl3')!;
  assert.deepEqual(ssl.externalRefs?.map((r) => [r.referenceType, r.referenceLocator]), [['purl', 'pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl']]);
  assert.match(ssl.licenseDeclared!, /^Apache-2\.0 AND LicenseRef-OpenSSL-like-custom-terms-[0-9a-f]{8}$/);
  const ref = doc.hasExtractedLicensingInfos.find((e) => ssl.licenseDeclared!.endsWith(e.licenseId))!;
  assert.equal(ref.extractedText, 'OpenSSL-like custom terms');
  assert.equal(ssl.originator, 'Person: Debian OpenSSL Team (pkg-openssl-devel@alioth-lists.debian.net)');
  assert.equal(ssl.summary, 'Secure Sockets Layer toolkit - shared libraries');
  assert.match(ssl.comment!, /\/var\/lib\/dpkg\/status \(layer 0, sha256:a{64}\)/);
  const jackson = doc.packages.find((p) => p.name === 'jackson-databind')!;
  assert.equal(jackson.licenseDeclared, 'Apache-2.0 AND GPL-2.0-only WITH Classpath-exception-2.0');
  const types = doc.packages.find((p) => p.name === 'node')!;
  assert.equal(types.licenseDeclared, 'MIT OR Apache-2.0');
  const rel = (from: string, type: string, to: string) => doc.relationships.some((r) => r.spdxElementId === from && r.relationshipType === type && r.relatedSpdxElement === to);
  assert.ok(rel('SPDXRef-DOCUMENT', 'DESCRIBES', image.SPDXID));
  for (const p of doc.packages.filter((x) => x !== image)) assert.ok(rel(image.SPDXID, 'CONTAINS', p.SPDXID), p.name);
  const express = doc.packages.find((p) => p.name === 'express')!;
  assert.ok(rel(express.SPDXID, 'DEPENDS_ON', ssl.SPDXID));
  assert.ok(rel(express.SPDXID, 'DEPENDS_ON', types.SPDXID));
});

test('SPDX round trip keeps every package field, the image, distro and warnings', () => {
  const original = sampleSbom();
  const back = readSpdx(writeSpdx(original));
  assert.deepEqual(back.packages, original.packages);
  assert.deepEqual(back.image, original.image);
  assert.deepEqual(back.distro, original.distro);
  assert.deepEqual(back.warnings, original.warnings);
  assert.equal(back.generatedAt, original.generatedAt);
});

test('SPDX round trip of license lists an expression alone cannot tell apart', () => {
  const original = sampleSbom();
  original.packages[0].licenses = [{ spdx: 'MIT AND BSD-3-Clause' }];
  original.packages[1].licenses = [{ name: 'MIT' }, { spdx: 'ISC' }];
  original.packages[2].licenses = [];
  const back = readSpdx(writeSpdx(original));
  assert.deepEqual(back.packages.map((p) => p.licenses), original.packages.map((p) => p.licenses));
});

test('SPDX import from an in-toto statement wrapping the document', () => {
  const original = sampleSbom();
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://spdx.dev/Document',
    subject: [{ name: 'pkg:docker/shop@1.4', digest: { sha256: 'd'.repeat(64) } }],
    predicate: toSpdx(original),
  };
  const back = readSpdx(JSON.stringify(statement));
  assert.deepEqual(back.packages, original.packages);
  assert.throws(() => readSpdx(JSON.stringify({ ...statement, predicateType: 'https://slsa.dev/provenance/v0.2' })), /\$\.predicateType: expected https:\/\/spdx\.dev\/Document/);
  assert.throws(() => readSpdx(JSON.stringify({ ...statement, predicate: 'x' })), /\$\.predicate: expected an object, got string/);
});

test('SPDX import of a foreign document: supplier, concluded license, DEPENDENCY_OF, no annotations', () => {
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'x',
    documentNamespace: 'https://example.org/x',
    creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: syft-1.2.3'] },
    packages: [
      { SPDXID: 'SPDXRef-a', name: 'zlib', versionInfo: '1.3', downloadLocation: 'NOASSERTION', supplier: 'Organization: Alpine', licenseDeclared: 'NOASSERTION', licenseConcluded: 'Zlib',
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:apk/alpine/zlib@1.3?arch=x86_64' }] },
      { SPDXID: 'SPDXRef-b', name: 'curl', versionInfo: '8.5', downloadLocation: 'NOASSERTION', licenseDeclared: '(MIT AND LicenseRef-x)' },
    ],
    relationships: [{ spdxElementId: 'SPDXRef-a', relationshipType: 'DEPENDENCY_OF', relatedSpdxElement: 'SPDXRef-b' }],
  };
  const sbom = readSpdx(JSON.stringify(doc));
  const [zlib, curl] = sbom.packages;
  assert.equal(zlib.author, 'Alpine');
  assert.deepEqual(zlib.licenses, [{ spdx: 'Zlib' }]);
  assert.equal(zlib.type, 'apk');
  assert.equal(zlib.id, 'SPDXRef-a');
  assert.deepEqual(curl.dependsOn, ['SPDXRef-a']);
  assert.deepEqual(zlib.dependencyOf, ['SPDXRef-b']);
  assert.deepEqual(curl.licenses, [{ spdx: 'MIT' }, { name: 'LicenseRef-x' }]);
  assert.equal(curl.purl, 'pkg:generic/curl@8.5');
  assert.deepEqual(sbom.tool, { name: 'syft-1.2.3', version: '' });
});

test('SPDX import errors name the problem', () => {
  assert.throws(() => readSpdx('{"spdxVersion": "SPDX-3.0"}'), /SPDX: \$\.spdxVersion: SPDX-3\.0 is not supported/);
  assert.throws(() => readSpdx('{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a"}]}'), /\$\.packages\[0\]\.name: expected a string, got nothing/);
  assert.throws(() => readSpdx('{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "a", "name": "x", "externalRefs": [{"referenceType": "purl", "referenceLocator": 5}]}]}'), /\$\.packages\[0\]\.externalRefs\[0\]\.referenceLocator: expected a string, got number/);
  assert.throws(() => readSpdx('{"spdxVersion": "SPDX-2.3", "packages": [,]}'), /SPDX: not valid JSON.*Unexpected token ','/);
});
