import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dpkgCataloger } from '../../src/catalog/dpkg/index.js';
import { embeddedSbomCataloger } from '../../src/catalog/embedded-sbom/index.js';
import { openImage } from '../../src/image/open.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

/** A minimal SPDX 2.3 document as build tools embed them. */
function spdx(packages: { name: string; version: string; purl: string; license?: string }[]): string {
  return JSON.stringify({
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'embedded',
    documentNamespace: 'https://example.com/spdx/embedded',
    creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: example'] },
    packages: packages.map((p, i) => ({
      SPDXID: `SPDXRef-Package-${i}`,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: p.license ?? 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
    })),
  });
}

test('SBOMs shipped inside the image add their packages; ones another cataloger found are not counted twice', async () => {
  const im = await buildImage({
    layers: [
      {
        'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
        'var/lib/dpkg/status': 'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\nSource: zlib\n',
        'usr/share/sbom/app.spdx.json': spdx([
          { name: 'zlib1g', version: '1:1.2.13.dfsg-1', purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64' },
          { name: 'static-lib', version: '3.1.0', purl: 'pkg:generic/static-lib@3.1.0', license: 'MIT' },
        ]),
        'usr/share/sbom/broken.cdx.json': '{"bomFormat": "CycloneDX", "components": [',
      },
    ],
  });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const { sbom } = await sbomForImage(await openImage(dir), [dpkgCataloger, embeddedSbomCataloger], { cache: false });
  assert.deepEqual(sbom.packages.map((p) => p.name).sort(), ['static-lib', 'zlib1g']);
  const zlib = sbom.packages.find((p) => p.name === 'zlib1g')!;
  assert.deepEqual(zlib.locations.map((l) => l.path), ['/var/lib/dpkg/status', '/usr/share/sbom/app.spdx.json']);
  const lib = sbom.packages.find((p) => p.name === 'static-lib')!;
  assert.equal(lib.foundBy, 'embedded-sbom-cataloger');
  assert.equal(lib.locations[0].path, '/usr/share/sbom/app.spdx.json');
  assert.deepEqual(lib.licenses, [{ spdx: 'MIT' }]);
  assert.ok(sbom.warnings.some((w) => w.path === '/usr/share/sbom/broken.cdx.json'), 'the broken embedded SBOM is named');
});
