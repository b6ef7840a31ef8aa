import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { osReleaseCapture, parseOsRelease, readDistro } from '../../src/catalog/os-release.js';
import { treeFromMemory } from '../../src/image/layer/memory-index.js';

const DEBIAN12 = readFileSync(new URL('../fixtures/catalogers/dpkg/syft-debian12-status/rootfs/etc/os-release', import.meta.url), 'utf8');

// Written from memory of the files these distributions ship (not copied from an image).
const ALPINE_319 = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;
const UBUNTU_2204 = `PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
UBUNTU_CODENAME=jammy
`;
const RHEL9 = `NAME="Red Hat Enterprise Linux"
VERSION="9.3 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
`;

test('debian 12 os-release from the conformance fixture', async () => {
  const tree = await treeFromMemory([{ '/etc/os-release': DEBIAN12 }], osReleaseCapture);
  assert.deepEqual(readDistro(tree), {
    id: 'debian',
    versionId: '12',
    versionCodename: 'bookworm',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
  });
});

test('alpine, ubuntu and rhel os-release strings', async () => {
  const alpine = readDistro(await treeFromMemory([{ '/etc/os-release': ALPINE_319 }], osReleaseCapture));
  assert.deepEqual(alpine, { id: 'alpine', versionId: '3.19.1', prettyName: 'Alpine Linux v3.19' });
  const ubuntu = readDistro(await treeFromMemory([{ '/etc/os-release': UBUNTU_2204 }], osReleaseCapture));
  assert.equal(ubuntu?.id, 'ubuntu');
  assert.equal(ubuntu?.versionId, '22.04');
  assert.equal(ubuntu?.versionCodename, 'jammy');
  assert.deepEqual(ubuntu?.idLike, ['debian']);
  const rhel = readDistro(await treeFromMemory([{ '/etc/os-release': RHEL9 }], osReleaseCapture));
  assert.equal(rhel?.id, 'rhel', 'quoted ID is unquoted');
  assert.equal(rhel?.versionId, '9.3');
  assert.deepEqual(rhel?.idLike, ['fedora']);
});

test('/etc/os-release as a relative symlink to /usr/lib/os-release is followed', async () => {
  const tree = await treeFromMemory(
    [{ '/usr/lib/os-release': UBUNTU_2204, '/etc/os-release': { symlink: '../usr/lib/os-release' } }],
    osReleaseCapture,
  );
  assert.equal(readDistro(tree)?.id, 'ubuntu');
});

test('/usr/lib/os-release is the fallback when /etc has none', async () => {
  const tree = await treeFromMemory([{ '/usr/lib/os-release': ALPINE_319 }], osReleaseCapture);
  assert.equal(readDistro(tree)?.id, 'alpine');
});

test('/etc/os-release wins over /usr/lib/os-release', async () => {
  const tree = await treeFromMemory([{ '/usr/lib/os-release': ALPINE_319, '/etc/os-release': RHEL9 }], osReleaseCapture);
  assert.equal(readDistro(tree)?.id, 'rhel');
});

test('a dangling or looping symlink yields no distro, without throwing', async () => {
  const dangling = await treeFromMemory([{ '/etc/os-release': { symlink: '/nowhere' } }], osReleaseCapture);
  assert.equal(readDistro(dangling), undefined);
  const loop = await treeFromMemory(
    [{ '/etc/os-release': { symlink: '/usr/lib/os-release' }, '/usr/lib/os-release': { symlink: '/etc/os-release' } }],
    osReleaseCapture,
  );
  assert.equal(readDistro(loop), undefined);
});

test('garbage and a file without ID yield no distro', async () => {
  const bin = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 61, 61, 10]);
  assert.equal(readDistro(await treeFromMemory([{ '/etc/os-release': bin }], osReleaseCapture)), undefined);
  assert.equal(readDistro(await treeFromMemory([{ '/etc/os-release': 'NAME=x\nVERSION_ID=1\n' }], osReleaseCapture)), undefined);
});

test('escapes in double quotes, comments and blank lines', () => {
  const f = parseOsRelease('# comment\n\nPRETTY_NAME="A \\"quoted\\" name"\nX=\'single $x\'\nnot a line\n');
  assert.equal(f.PRETTY_NAME, 'A "quoted" name');
  assert.equal(f.X, 'single $x');
  assert.equal(Object.keys(f).length, 2);
});
