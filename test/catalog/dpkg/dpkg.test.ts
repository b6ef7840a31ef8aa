import assert from 'node:assert/strict';
import { test } from 'node:test';
import { licensesFromCopyright } from '../../../src/catalog/dpkg/copyright.js';
import { dpkgCataloger } from '../../../src/catalog/dpkg/index.js';
import { parseSourceField, splitDebVersion } from '../../../src/catalog/dpkg/version.js';
import { treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import { Warnings } from '../../../src/util/errors.js';

const UBUNTU_OS_RELEASE = 'ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n';

async function run(files: Record<string, MemoryEntry>) {
  const warnings = new Warnings();
  const tree = await treeFromMemory([files], dpkgCataloger.capture);
  return { pkgs: dpkgCataloger.catalog(tree, { warnings }), warnings };
}

const STATUS = `Package: awk-user
Status: install ok installed
Installed-Size: 10
Maintainer: A <a@example.org>
Architecture: amd64
Version: 2:1.0+dfsg-3ubuntu1
Source: awk-user-src (1.0+dfsg-3)
Pre-Depends: awk
Depends: libc6:any (>= 2.34), missing-pkg | libfoo [amd64]
Description: uses awk
 A longer text.
 .
 Second paragraph.

Package: mawk
Status: install ok installed
Architecture: amd64
Version: 1.3.4-1
Provides: awk

Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.35-0ubuntu3

Package: libfoo
Status: hold ok installed
Architecture: amd64
Version: 1.0

Package: removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: half
Status: install reinstreq half-installed
Architecture: amd64
Version: 1.0
`;

test('fields, split version, source with version, size in bytes, ubuntu purl', async () => {
  const { pkgs, warnings } = await run({ '/var/lib/dpkg/status': STATUS, '/etc/os-release': UBUNTU_OS_RELEASE });
  assert.deepEqual(warnings.items, []);
  assert.deepEqual(pkgs.map((p) => p.name), ['awk-user', 'mawk', 'libc6', 'libfoo'], 'deinstalled and half-installed are left out');
  const p = pkgs[0];
  assert.equal(p.version, '2:1.0+dfsg-3ubuntu1');
  assert.equal(p.metadata?.epoch, 2);
  assert.equal(p.metadata?.upstreamVersion, '1.0+dfsg');
  assert.equal(p.metadata?.revision, '3ubuntu1');
  assert.deepEqual(p.source, { name: 'awk-user-src', version: '1.0+dfsg-3' });
  assert.equal(p.size, 10 * 1024);
  assert.equal(p.author, 'A <a@example.org>');
  assert.equal(p.description, 'uses awk\nA longer text.\n\nSecond paragraph.');
  assert.equal(p.metadata?.summary, 'uses awk');
  assert.equal(p.namespace, 'ubuntu');
  assert.equal(
    p.purl,
    'pkg:deb/ubuntu/awk-user@2:1.0%2Bdfsg-3ubuntu1?arch=amd64&distro=ubuntu-22.04&upstream=awk-user-src%401.0%2Bdfsg-3',
  );
  assert.equal(pkgs[1].purl, 'pkg:deb/ubuntu/mawk@1.3.4-1?arch=amd64&distro=ubuntu-22.04', 'no upstream when source is itself');
});

test('dependsOn: Depends and Pre-Depends by name, arch qualifiers stripped, virtual names via Provides', async () => {
  const { pkgs } = await run({ '/var/lib/dpkg/status': STATUS });
  assert.deepEqual(pkgs[0].dependsOn, ['libc6', 'libfoo', 'mawk']);
  assert.equal(pkgs[1].dependsOn, undefined);
});

test('extended_states: Auto-Installed: 1 is transitive, the rest direct', async () => {
  const { pkgs } = await run({
    '/var/lib/dpkg/status': STATUS,
    '/var/lib/apt/extended_states': 'Package: libc6\nArchitecture: amd64\nAuto-Installed: 1\n\nPackage: mawk\nArchitecture: amd64\nAuto-Installed: 0\n',
  });
  const rel = Object.fromEntries(pkgs.map((p) => [p.name, p.relationship]));
  assert.deepEqual(rel, { 'awk-user': 'direct', mawk: 'direct', libc6: 'transitive', libfoo: 'direct' });
});

test('malformed stanzas are reported with the file, the others are still read', async () => {
  const bad = `Package: good1
Version: 1.0
Status: install ok installed

this line is not a field
Package: broken
Version: 1

Package: has space
Version: 1

Package: noversion

 orphan continuation

Package: good2
Version: 2.0
Status: install ok installed
`;
  const { pkgs, warnings } = await run({ '/var/lib/dpkg/status': bad, '/var/lib/dpkg/status.d/x': Buffer.from([0xff, 0, 0x3a, 10]) });
  assert.deepEqual(pkgs.map((p) => p.name), ['good1', 'good2']);
  const msgs = warnings.items.filter((w) => w.path === '/var/lib/dpkg/status').map((w) => w.message);
  assert.equal(msgs.length, 4, msgs.join('\n'));
  assert.ok(msgs.every((m) => m.startsWith('/var/lib/dpkg/status: stanza at line')));
  assert.ok(warnings.items.some((w) => w.path === '/var/lib/dpkg/status.d/x'), 'binary junk in status.d is reported too');
});

test('packages from a lower layer status file are replaced by the upper one', async () => {
  const warnings = new Warnings();
  const tree = await treeFromMemory(
    [
      { '/var/lib/dpkg/status': 'Package: a\nVersion: 1\nStatus: install ok installed\n' },
      { '/var/lib/dpkg/status': 'Package: a\nVersion: 2\nStatus: install ok installed\n\nPackage: b\nVersion: 1\nStatus: install ok installed\n' },
    ],
    dpkgCataloger.capture,
  );
  const pkgs = dpkgCataloger.catalog(tree, { warnings });
  assert.deepEqual(pkgs.map((p) => `${p.name}@${p.version}`), ['a@2', 'b@1']);
});

test('no dpkg database: no packages, no warnings', async () => {
  const { pkgs, warnings } = await run({ '/etc/os-release': UBUNTU_OS_RELEASE, '/usr/share/doc/x/copyright': 'License: MIT\n' });
  assert.deepEqual(pkgs, []);
  assert.deepEqual(warnings.items, []);
});

test('copyright: DEP-5 License fields, "or" lists, common-licenses references', () => {
  const text = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

Files: *
License: GPL-2+ or Apache-2.0

Files: debian/*
License: BSD-3-clause
 text

License: Apache-2.0
 On Debian systems see /usr/share/common-licenses/Apache-2.0.
`;
  assert.deepEqual(licensesFromCopyright(text), [{ spdx: 'GPL-2.0-or-later' }, { spdx: 'Apache-2.0' }, { spdx: 'BSD-3-Clause' }]);
  const freeForm = 'This is free software, see /usr/share/common-licenses/GPL-3 and /usr/share/common-licenses/LGPL-2.1.\n';
  assert.deepEqual(licensesFromCopyright(freeForm), [{ spdx: 'GPL-3.0-only' }, { spdx: 'LGPL-2.1-only' }]);
  assert.deepEqual(licensesFromCopyright('License: public-domain\n'), [{ name: 'public-domain' }]);
});

test('version and source splitting', () => {
  assert.deepEqual(splitDebVersion('1:2.31.1-0.4ubuntu3.1'), { epoch: 1, upstream: '2.31.1', revision: '0.4ubuntu3.1' });
  assert.deepEqual(splitDebVersion('8-20180414-1ubuntu2'), { upstream: '8-20180414', revision: '1ubuntu2' });
  assert.deepEqual(splitDebVersion('3.116ubuntu1'), { upstream: '3.116ubuntu1' });
  assert.deepEqual(parseSourceField('xz-utils (5.1.1alpha+20120614-2)'), { name: 'xz-utils', version: '5.1.1alpha+20120614-2' });
  assert.deepEqual(parseSourceField('pam'), { name: 'pam' });
});

test('purls are canonical: they parse back to the same parts with packageurl-js', async () => {
  const { PackageURL } = await import('packageurl-js');
  const { debPurl } = await import('../../../src/catalog/dpkg/purl.js');
  const s = debPurl('attr', '1:2.4.47-2+b1', 'amd64', undefined, undefined);
  assert.equal(s, 'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64', 'as the purl-spec deb test states it');
  const p = PackageURL.fromString(debPurl('libstdc++6', '1:8-1+b1', 'amd64', { id: 'debian', versionId: '12' }, { name: 'gcc-8', version: '8-1' }));
  assert.equal(p.name, 'libstdc++6');
  assert.equal(p.version, '1:8-1+b1');
  assert.deepEqual({ ...p.qualifiers }, { arch: 'amd64', distro: 'debian-12', upstream: 'gcc-8@8-1' });
});

test('multi-arch: two packages of one name get distinct local ids, links go to the first', async () => {
  const status = `Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9

Package: libc6
Status: install ok installed
Architecture: i386
Version: 2.36-9

Package: app
Status: install ok installed
Architecture: amd64
Version: 1
Depends: libc6 (>= 2.34)
`;
  const { pkgs } = await run({ '/var/lib/dpkg/status': status });
  assert.deepEqual(pkgs.map((p) => p.id), ['libc6', 'libc6#2', 'app']);
  assert.deepEqual(pkgs[2].dependsOn, ['libc6']);
  assert.deepEqual(pkgs[0].dependencyOf, ['app']);
  assert.notEqual(pkgs[0].purl, pkgs[1].purl, 'arch qualifier keeps the purls apart');
});
