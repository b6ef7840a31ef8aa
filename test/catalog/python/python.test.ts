import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHeaders, parseRequirement, normalizePythonName } from '../../../src/catalog/python/core-metadata.js';
import { pythonCataloger } from '../../../src/catalog/python/index.js';
import { MAX_METADATA_BYTES } from '../../../src/catalog/python/spec.js';
import { detectLicenseText } from '../../../src/catalog/python/license-file.js';
import { parseRecord } from '../../../src/catalog/python/record.js';
import { indexFromMemory, treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import type { Package } from '../../../src/sbom/model.js';
import { Warnings } from '../../../src/util/errors.js';
import { makeZip } from '../../helpers/zip-writer.js';

const SP = '/usr/local/lib/python3.12/site-packages';

function meta(name: string, version: string, extra = ''): string {
  return `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n${extra}\nlong description\nLicense: not-a-header\n`;
}

async function catalog(files: Record<string, MemoryEntry>): Promise<{ pkgs: Package[]; warnings: Warnings }> {
  const tree = await treeFromMemory([files], pythonCataloger.capture);
  const warnings = new Warnings();
  return { pkgs: pythonCataloger.catalog(tree, { warnings }), warnings };
}

test('headers end at the first empty line; continuation lines join the previous value', () => {
  const h = parseHeaders('Name: a\nLicense: line one\n  line two\nClassifier: X\n\nClassifier: body\n');
  assert.deepEqual(h.get('license'), ['line one\nline two']);
  assert.deepEqual(h.get('classifier'), ['X']);
});

test('PEP 503 names and PEP 508 requirements', () => {
  assert.equal(normalizePythonName('Foo.Bar__baz'), 'foo-bar-baz');
  assert.deepEqual(parseRequirement('soupsieve (>1.2)'), { name: 'soupsieve', optional: false, raw: 'soupsieve (>1.2)' });
  assert.equal(parseRequirement("lxml ; extra == 'lxml'")?.optional, true);
  assert.equal(parseRequirement('pytest-black (>=0.3.7) ; (platform_python_implementation != "PyPy") and extra == \'testing\'')?.optional, true);
  assert.equal(parseRequirement('typing-extensions>=4; python_version < "3.11"')?.optional, false);
  assert.equal(parseRequirement('   ;nothing'), undefined);
});

test('RECORD rows, quoted paths and sizes', () => {
  const rows = parseRecord('a/b.py,sha256=x,10\n"a/c,d.py",,\r\n\nrec/RECORD,,\n');
  assert.deepEqual(rows, [{ path: 'a/b.py', digest: 'sha256=x', size: 10 }, { path: 'a/c,d.py' }, { path: 'rec/RECORD' }]);
});

test('a dist-info yields purl, author, summary, files, size, installer and normalised name', async () => {
  const { pkgs, warnings } = await catalog({
    [`${SP}/Django-4.2.1.dist-info/METADATA`]: meta('Django', '4.2.1', 'Summary: A web framework\nAuthor: DSF\nAuthor-email: foundation@djangoproject.com\nLicense: BSD-3-Clause\nRequires-Dist: asgiref (<4,>=3.6.0)\nRequires-Dist: sqlparse>=0.3.1\nRequires-Dist: argon2-cffi>=19.1.0 ; extra == "argon2"'),
    [`${SP}/Django-4.2.1.dist-info/RECORD`]: 'django/__init__.py,sha256=a,799\n../../../bin/django-admin,sha256=b,300\nDjango-4.2.1.dist-info/RECORD,,\n',
    [`${SP}/Django-4.2.1.dist-info/INSTALLER`]: 'pip\n',
    [`${SP}/asgiref-3.7.2.dist-info/METADATA`]: meta('asgiref', '3.7.2', 'Requires-Dist: typing-extensions>=4 ; python_version < "3.11"'),
    [`${SP}/sqlparse-0.4.4.dist-info/METADATA`]: meta('sqlparse', '0.4.4'),
    [`${SP}/typing_extensions-4.8.0.dist-info/METADATA`]: meta('typing_extensions', '4.8.0'),
  });
  assert.deepEqual(warnings.items, []);
  const by = new Map(pkgs.map((p) => [p.name, p]));
  const django = by.get('django')!;
  assert.equal(django.purl, 'pkg:pypi/django@4.2.1');
  assert.equal(django.author, 'DSF <foundation@djangoproject.com>');
  assert.equal(django.description, 'A web framework');
  assert.deepEqual(django.licenses, [{ spdx: 'BSD-3-Clause' }]);
  assert.equal(django.size, 1099);
  assert.equal(django.metadata?.installer, 'pip');
  assert.deepEqual(django.metadata?.files, [`${SP}/django/__init__.py`, '/usr/local/bin/django-admin', `${SP}/Django-4.2.1.dist-info/RECORD`]);
  assert.deepEqual(django.locations.map((l) => l.path), [`${SP}/Django-4.2.1.dist-info/METADATA`, `${SP}/Django-4.2.1.dist-info/RECORD`]);
  // Dependencies: unconditional requirements linked to installed packages; extras left out.
  assert.deepEqual(django.dependsOn?.sort(), [by.get('asgiref')!.id, by.get('sqlparse')!.id].sort());
  assert.deepEqual(by.get('asgiref')!.dependsOn, [by.get('typing-extensions')!.id]);
  assert.equal(django.relationship, 'direct');
  assert.equal(by.get('asgiref')!.relationship, 'transitive');
  assert.equal(by.get('typing-extensions')!.relationship, 'transitive');
  assert.deepEqual(by.get('sqlparse')!.dependencyOf, [django.id]);
});

test('requirements link only within the same environment', async () => {
  const { pkgs } = await catalog({
    [`/venv/a/lib/site-packages/app-1.0.dist-info/METADATA`]: meta('app', '1.0', 'Requires-Dist: six'),
    [`/venv/b/lib/site-packages/six-1.16.0.dist-info/METADATA`]: meta('six', '1.16.0'),
  });
  for (const p of pkgs) {
    assert.equal(p.dependsOn, undefined);
    assert.equal(p.relationship, 'direct');
  }
});

test('license order: expression, License field, license file text, classifiers; UNKNOWN is no license', async () => {
  const mit = 'Permission is hereby granted, free of charge, to any person obtaining a copy of this software';
  const { pkgs } = await catalog({
    [`${SP}/a-1.dist-info/METADATA`]: meta('a', '1', 'License-Expression: MIT OR Apache-2.0\nLicense: GPL\nClassifier: License :: OSI Approved :: BSD License'),
    [`${SP}/b-1.dist-info/METADATA`]: meta('b', '1', 'License: Apache 2.0\nClassifier: License :: OSI Approved :: MIT License'),
    [`${SP}/c-1.dist-info/METADATA`]: meta('c', '1', 'License: UNKNOWN\nLicense-File: LICENSE\nClassifier: License :: OSI Approved :: BSD License'),
    [`${SP}/c-1.dist-info/licenses/LICENSE`]: mit,
    [`${SP}/d-1.dist-info/METADATA`]: meta('d', '1', 'License: UNKNOWN\nClassifier: License :: OSI Approved\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: Other/Proprietary License'),
    [`${SP}/e-1.egg-info`]: meta('e', '1', 'License: UNKNOWN'),
  });
  const lic = Object.fromEntries(pkgs.map((p) => [p.name, p.licenses]));
  assert.deepEqual(lic.a, [{ spdx: 'MIT OR Apache-2.0' }]);
  assert.deepEqual(lic.b, [{ spdx: 'Apache-2.0' }]);
  assert.deepEqual(lic.c, [{ spdx: 'MIT' }]);
  assert.deepEqual(lic.d, [{ spdx: 'MIT' }]);
  assert.deepEqual(lic.e, []);
});

test('license files are recognised only by wording unique to one license', () => {
  const bsd3 = 'Redistribution and use in source and binary forms, with or without modification, are permitted provided that ... 3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse or promote products';
  assert.equal(detectLicenseText(bsd3), 'BSD-3-Clause');
  assert.equal(detectLicenseText(bsd3.replace(/3\. Neither.*$/, '')), 'BSD-2-Clause');
  // Dual-licensed text (two licenses' wording) is not guessed.
  assert.equal(detectLicenseText('Permission is hereby granted, free of charge, to any person obtaining a copy\nApache License\nVersion 2.0'), undefined);
  assert.equal(detectLicenseText('Apache License\n   Version 2.0, January 2004'), 'Apache-2.0');
  assert.equal(detectLicenseText('some custom terms'), undefined);
});

test('zipped .egg and .egg directory forms', async () => {
  const egg = makeZip([
    { name: 'EGG-INFO/PKG-INFO', data: meta('zipped', '0.1', 'Author: Z') },
    { name: 'EGG-INFO/top_level.txt', data: 'zipped\n' },
    { name: 'zipped/__init__.py', data: '' },
  ]);
  const { pkgs, warnings } = await catalog({
    [`${SP}/zipped-0.1-py3.12.egg`]: egg,
    [`${SP}/dirform-2.0-py3.12.egg/EGG-INFO/PKG-INFO`]: meta('dirform', '2.0'),
    [`${SP}/broken-1.0.egg`]: Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(40)]),
  });
  const by = new Map(pkgs.map((p) => [p.name, p]));
  assert.equal(by.get('zipped')?.purl, 'pkg:pypi/zipped@0.1');
  assert.deepEqual(by.get('zipped')?.metadata?.topLevelPackages, ['zipped']);
  assert.equal(by.get('dirform')?.metadata?.sitePackagesRootPath, `${SP}/dirform-2.0-py3.12.egg`);
  assert.equal(pkgs.length, 2);
  // The broken egg is reported by the layer pass (analyzer warning), not thrown.
  assert.deepEqual(warnings.items, []);
  const index = await indexFromMemory({ [`${SP}/broken-1.0.egg`]: Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(40)]) }, pythonCataloger.capture);
  assert.equal(index.warnings.length, 1);
  assert.equal(index.warnings[0].path, `${SP}/broken-1.0.egg`);
});

