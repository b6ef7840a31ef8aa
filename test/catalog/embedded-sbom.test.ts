import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apkCataloger } from '../../src/catalog/apk/index.js';
import { dpkgCataloger } from '../../src/catalog/dpkg/index.js';
import { embeddedSbomCataloger } from '../../src/catalog/embedded-sbom/index.js';
import { npmCataloger } from '../../src/catalog/npm/index.js';
import { writeCycloneDx } from '../../src/sbom/formats/cyclonedx.js';
import type { Package, Sbom } from '../../src/sbom/model.js';
import { sbomOfLayers } from '../helpers/sbom-of.js';

/** A minimal SPDX 2.3 document as build tools embed them; `links` are [from, to] package indexes. */
function spdx(packages: { name: string; version: string; purl: string; license?: string }[], links: [number, number][] = []): string {
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
    relationships: links.map(([from, to]) => ({ spdxElementId: `SPDXRef-Package-${from}`, relationshipType: 'DEPENDS_ON', relatedSpdxElement: `SPDXRef-Package-${to}` })),
  });
}

test('SBOMs shipped inside the image add their packages; ones another cataloger found are not counted twice', async () => {
  const { sbom } = await sbomOfLayers([
    {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      'var/lib/dpkg/status': 'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\nSource: zlib\n',
      'usr/share/sbom/app.spdx.json': spdx([
        { name: 'zlib1g', version: '1:1.2.13.dfsg-1', purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64' },
        { name: 'static-lib', version: '3.1.0', purl: 'pkg:generic/static-lib@3.1.0', license: 'MIT' },
      ]),
      'usr/share/sbom/broken.cdx.json': '{"bomFormat": "CycloneDX", "components": [',
    },
  ], [dpkgCataloger, embeddedSbomCataloger]);
  assert.deepEqual(sbom.packages.map((p) => p.name).sort(), ['static-lib', 'zlib1g']);
  const zlib = sbom.packages.find((p) => p.name === 'zlib1g')!;
  assert.deepEqual(zlib.locations.map((l) => l.path), ['/var/lib/dpkg/status', '/usr/share/sbom/app.spdx.json']);
  const lib = sbom.packages.find((p) => p.name === 'static-lib')!;
  assert.equal(lib.foundBy, 'embedded-sbom-cataloger');
  assert.equal(lib.locations[0].path, '/usr/share/sbom/app.spdx.json');
  assert.deepEqual(lib.licenses, [{ spdx: 'MIT' }]);
  assert.ok(sbom.warnings.some((w) => w.path === '/usr/share/sbom/broken.cdx.json'), 'the broken embedded SBOM is named');
});

// ---------------------------------------------------------------------------------------------
// A valid CycloneDX document, the Wolfi/Chainguard /var/lib/db/sbom/ folder, and folding.

const DEBIAN_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';

function byPurl(packages: Package[]): Map<string, Package> {
  const m = new Map(packages.map((p) => [p.purl, p]));
  assert.equal(m.size, packages.length, 'one package per purl');
  return m;
}

/** A CycloneDX 1.5 BOM as @cyclonedx/cyclonedx-npm writes one for a Node.js project. */
function npmCdx(express: string): string {
  return JSON.stringify(
    {
      $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      version: 1,
      metadata: {
        timestamp: '2024-05-01T10:00:00Z',
        tools: [{ vendor: '@cyclonedx', name: 'cyclonedx-npm', version: '1.16.2' }],
        component: { type: 'application', name: 'web', version: '1.0.0', 'bom-ref': 'web@1.0.0', purl: 'pkg:npm/web@1.0.0' },
      },
      components: [
        {
          type: 'library',
          name: 'express',
          version: express,
          'bom-ref': `express@${express}`,
          author: 'TJ Holowaychuk',
          description: 'Fast, unopinionated, minimalist web framework',
          licenses: [{ license: { id: 'MIT' } }],
          purl: `pkg:npm/express@${express}`,
        },
        {
          type: 'library',
          name: 'qs',
          version: '6.11.0',
          'bom-ref': 'qs@6.11.0',
          licenses: [{ expression: 'BSD-3-Clause' }],
          purl: 'pkg:npm/qs@6.11.0',
        },
        {
          type: 'library',
          group: '@babel',
          name: 'runtime',
          version: '7.24.5',
          'bom-ref': '@babel/runtime@7.24.5',
          licenses: [{ license: { id: 'MIT' } }],
          purl: 'pkg:npm/%40babel/runtime@7.24.5',
        },
      ],
      dependencies: [
        { ref: 'web@1.0.0', dependsOn: [`express@${express}`, '@babel/runtime@7.24.5'] },
        { ref: `express@${express}`, dependsOn: ['qs@6.11.0'] },
        { ref: 'qs@6.11.0' },
        { ref: '@babel/runtime@7.24.5' },
      ],
    },
    null,
    2,
  );
}

test('a CycloneDX *.cdx.json in the image: its components join the SBOM, the document and its layer as evidence', async () => {
  const { sbom, im } = await sbomOfLayers(
    [{ 'etc/os-release': DEBIAN_OS_RELEASE }, { 'app/web.cdx.json': npmCdx('4.19.2'), 'app/server.js': 'require("express")().listen(8080);\n' }],
    [dpkgCataloger, embeddedSbomCataloger],
  );
  const layer1 = im.layers[1].diffId;
  const pkgs = byPurl(sbom.packages);
  assert.deepEqual([...pkgs.keys()], ['pkg:npm/express@4.19.2', 'pkg:npm/qs@6.11.0', 'pkg:npm/%40babel/runtime@7.24.5']);
  for (const p of sbom.packages) {
    assert.equal(p.foundBy, 'embedded-sbom-cataloger');
    assert.equal(p.type, 'npm');
    assert.deepEqual(p.locations.map((l) => [l.path, l.layer?.index, l.layer?.diffId]), [['/app/web.cdx.json', 1, layer1]]);
    assert.equal(p.introducedLayer?.diffId, layer1, `${p.name} was brought by layer 1`);
    assert.equal(p.metadata?.declaredIn, '/app/web.cdx.json');
  }
  const express = pkgs.get('pkg:npm/express@4.19.2')!;
  const qs = pkgs.get('pkg:npm/qs@6.11.0')!;
  const runtime = pkgs.get('pkg:npm/%40babel/runtime@7.24.5')!;
  assert.equal(express.author, 'TJ Holowaychuk');
  assert.equal(express.description, 'Fast, unopinionated, minimalist web framework');
  assert.deepEqual(express.licenses, [{ spdx: 'MIT' }]);
  assert.deepEqual(qs.licenses, [{ spdx: 'BSD-3-Clause' }]);
  assert.equal(runtime.name, 'runtime');
  assert.equal(runtime.namespace, '@babel');
  // The document's dependency graph is kept, with ids rewritten to the SBOM's own.
  assert.deepEqual(express.dependsOn, [qs.id]);
  assert.deepEqual(qs.dependencyOf, [express.id]);
  assert.equal(runtime.dependsOn, undefined);
  assert.deepEqual(sbom.warnings.filter((w) => w.path?.startsWith('/app/')), []);
});

test('an embedded CycloneDX rewritten by a later layer: a changed component is credited to that layer, unchanged ones keep theirs', async () => {
  const { sbom, im } = await sbomOfLayers(
    [{ 'etc/os-release': DEBIAN_OS_RELEASE }, { 'app/web.cdx.json': npmCdx('4.19.2') }, { 'app/web.cdx.json': npmCdx('4.21.0') }],
    [embeddedSbomCataloger],
  );
  assert.deepEqual(
    sbom.packages.map((p) => [p.purl, p.introducedLayer?.index, p.locations[0].layer?.index]),
    [
      ['pkg:npm/express@4.21.0', 2, 2],
      ['pkg:npm/qs@6.11.0', 1, 2],
      ['pkg:npm/%40babel/runtime@7.24.5', 1, 2],
    ],
  );
  assert.equal(sbom.packages[0].introducedLayer?.diffId, im.layers[2].diffId);
  assert.equal(sbom.packages[1].introducedLayer?.diffId, im.layers[1].diffId);
});

test('an SBOM written by this tool and shipped in the image: its own paths become declaredLocations, the file is the evidence', async () => {
  const base: Sbom = {
    schema: 'iechor-scout/sbom@1',
    generatedAt: '2024-04-01T00:00:00.000Z',
    tool: { name: 'iechor-scout', version: '0.9.0' },
    packages: [
      {
        id: 'base-libssl3',
        name: 'libssl3',
        version: '3.0.11-1~deb12u2',
        type: 'deb',
        purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12',
        licenses: [{ spdx: 'Apache-2.0' }],
        locations: [{ path: '/var/lib/dpkg/status', layer: { index: 0, digest: 'sha256:' + 'b'.repeat(64), diffId: 'sha256:' + 'c'.repeat(64) } }],
        introducedLayer: { index: 0, digest: 'sha256:' + 'b'.repeat(64), diffId: 'sha256:' + 'c'.repeat(64) },
        foundBy: 'dpkg-cataloger',
        source: { name: 'openssl' },
      },
    ],
    packageCount: 1,
    warnings: [],
  };
  const { sbom, im } = await sbomOfLayers([{ 'etc/os-release': DEBIAN_OS_RELEASE }, { 'usr/share/sbom/base.cdx.json': writeCycloneDx(base) }], [embeddedSbomCataloger]);
  assert.equal(sbom.packages.length, 1);
  const ssl = sbom.packages[0];
  assert.equal(ssl.purl, 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12');
  assert.equal(ssl.foundBy, 'embedded-sbom-cataloger', 'the declaring document, not the cataloger that made it, found it here');
  assert.deepEqual(ssl.locations.map((l) => [l.path, l.layer?.diffId]), [['/usr/share/sbom/base.cdx.json', im.layers[1].diffId]]);
  assert.equal(ssl.introducedLayer?.diffId, im.layers[1].diffId, 'not the layer the document speaks of');
  assert.deepEqual(ssl.metadata?.declaredLocations, ['/var/lib/dpkg/status']);
  assert.equal(ssl.metadata?.declaredIn, '/usr/share/sbom/base.cdx.json');
  assert.deepEqual(ssl.source, { name: 'openssl' });
  assert.deepEqual(ssl.licenses, [{ spdx: 'Apache-2.0' }]);
});

const WOLFI_OS_RELEASE = 'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\nHOME_URL="https://wolfi.dev"\n';

function wolfiApk(name: string, version: string, license: string, origin: string): string {
  return [
    `C:Q1${Buffer.from(name + version).toString('base64').slice(0, 26).padEnd(26, 'A')}=`,
    `P:${name}`,
    `V:${version}`,
    'A:x86_64',
    'S:1200000',
    'I:5000000',
    `T:${name}`,
    'U:https://wolfi.dev',
    `L:${license}`,
    `o:${origin}`,
    't:1714000000',
    'c:8f2a0ad6e4f6b0e63b8e0a2c1b59b7b0a3e5f7c1',
    'F:usr/lib',
    `R:lib${name}.so`,
    '',
  ].join('\n');
}

/** The per-package SPDX document melange writes into each Wolfi apk (/var/lib/db/sbom/<name>-<version>.spdx.json). */
function melangeSpdx(name: string, version: string, license: string): string {
  const id = `SPDXRef-Package-${name}-${version}`;
  return JSON.stringify(
    {
      SPDXID: 'SPDXRef-DOCUMENT',
      name: `apk-${name}-${version}`,
      spdxVersion: 'SPDX-2.3',
      creationInfo: { created: '2024-04-25T00:00:00Z', creators: ['Tool: melange (v0.6.11)', 'Organization: Chainguard, Inc'], licenseListVersion: '3.22' },
      dataLicense: 'CC0-1.0',
      documentNamespace: `https://spdx.org/spdxdocs/chainguard/melange/${name}-${version}`,
      documentDescribes: [id],
      packages: [
        {
          SPDXID: id,
          name,
          versionInfo: version,
          filesAnalyzed: false,
          licenseConcluded: 'NOASSERTION',
          licenseDeclared: license,
          downloadLocation: 'NOASSERTION',
          originator: 'Organization: Wolfi',
          supplier: 'Organization: Wolfi',
          copyrightText: '\n',
          externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceLocator: `pkg:apk/wolfi/${name}@${version}?arch=x86_64`, referenceType: 'purl' }],
        },
      ],
    },
    null,
    2,
  );
}

