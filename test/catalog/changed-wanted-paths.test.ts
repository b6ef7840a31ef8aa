import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dpkgCataloger } from '../../src/catalog/dpkg/index.js';
import type { LayerSpec } from '../helpers/image-builder.js';
import { sbomOfLayers } from '../helpers/sbom-of.js';

const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\n';
const stanza = (name: string, version: string) => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n`;
const STATUS = 'var/lib/dpkg/status';

const names = async (layers: LayerSpec[]) => {
  const { sbom } = await sbomOfLayers(layers, [dpkgCataloger]);
  return { names: sbom.packages.map((p) => `${p.name}@${p.version}`).sort(), sbom };
};

test('a layer that empties a wanted file is catalogued again: the packages below it are gone', async () => {
  const { names: got } = await names([{ 'etc/os-release': OS_RELEASE, [STATUS]: stanza('libold', '1') }, { [STATUS]: '' }]);
  assert.deepEqual(got, []);
});

test('a layer that replaces a wanted file with a link to another file is catalogued again, through the link', async () => {
  const { names: got } = await names([
    { 'etc/os-release': OS_RELEASE, [STATUS]: stanza('libold', '1') },
    { 'var/lib/dpkg/status.real': stanza('libnew', '2'), [STATUS]: { symlink: 'status.real' } },
  ]);
  assert.deepEqual(got, ['libnew@2']);
});

test('a dpkg status that is a link in the image is followed, to an absolute or climbing target, confined to the root', async () => {
  const abs = await names([{ 'etc/os-release': OS_RELEASE, 'opt/dpkg/status': stanza('libabs', '1'), [STATUS]: { symlink: '/opt/dpkg/status' } }]);
  assert.deepEqual(abs.names, ['libabs@1']);
  // '../../../../../opt/dpkg/status' climbs past '/', where it stops: it still names /opt/dpkg/status.
  const climbing = await names([{ 'etc/os-release': OS_RELEASE }, { 'opt/dpkg/status': stanza('libclimb', '3') }, { [STATUS]: { symlink: '../../../../../../../opt/dpkg/status' } }]);
  assert.deepEqual(climbing.names, ['libclimb@3']);
});

test('the target of a wanted link changing in a later layer is catalogued again', async () => {
  const { names: got } = await names([
    { 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status.real': stanza('libfoo', '1'), [STATUS]: { symlink: 'status.real' } },
    { 'var/lib/dpkg/status.real': stanza('libfoo', '2') },
  ]);
  assert.deepEqual(got, ['libfoo@2']);
});

test('a wanted link that loops is a warning naming the path, and the packages below it are gone', async () => {
  const { names: got, sbom } = await names([
    { 'etc/os-release': OS_RELEASE, [STATUS]: stanza('libold', '1') },
    { [STATUS]: { symlink: 'status.loop' }, 'var/lib/dpkg/status.loop': { symlink: 'status' } },
  ]);
  assert.deepEqual(got, []);
  assert.ok(sbom.warnings.some((w) => w.code === 'symlink-loop' && w.path === '/var/lib/dpkg/status' && w.message.includes('/var/lib/dpkg/status')), JSON.stringify(sbom.warnings));
});

test('a layer that deletes a wanted file, or puts a folder in its place, is catalogued again: the packages below it are gone', async () => {
  const base = { 'etc/os-release': OS_RELEASE, [STATUS]: stanza('libold', '1') };
  assert.deepEqual((await names([base, { [STATUS]: { whiteout: true } }])).names, []);
  assert.deepEqual((await names([base, { [`${STATUS}/`]: { dir: true }, [`${STATUS}/inside`]: stanza('libinside', '9') }])).names, []);
  // The same file again with other content: read again.
  assert.deepEqual((await names([base, { [STATUS]: stanza('libold', '2') }])).names, ['libold@2']);
});