test('hostile and broken metadata: warnings, never a throw', async () => {
  const { pkgs, warnings } = await catalog({
    [`${SP}/noversion.dist-info/METADATA`]: 'Name: x\n',
    [`${SP}/binary.dist-info/METADATA`]: Buffer.from([0, 1, 2, 255, 254, 10, 0]),
    [`${SP}/spaces.dist-info/METADATA`]: 'Name: a b\nVersion: 1\n',
    [`${SP}/ok-1.dist-info/METADATA`]: meta('ok', '1'),
    [`${SP}/ok-1.dist-info/direct_url.json`]: '{not json',
    [`${SP}/ok-1.dist-info/RECORD`]: '"unterminated,\n,,,\n',
  });
  assert.deepEqual(pkgs.map((p) => p.name), ['ok']);
  assert.deepEqual(warnings.items.map((w) => w.code).sort(), ['python-direct-url', 'python-metadata-incomplete', 'python-metadata-incomplete', 'python-metadata-incomplete']);
  for (const w of warnings.items) assert.ok(w.path?.startsWith(SP), 'warning names the file');
});

test('an oversized METADATA is skipped by the layer pass with a warning naming it', async () => {
  const path = `${SP}/huge-1.dist-info/METADATA`;
  const big = meta('huge', '1') + 'x'.repeat(MAX_METADATA_BYTES);
  const index = await indexFromMemory({ [path]: big }, pythonCataloger.capture);
  assert.equal(index.captured.has(path), false);
  assert.equal(index.warnings[0]?.code, 'file-too-large');
  assert.equal(index.warnings[0]?.path, path);
});