/** An in-toto statement wrapping SPDX, as attestations carry SBOMs; the name ends in neither suffix. */
function inTotoSpdx(name: string, version: string): string {
  return JSON.stringify({
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://spdx.dev/Document',
    subject: [{ name: `${name}.apk`, digest: { sha256: 'e'.repeat(64) } }],
    predicate: JSON.parse(melangeSpdx(name, version, 'MIT')) as unknown,
  });
}

test('Wolfi: documents under /var/lib/db/sbom/ are read whatever their name; each declared apk folds into the one the apk database lists', async () => {
  const { sbom, im } = await sbomOfLayers(
    [
      {
        'etc/os-release': WOLFI_OS_RELEASE,
        'lib/apk/db/installed': wolfiApk('glibc', '2.39-r5', 'LGPL-2.1-or-later', 'glibc'),
        'var/lib/db/sbom/glibc-2.39-r5.spdx.json': melangeSpdx('glibc', '2.39-r5', 'LGPL-2.1-or-later'),
      },
      {
        'lib/apk/db/installed': wolfiApk('glibc', '2.39-r5', 'LGPL-2.1-or-later', 'glibc') + '\n' + wolfiApk('tini', '0.19.0-r3', 'MIT', 'tini'),
        // Named like no SBOM suffix: read because of the folder it is in...
        'var/lib/db/sbom/tini-0.19.0-r3.intoto.json': inTotoSpdx('tini', '0.19.0-r3'),
        // ...while the same document elsewhere is not looked at.
        'opt/attestations/jq-1.7.1-r1.intoto.json': inTotoSpdx('jq', '1.7.1-r1'),
      },
    ],
    [apkCataloger, embeddedSbomCataloger],
  );
  const pkgs = byPurl(sbom.packages);
  assert.deepEqual(
    [...pkgs.keys()],
    ['pkg:apk/wolfi/glibc@2.39-r5?arch=x86_64&distro=wolfi-20230201', 'pkg:apk/wolfi/tini@0.19.0-r3?arch=x86_64&distro=wolfi-20230201'],
    'the declared apks are folded (qualifiers aside, same purl); jq is nowhere',
  );
  const glibc = pkgs.get('pkg:apk/wolfi/glibc@2.39-r5?arch=x86_64&distro=wolfi-20230201')!;
  assert.equal(glibc.foundBy, 'apk-cataloger');
  assert.deepEqual(glibc.locations.map((l) => [l.path, l.layer?.index]), [
    ['/lib/apk/db/installed', 1],
    ['/var/lib/db/sbom/glibc-2.39-r5.spdx.json', 0],
  ]);
  assert.equal(glibc.introducedLayer?.diffId, im.layers[0].diffId);
  assert.deepEqual(glibc.licenses, [{ spdx: 'LGPL-2.1-or-later' }]);
  assert.equal(glibc.author, 'Wolfi', 'the apk database names no maintainer; the declaration names the supplier');
  const tini = pkgs.get('pkg:apk/wolfi/tini@0.19.0-r3?arch=x86_64&distro=wolfi-20230201')!;
  assert.equal(tini.foundBy, 'apk-cataloger');
  assert.deepEqual(tini.locations.map((l) => [l.path, l.layer?.diffId]), [
    ['/lib/apk/db/installed', im.layers[1].diffId],
    ['/var/lib/db/sbom/tini-0.19.0-r3.intoto.json', im.layers[1].diffId],
  ]);
  assert.equal(tini.introducedLayer?.diffId, im.layers[1].diffId);
  assert.equal(sbom.packageCount, 2);
  assert.deepEqual(sbom.warnings.filter((w) => w.code === 'embedded-sbom-unreadable'), []);
});

