import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareImages, purlKey } from '../../src/platform/compare.js';
import { sbomOfLayers } from '../helpers/sbom-of.js';

function dpkgStatus(pkgs: Record<string, string>): string {
  return Object.entries(pkgs).map(([name, version]) => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\nMaintainer: x <x@example.org>\nDescription: ${name}\n`).join('\n');
}

const osRelease = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';

test('versions go up or down by the package type\'s scheme (dpkg epochs and tildes), not by their text', async () => {
  const before = await sbomOfLayers([{ 'etc/os-release': osRelease, 'var/lib/dpkg/status': dpkgStatus({ tzdata: '1:2.0-1', curl: '7.88.1-10', bash: '5.2-1~rc1', zlib1g: '1.2.13', gone: '1.0' }) }]);
  const after = await sbomOfLayers([{ 'etc/os-release': osRelease, 'var/lib/dpkg/status': dpkgStatus({ tzdata: '10.0-1', curl: '7.88.1-10+deb12u5', bash: '5.2-1', zlib1g: '1.2.13', fresh: '2.0' }) }]);
  const c = compareImages({ sbom: after.sbom, findings: [] }, { sbom: before.sbom, findings: [] });
  const dir = Object.fromEntries(c.packages.changed.map((p) => [p.name, [p.from, p.to, p.direction]]));
  // 1:2.0 has an epoch: 10.0 is older. 5.2-1~rc1 sorts before 5.2-1.
  assert.deepEqual(dir, {
    tzdata: ['1:2.0-1', '10.0-1', 'downgraded'],
    curl: ['7.88.1-10', '7.88.1-10+deb12u5', 'upgraded'],
    bash: ['5.2-1~rc1', '5.2-1', 'upgraded'],
  });
  assert.deepEqual(c.packages.added.map((p) => p.name), ['fresh']);
  assert.deepEqual(c.packages.removed.map((p) => p.name), ['gone']);
  assert.equal(c.packages.unchanged, 1);
  assert.ok(c.packages.changed.every((p) => p.key === purlKey(p.toPurl) && p.key === purlKey(p.fromPurl) && !p.key.includes('@')));
});

test('purlKey drops version, qualifiers and subpath, keeping an encoded npm scope', () => {
  assert.equal(purlKey('pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12'), 'pkg:deb/debian/libc6');
  assert.equal(purlKey('pkg:npm/%40babel/core@7.24.0'), 'pkg:npm/%40babel/core');
  assert.equal(purlKey('pkg:golang/github.com/a/b@v1.2.3#sub/dir'), 'pkg:golang/github.com/a/b');
  assert.equal(purlKey('pkg:generic/thing'), 'pkg:generic/thing');
});

test('several versions of one package: common ones unchanged, the rest paired in version order', async () => {
  const pkg = (dir: string, version: string) => ({ [`${dir}/node_modules/ms/package.json`]: JSON.stringify({ name: 'ms', version }) });
  const before = await sbomOfLayers([{ ...pkg('a', '2.0.0'), ...pkg('b', '2.1.3'), ...pkg('c', '0.7.1') }]);
  const after = await sbomOfLayers([{ ...pkg('a', '2.0.0'), ...pkg('b', '2.1.2'), ...pkg('c', '3.0.0'), ...pkg('d', '4.0.0') }]);
  const c = compareImages({ sbom: after.sbom, findings: [] }, { sbom: before.sbom, findings: [] });
  assert.equal(c.packages.unchanged, 1);
  assert.deepEqual(c.packages.changed.map((p) => [p.from, p.to, p.direction]), [['0.7.1', '2.1.2', 'upgraded'], ['2.1.3', '3.0.0', 'upgraded']]);
  assert.deepEqual(c.packages.added.map((p) => p.version), ['4.0.0']);
  assert.deepEqual(c.packages.removed, []);
});
