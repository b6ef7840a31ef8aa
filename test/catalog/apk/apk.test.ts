import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apkCataloger } from '../../../src/catalog/apk/index.js';
import { apkLicenses } from '../../../src/catalog/apk/license.js';
import { treeFromMemory, type MemoryEntry } from '../../../src/image/layer/memory-index.js';
import { Warnings } from '../../../src/util/errors.js';

async function run(files: Record<string, MemoryEntry>) {
  const warnings = new Warnings();
  const tree = await treeFromMemory([files], apkCataloger.capture);
  return { pkgs: apkCataloger.catalog(tree, { warnings }), warnings };
}

const DB = `P:musl
V:1.2.4-r2
A:aarch64
I:100
o:musl
L:MIT
p:so:libc.musl-aarch64.so.1=1

P:libstdc++
V:13.2.1_git20231014-r0
A:aarch64
o:gcc
L:GPL-2.0-or-later AND LGPL-2.1-or-later
D:so:libc.musl-aarch64.so.1

P:app
V:1.0-r0
A:aarch64
D:libstdc++ !conflicting musl>=1.2
`;

const ALPINE_OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n';

test('purl has distro from os-release, upstream from origin, escaped name', async () => {
  const { pkgs } = await run({ '/lib/apk/db/installed': DB, '/etc/os-release': ALPINE_OS_RELEASE });
  assert.equal(pkgs[0].purl, 'pkg:apk/alpine/musl@1.2.4-r2?arch=aarch64&distro=alpine-3.19.1');
  assert.equal(pkgs[1].purl, 'pkg:apk/alpine/libstdc%2B%2B@13.2.1_git20231014-r0?arch=aarch64&distro=alpine-3.19.1&upstream=gcc');
  assert.deepEqual(pkgs[1].licenses, [{ spdx: 'GPL-2.0-or-later AND LGPL-2.1-or-later' }]);
  assert.deepEqual(pkgs[2].dependsOn, ['libstdc++', 'musl'], 'version constraints dropped, conflicts ignored');
});

test('/etc/apk/world decides direct vs transitive; without it the dependency links do', async () => {
  const { pkgs } = await run({ '/lib/apk/db/installed': DB, '/etc/apk/world': 'app\nmusl=1.2.4-r2\n' });
  assert.deepEqual(
    pkgs.map((p) => [p.name, p.relationship]),
    [['musl', 'direct'], ['libstdc++', 'transitive'], ['app', 'direct']],
  );
  const { pkgs: noWorld } = await run({ '/lib/apk/db/installed': DB });
  // musl is required (through its so: provide) by libstdc++ and app, libstdc++ by app.
  assert.deepEqual(
    noWorld.map((p) => [p.name, p.relationship]),
    [['musl', 'transitive'], ['libstdc++', 'transitive'], ['app', 'direct']],
  );
});

test('apk-tools 3 location /usr/lib/apk/db/installed, and /lib symlinked to usr/lib', async () => {
  const { pkgs } = await run({ '/usr/lib/apk/db/installed': DB });
  assert.equal(pkgs.length, 3);
  assert.equal(pkgs[0].locations[0].path, '/usr/lib/apk/db/installed');
  const linked = await run({ '/usr/lib/apk/db/installed': DB, '/lib': { symlink: 'usr/lib' } });
  assert.equal(linked.pkgs.length, 3);
});

test('hostile database: junk lines and binary bytes are reported, good entries survive', async () => {
  const junk = Buffer.concat([
    Buffer.from('P:good\nV:1\n\nthis is not apk\nP:bad\nV:2\n\n'),
    Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x0a]),
    Buffer.from('P:good2\nV:2 with space\n\nP:good3\nV:3\nI:notanumber\n'),
  ]);
  const { pkgs, warnings } = await run({ '/lib/apk/db/installed': junk });
  assert.deepEqual(pkgs.map((p) => p.name), ['good', 'good3']);
  assert.equal(pkgs[1].size, undefined, 'a non-numeric size is not trusted');
  assert.equal(warnings.items.length, 3);
  assert.ok(warnings.items.every((w) => w.path === '/lib/apk/db/installed'));
});

test('license fields: SPDX expressions kept whole, old space-separated lists split', () => {
  assert.deepEqual(apkLicenses('MIT BSD GPL2+'), [{ spdx: 'MIT' }, { spdx: 'BSD-3-Clause' }, { spdx: 'GPL-2.0-or-later' }]);
  assert.deepEqual(apkLicenses('( Apache-2.0 OR MIT ) AND MPL-2.0'), [{ spdx: '(Apache-2.0 OR MIT) AND MPL-2.0' }]);
  assert.deepEqual(apkLicenses('Public-Domain'), [{ name: 'Public-Domain' }]);
  assert.deepEqual(apkLicenses(''), []);
});

test('local ids are package names; dependencyOf is the reverse of dependsOn', async () => {
  const { pkgs } = await run({ '/lib/apk/db/installed': DB });
  assert.deepEqual(pkgs.map((p) => p.id), ['musl', 'libstdc++', 'app']);
  const byId = new Map(pkgs.map((p) => [p.id, p]));
  assert.deepEqual(byId.get('musl')?.dependencyOf, ['app', 'libstdc++']);
  assert.deepEqual(byId.get('libstdc++')?.dependencyOf, ['app']);
  assert.equal(byId.get('app')?.dependencyOf, undefined);
});