test('folding: one package per declared-and-found purl; the declaration fills licenses and author the cataloger lacked; another version stays apart', async () => {
  const nm = 'app/node_modules';
  const cdx = JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { timestamp: '2024-05-01T10:00:00Z', component: { type: 'application', name: 'web', version: '1.0.0', 'bom-ref': 'web' } },
    components: [
      { type: 'library', name: 'express', version: '4.19.2', 'bom-ref': 'a', licenses: [{ license: { id: 'Apache-2.0' } }], author: 'Someone Else', purl: 'pkg:npm/express@4.19.2' },
      { type: 'library', name: 'left-pad', version: '1.3.0', 'bom-ref': 'b', licenses: [{ license: { id: 'WTFPL' } }], author: 'azer', description: 'String left pad', purl: 'pkg:npm/left-pad@1.3.0' },
      { type: 'library', name: 'lodash', version: '4.17.20', 'bom-ref': 'c', licenses: [{ license: { id: 'MIT' } }], purl: 'pkg:npm/lodash@4.17.20' },
    ],
  });
  const { sbom, im } = await sbomOfLayers(
    [
      {
        'etc/os-release': DEBIAN_OS_RELEASE,
        [`${nm}/express/package.json`]: JSON.stringify({ name: 'express', version: '4.19.2', license: 'MIT', author: 'TJ Holowaychuk <tj@vision-media.ca>', description: 'Fast, unopinionated, minimalist web framework' }),
        // Published without license, author or description fields.
        [`${nm}/left-pad/package.json`]: JSON.stringify({ name: 'left-pad', version: '1.3.0' }),
        [`${nm}/lodash/package.json`]: JSON.stringify({ name: 'lodash', version: '4.17.21', license: 'MIT' }),
      },
      { 'app/sbom/web.cdx.json': cdx },
    ],
    [npmCataloger, embeddedSbomCataloger],
  );
  assert.deepEqual(
    sbom.packages.map((p) => [p.purl, p.foundBy]).sort(),
    [
      ['pkg:npm/express@4.19.2', 'npm-cataloger'],
      ['pkg:npm/left-pad@1.3.0', 'npm-cataloger'],
      ['pkg:npm/lodash@4.17.20', 'embedded-sbom-cataloger'],
      ['pkg:npm/lodash@4.17.21', 'npm-cataloger'],
    ],
  );
  const pkgs = byPurl(sbom.packages);
  const express = pkgs.get('pkg:npm/express@4.19.2')!;
  assert.deepEqual(express.locations.map((l) => [l.path, l.layer?.index]), [
    [`/${nm}/express/package.json`, 0],
    ['/app/sbom/web.cdx.json', 1],
  ]);
  assert.deepEqual(express.licenses, [{ spdx: 'MIT' }], "the cataloger's findings win over the declaration");
  assert.equal(express.author, 'TJ Holowaychuk <tj@vision-media.ca>');
  assert.equal(express.introducedLayer?.diffId, im.layers[0].diffId, 'found in layer 0, declared in layer 1');
  const leftPad = pkgs.get('pkg:npm/left-pad@1.3.0')!;
  assert.deepEqual(leftPad.licenses, [{ spdx: 'WTFPL' }]);
  assert.equal(leftPad.author, 'azer');
  assert.equal(leftPad.description, 'String left pad');
  assert.deepEqual(leftPad.locations.map((l) => l.path), [`/${nm}/left-pad/package.json`, '/app/sbom/web.cdx.json']);
  assert.deepEqual(pkgs.get('pkg:npm/lodash@4.17.21')!.locations.map((l) => l.path), [`/${nm}/lodash/package.json`]);
  assert.deepEqual(pkgs.get('pkg:npm/lodash@4.17.20')!.locations.map((l) => [l.path, l.layer?.index]), [['/app/sbom/web.cdx.json', 1]]);
  assert.equal(new Set(sbom.packages.map((p) => p.id)).size, 4);
});

