/**
 * True duplicates (the same package repeated with the same facts) are one package, and
 * de-duplicating stays linear: 40,000 repeated dpkg stanzas and 50,000 CycloneDX components
 * sharing one bom-ref used to take minutes (the timing is in bench/, not here).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dpkgCataloger } from '../../src/catalog/dpkg/index.js';
import { catalogScan } from '../../src/catalog/run.js';
import type { Cataloger } from '../../src/catalog/types.js';
import { indexFromMemory, type MemoryEntry } from '../../src/image/layer/memory-index.js';
import type { ImageScan } from '../../src/image/scan.js';
import { readCycloneDx } from '../../src/sbom/formats/cyclonedx-read.js';
import { readSpdx } from '../../src/sbom/formats/spdx.js';

const REF = { index: 0, digest: 'sha256:dup', diffId: 'sha256:dup' };

async function catalogLayer(files: Record<string, MemoryEntry>, c: Cataloger) {
  const index = await indexFromMemory(files, c.capture, REF.diffId);
  const scan = { layers: [{ ref: REF, index, fromCache: false }], warnings: [], failedLayers: [] } as unknown as ImageScan;
  return catalogScan(scan, [c]);
}

test('dpkg: 40,000 repeated stanzas are one package each, linked once', async () => {
  const pair = 'Package: a\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\nDepends: b\n\nPackage: b\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n\n';
  const { packages } = await catalogLayer({ 'var/lib/dpkg/status': pair.repeat(20_000) }, dpkgCataloger);
  assert.deepEqual(packages.map((p) => p.name).sort(), ['a', 'b']);
  const a = packages.find((p) => p.name === 'a')!;
  const b = packages.find((p) => p.name === 'b')!;
  assert.deepEqual(a.dependsOn, [b.id]);
  assert.deepEqual(b.dependencyOf, [a.id]);
  assert.equal(b.relationship, 'transitive');
});

test('dpkg: two stanzas with one name and version but different facts stay two packages', async () => {
  const st = (d: string) => `Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDescription: ${d}\n\n`;
  const { packages } = await catalogLayer({ 'var/lib/dpkg/status': st('one') + st('two') + st('one') }, dpkgCataloger);
  assert.deepEqual(packages.map((p) => p.description).sort(), ['one', 'two']);
  assert.equal(new Set(packages.map((p) => p.id)).size, 2, 'distinct ids');
});

test('CycloneDX: 50,000 identical components sharing one bom-ref are one package', () => {
  const components = Array.from({ length: 50_000 }, () => ({ type: 'library', 'bom-ref': 'same', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' }));
  const sbom = readCycloneDx(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components }));
  assert.equal(sbom.packages.length, 1);
  assert.equal(sbom.packages[0].name, 'left-pad');
});

test('CycloneDX: 50,000 different components sharing one bom-ref keep distinct ids, links go to the first', () => {
  const components = Array.from({ length: 50_000 }, (_, i) => ({ type: 'library', 'bom-ref': 'same', name: `p${i}`, version: '1.0.0' }));
  components.push({ type: 'library', 'bom-ref': 'app', name: 'app', version: '1.0.0' });
  const doc = { bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components, dependencies: [{ ref: 'app', dependsOn: ['same'] }] };
  const sbom = readCycloneDx(JSON.stringify(doc));
  assert.equal(sbom.packages.length, 50_001);
  assert.equal(new Set(sbom.packages.map((p) => p.id)).size, 50_001, 'every id unique');
  const app = sbom.packages.find((p) => p.name === 'app')!;
  assert.deepEqual(app.dependsOn, [sbom.packages.find((p) => p.name === 'p0')!.id]);
});

test('SPDX: identical packages repeating one SPDXID are one package', () => {
  const packages = Array.from({ length: 20_000 }, () => ({ SPDXID: 'SPDXRef-x', name: 'x', versionInfo: '1', downloadLocation: 'NOASSERTION' }));
  packages.push({ SPDXID: 'SPDXRef-y', name: 'y', versionInfo: '1', downloadLocation: 'NOASSERTION' });
  const doc = { spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: 'd', documentNamespace: 'https://example.com/d', creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: t'] }, packages };
  const sbom = readSpdx(JSON.stringify(doc));
  assert.deepEqual(sbom.packages.map((p) => p.name).sort(), ['x', 'y']);
});
