import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dpkgCataloger } from '../../src/catalog/dpkg/index.js';
import { rpmCataloger } from '../../src/catalog/rpm/index.js';
import { treeFromMemory } from '../../src/image/layer/memory-index.js';
import { Warnings } from '../../src/util/errors.js';
import { scanCase } from './conformance-case.js';

const STATUS = `Package: curl
Status: install ok installed
Architecture: amd64
Version: 7.88.1-10
Depends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10)

Package: libcurl4
Status: install ok installed
Architecture: amd64
Version: 7.88.1-10
Depends: libc6 (>= 2.34)

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9

Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4
`;

test('dpkg without apt\'s extended_states: what nothing depends on is direct, the rest transitive', async () => {
  const tree = await treeFromMemory([{ '/var/lib/dpkg/status': STATUS }], dpkgCataloger.capture);
  const pkgs = dpkgCataloger.catalog(tree, { warnings: new Warnings() });
  assert.deepEqual(Object.fromEntries(pkgs.map((p) => [p.name, p.relationship])), { curl: 'direct', libcurl4: 'transitive', libc6: 'transitive', 'base-files': 'direct' });
  assert.deepEqual(pkgs.find((p) => p.name === 'libc6')!.dependencyOf, ['curl', 'libcurl4']);
});

test('dpkg with extended_states: apt\'s record wins over the links', async () => {
  const tree = await treeFromMemory([{ '/var/lib/dpkg/status': STATUS, '/var/lib/apt/extended_states': 'Package: libcurl4\nArchitecture: amd64\nAuto-Installed: 0\n\nPackage: curl\nArchitecture: amd64\nAuto-Installed: 1\n' }], dpkgCataloger.capture);
  const pkgs = dpkgCataloger.catalog(tree, { warnings: new Warnings() });
  assert.deepEqual(Object.fromEntries(pkgs.map((p) => [p.name, p.relationship])), { curl: 'transitive', libcurl4: 'direct', libc6: 'direct', 'base-files': 'direct' });
});

test('rpm keeps no record of what was asked for: a real rpmdb gets relationships from Requires and Provides', async () => {
  const { pkgs: packages } = await scanCase(rpmCataloger, 'rpm', 'sqlite-cbl-mariner2');
  const rel = new Map(packages.map((p) => [p.name, p]));
  // glibc provides libc.so.6, which almost everything requires.
  assert.equal(rel.get('glibc')!.relationship, 'transitive');
  assert.ok(rel.get('glibc')!.dependencyOf!.includes('bash'));
  for (const p of packages) assert.equal(p.relationship, p.dependencyOf?.length ? 'transitive' : 'direct', p.name);
  assert.ok(packages.some((p) => p.relationship === 'direct'));
});