test('links declared in one embedded SBOM stay within it, and follow a declaration folded into a found package', async () => {
  // Generators number their ids (SPDXRef-Package-0, -1...): every document has the same ones.
  const { sbom } = await sbomOfLayers([
    {
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      'opt/a/a.spdx.json': spdx([{ name: 'a-app', version: '1.0.0', purl: 'pkg:generic/a-app@1.0.0' }, { name: 'a-lib', version: '1.0.0', purl: 'pkg:generic/a-lib@1.0.0' }], [[0, 1]]),
      'opt/b/b.spdx.json': spdx([{ name: 'b-app', version: '2.0.0', purl: 'pkg:generic/b-app@2.0.0' }, { name: 'b-lib', version: '2.0.0', purl: 'pkg:generic/b-lib@2.0.0' }], [[0, 1]]),
      'app/node_modules/qs/package.json': JSON.stringify({ name: 'qs', version: '6.11.0', license: 'BSD-3-Clause' }),
      'app/c.spdx.json': spdx([{ name: 'web', version: '1.0.0', purl: 'pkg:npm/web@1.0.0' }, { name: 'qs', version: '6.11.0', purl: 'pkg:npm/qs@6.11.0' }], [[0, 1]]),
    },
  ], [npmCataloger, embeddedSbomCataloger]);
  const named = (name: string) => {
    const all = sbom.packages.filter((p) => p.name === name);
    assert.equal(all.length, 1, name);
    return all[0];
  };
  assert.deepEqual(named('a-app').dependsOn, [named('a-lib').id]);
  assert.deepEqual(named('b-app').dependsOn, [named('b-lib').id]);
  assert.deepEqual(named('a-lib').dependencyOf, [named('a-app').id]);
  assert.deepEqual(named('qs').locations.map((l) => l.path), ['/app/node_modules/qs/package.json', '/app/c.spdx.json'], 'qs is one package, found and declared');
  assert.deepEqual(named('web').dependsOn, [named('qs').id], 'the link follows qs into the package npm found');
  assert.deepEqual(named('qs').dependencyOf, [named('web').id], 'and the found package knows who depends on it');
});
