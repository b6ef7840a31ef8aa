import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { dpkgCataloger } from '../../src/catalog/dpkg/index.js';
import { npmCataloger } from '../../src/catalog/npm/index.js';
import { pythonCataloger } from '../../src/catalog/python/index.js';
import { openImage } from '../../src/image/open.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { buildImage, writeOciLayout, type LayerSpec } from '../helpers/image-builder.js';
import { sbomOfLayers } from '../helpers/sbom-of.js';
import { tempDir } from '../helpers/tmp.js';

const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';

function stanza(name: string, version: string): string {
  return `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\nMaintainer: Debian <debian@example.org>\nDescription: ${name} package\n`;
}

function dist(name: string, version: string): Record<string, string> {
  return { [`usr/lib/python3/dist-packages/${name}-${version}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n` };
}

function sbomOf(layers: LayerSpec[]) {
  return sbomOfLayers(layers, [dpkgCataloger, pythonCataloger]);
}

test('each package is credited to the first layer where it appears at that version, across three layers', async () => {
  const { sbom, im } = await sbomOf([
    { 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': stanza('libfoo', '1.0-1') },
    { 'var/lib/dpkg/status': stanza('libfoo', '1.0-1') + '\n' + stanza('bar', '2.0-1') },
    { 'var/lib/dpkg/status': stanza('libfoo', '1.1-1') + '\n' + stanza('bar', '2.0-1') },
  ]);
  const by = new Map(sbom.packages.map((p) => [p.name, p]));
  assert.equal(by.get('libfoo')!.version, '1.1-1', 'the upgrade wins');
  assert.equal(by.get('libfoo')!.introducedLayer!.diffId, im.layers[2].diffId, 'credited to the layer that upgraded it');
  assert.equal(by.get('bar')!.introducedLayer!.diffId, im.layers[1].diffId, 'not to the last layer that rewrote the database');
  assert.equal(by.get('bar')!.locations[0].path, '/var/lib/dpkg/status');
  assert.equal(by.get('bar')!.locations[0].layer!.index, 2, 'the evidence file itself was last written by layer 2');
  assert.equal(sbom.packageCount, 2);
  assert.equal(sbom.distro?.id, 'debian');
  assert.match(by.get('bar')!.purl, /^pkg:deb\/debian\/bar@2\.0-1\?arch=amd64&distro=debian-12$/);
  assert.equal(new Set(sbom.packages.map((p) => p.id)).size, 2, 'ids are unique');
});

test('a package removed by a whiteout in a later layer disappears from the SBOM', async () => {
  const { sbom } = await sbomOf([
    { 'etc/os-release': OS_RELEASE, ...dist('requests', '2.31.0'), ...dist('urllib3', '1.26.5') },
    { 'usr/lib/python3/dist-packages/requests-2.31.0.dist-info': { whiteout: true } },
  ]);
  assert.deepEqual(sbom.packages.map((p) => p.name).sort(), ['urllib3']);
});

test('a package that disappears and comes back is credited to the layer that brought it back', async () => {
  const { sbom, im } = await sbomOf([
    dist('six', '1.16.0'),
    { 'usr/lib/python3/dist-packages/six-1.16.0.dist-info': { whiteout: true } },
    { ...dist('six', '1.16.0'), 'etc/marker': 'layer 2 differs from layer 0' },
  ]);
  assert.notEqual(im.layers[2].diffId, im.layers[0].diffId);
  assert.equal(sbom.packages.length, 1);
  assert.equal(sbom.packages[0].introducedLayer!.index, 2);
});

test('a Python package whose files a deb installed is marked as owned by that deb', async () => {
  const { sbom } = await sbomOf([
    {
      'etc/os-release': OS_RELEASE,
      'var/lib/dpkg/status': stanza('python3-six', '1.16.0-4'),
      'var/lib/dpkg/info/python3-six.list': '/.\n/usr\n/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\n/usr/lib/python3/dist-packages/six.py\n',
      ...dist('six', '1.16.0'),
      ...dist('requests', '2.31.0'),
    },
  ]);
  const deb = sbom.packages.find((p) => p.name === 'python3-six')!;
  const six = sbom.packages.find((p) => p.name === 'six')!;
  const requests = sbom.packages.find((p) => p.name === 'requests')!;
  assert.equal(six.ownedBy, deb.id);
  assert.equal(requests.ownedBy, undefined, 'pip-installed packages belong to no OS package');
});

test('the catalog of an exact layer stack is cached: a second run reads no layer and gives the same packages', async () => {
  const { LayerCache } = await import('../../src/image/cache.js');
  const im = await buildImage({ layers: [{ 'etc/os-release': OS_RELEASE, 'var/lib/dpkg/status': stanza('libfoo', '1.0-1') }, dist('six', '1.16.0')] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const cache = new LayerCache(join(tempDir(), 'layers'));
  const first = await sbomForImage(await openImage(dir), [dpkgCataloger, pythonCataloger], { cache });
  const again = await sbomForImage(await openImage(dir), [dpkgCataloger, pythonCataloger], { cache });
  assert.equal(first.fromCache, false);
  assert.equal(again.fromCache, true);
  assert.equal(again.scan, undefined, 'no layer was read');
  assert.deepEqual(again.sbom.packages, first.sbom.packages);
  assert.deepEqual(again.sbom.image, first.sbom.image);
  const other = await sbomForImage(await openImage(dir), [dpkgCataloger], { cache });
  assert.equal(other.fromCache, false, 'another cataloger set is another key');
  assert.deepEqual(other.sbom.packages.map((p) => p.name), ['libfoo']);
});

test('a binary at a path an rpm package installed is marked as owned by that package (real rpmdb file lists)', async () => {
  const { readFileSync } = await import('node:fs');
  const { rpmCataloger } = await import('../../src/catalog/rpm/index.js');
  const { goBinaryCataloger } = await import('../../src/catalog/golang/index.js');
  const { treeFromMemory } = await import('../../src/image/layer/memory-index.js');
  const { catalogTree } = await import('../../src/catalog/run.js');
  const { captureFor } = await import('../../src/catalog/selection.js');
  const fixtures = new URL('../fixtures/catalogers/', import.meta.url).pathname;
  const tree = await treeFromMemory(
    [
      {
        '/usr/lib/sysimage/rpm/Packages.db': readFileSync(fixtures + 'rpm/ndb-sles15-bci/usr/lib/sysimage/rpm/Packages.db'),
        // Stand a Go binary where glibc's rpm says /usr/bin/getent lives, and another elsewhere.
        '/usr/bin/getent': readFileSync(fixtures + 'golang/trivy-elf-modules/test.elf'),
        '/opt/tool/bin/tool': readFileSync(fixtures + 'golang/trivy-elf-modules/test.elf'),
      },
    ],
    captureFor([rpmCataloger, goBinaryCataloger]),
  );
  const { packages } = catalogTree(tree, [rpmCataloger, goBinaryCataloger]);
  const glibc = packages.find((p) => p.type === 'rpm' && p.name === 'glibc')!;
  const owned = packages.filter((p) => p.type === 'golang' && p.locations[0].path === '/usr/bin/getent');
  const free = packages.filter((p) => p.type === 'golang' && p.locations[0].path === '/opt/tool/bin/tool');
  assert.ok(owned.length > 0 && free.length === owned.length);
  assert.ok(owned.every((p) => p.ownedBy === glibc.id));
  assert.ok(free.every((p) => p.ownedBy === undefined));
});

test('a package keeps the layer that installed it when a later layer adds more evidence for it (a lockfile)', async () => {
  const { sbom, im } = await sbomOfLayers([
    {
      'app/package.json': '{"name":"app","version":"1.0.0","dependencies":{"x":"^1.0.0"}}',
      'app/node_modules/x/package.json': '{"name":"x","version":"1.0.0"}',
    },
    {
      'app/package-lock.json': JSON.stringify({
        name: 'app',
        version: '1.0.0',
        lockfileVersion: 3,
        packages: { '': { name: 'app', version: '1.0.0', dependencies: { x: '^1.0.0' } }, 'node_modules/x': { version: '1.0.0' } },
      }),
    },
  ], [npmCataloger]);
  const x = sbom.packages.find((p) => p.name === 'x')!;
  assert.ok(x.locations.some((l) => l.path === '/app/package-lock.json'), 'the lockfile is evidence too');
  assert.equal(x.introducedLayer!.index, 0, 'installed by layer 0; layer 1 only added a lockfile');
  assert.equal(x.introducedLayer!.diffId, im.layers[0].diffId);
});
