// The CycloneDX 1.6 and SPDX 2.3 exports of a real catalog (examples/demo-image.tar, every
// default cataloger, a fresh layer cache) validate against the official schemas, and every
// package's evidence paths and layer diff_ids survive in each.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { writeCycloneDx } from '../../../src/sbom/formats/cyclonedx.js';
import { writeSpdx } from '../../../src/sbom/formats/spdx.js';
import type { Sbom } from '../../../src/sbom/model.js';
import { cycloneDxValidator, spdxValidator } from './schema-validators.js';
import { DEMO_IMAGE, demoImageSbom } from '../../helpers/sbom-of.js';
import { tarMembers } from '../../helpers/image-builder.js';


interface NameValue {
  name: string;
  value: string;
}

/** rootfs.diff_ids of the archive's one image, straight from its config blob. */
async function demoDiffIds(): Promise<string[]> {
  const m = await tarMembers(DEMO_IMAGE);
  const blob = (digest: string) => JSON.parse(m.get(`blobs/sha256/${digest.slice('sha256:'.length)}`)!.toString('utf8')) as Record<string, unknown>;
  const index = JSON.parse(m.get('index.json')!.toString('utf8')) as { manifests: { digest: string }[] };
  assert.equal(index.manifests.length, 1);
  const manifest = blob(index.manifests[0].digest) as { config: { digest: string } };
  return (blob(manifest.config.digest) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids;
}

let sbom: Sbom;
let diffIds: string[];

before(async () => {
  diffIds = await demoDiffIds();
  sbom = await demoImageSbom();
});

test('the demo image catalog: every package, the layer that brought it and its evidence', () => {
  assert.equal(diffIds.length, 3);
  assert.deepEqual(
    sbom.image!.layers.map((l) => l.diffId),
    diffIds,
  );
  assert.deepEqual(sbom.warnings, []);
  const debs = ['apt', 'base-files', 'bash', 'curl', 'libc6', 'libcurl4', 'libexpat1', 'libncursesw6', 'libpam-modules', 'libsqlite3-0', 'libssl3', 'openssh-client', 'openssl', 'tar', 'util-linux', 'zlib1g'];
  const npm = ['demo-api', 'express', 'jsonwebtoken', 'lodash', 'minimist', 'qs', 'semver'];
  const summary = sbom.packages.map((p) => `${p.type}/${p.name} ${p.introducedLayer?.index} ${p.locations.map((l) => `${l.path}@${l.layer?.index}`).join(',')}`).sort();
  assert.deepEqual(
    summary,
    [
      ...debs.map((n) => `deb/${n} 0 /var/lib/dpkg/status@0`),
      ...npm.map((n) => `npm/${n} 2 /app/package-lock.json@2,${n === 'demo-api' ? '/app/package.json' : `/app/node_modules/${n}/package.json`}@2`),
      'pypi/requests 1 /usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA@1',
      'pypi/urllib3 1 /usr/local/lib/python3.11/site-packages/urllib3-1.26.5.dist-info/METADATA@1',
    ].sort(),
  );
  for (const p of sbom.packages) {
    assert.equal(p.introducedLayer!.diffId, diffIds[p.introducedLayer!.index], `${p.name}: introduced layer diff_id`);
    for (const l of p.locations) assert.equal(l.layer!.diffId, diffIds[l.layer!.index], `${p.name} ${l.path}: layer diff_id`);
  }
});

test('CycloneDX 1.6 export of the demo image validates against the official schema and keeps every path and layer', () => {
  const doc = JSON.parse(writeCycloneDx(sbom)) as {
    specVersion: string;
    metadata: { component: { type: string; properties: NameValue[] } };
    components: { 'bom-ref': string; name: string; version: string; purl: string; properties?: NameValue[] }[];
  };
  const validate = cycloneDxValidator();
  assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 1));
  assert.equal(doc.specVersion, '1.6');
  assert.equal(doc.metadata.component.type, 'container');
  const imageProps = doc.metadata.component.properties.filter((p) => p.name.startsWith('iechor-scout:image:layer:'));
  assert.deepEqual(
    imageProps,
    diffIds.map((d, i) => ({ name: `iechor-scout:image:layer:${i}:diffId`, value: d })),
  );
  assert.equal(doc.components.length, 25);
  assert.deepEqual(doc.components.map((c) => c['bom-ref']).sort(), sbom.packages.map((p) => p.id).sort());
  for (const p of sbom.packages) {
    const c = doc.components.find((x) => x['bom-ref'] === p.id)!;
    assert.deepEqual([c.name, c.version, c.purl], [p.name, p.version, p.purl]);
    const props = c.properties ?? [];
    const got = (name: string) => props.filter((x) => x.name === name).map((x) => x.value);
    p.locations.forEach((l, i) => {
      assert.deepEqual(got(`iechor-scout:location:${i}:path`), [l.path], `${p.name} location ${i} path`);
      assert.deepEqual(got(`iechor-scout:location:${i}:layerDiffId`), [diffIds[l.layer!.index]], `${p.name} location ${i} diff_id`);
      assert.deepEqual(got(`iechor-scout:location:${i}:layerIndex`), [String(l.layer!.index)]);
    });
    assert.deepEqual(got(`iechor-scout:location:${p.locations.length}:path`), [], 'no extra locations');
    assert.deepEqual(got('iechor-scout:introducedLayer:diffId'), [diffIds[p.introducedLayer!.index]], `${p.name} introduced diff_id`);
  }
});

test('SPDX 2.3 export of the demo image validates against the official schema and keeps every path and layer', () => {
  const doc = JSON.parse(writeSpdx(sbom)) as {
    spdxVersion: string;
    packages: { SPDXID: string; name: string; versionInfo: string; primaryPackagePurpose: string; comment?: string; externalRefs?: { referenceType: string; referenceLocator: string }[]; annotations?: { comment: string }[] }[];
    relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  };
  const validate = spdxValidator();
  assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 1));
  assert.equal(doc.spdxVersion, 'SPDX-2.3');
  const image = doc.packages.filter((p) => p.primaryPackagePurpose === 'CONTAINER');
  assert.equal(image.length, 1);
  const libs = doc.packages.filter((p) => p.primaryPackagePurpose === 'LIBRARY');
  assert.equal(libs.length, 25);
  assert.equal(doc.relationships.filter((r) => r.spdxElementId === image[0].SPDXID && r.relationshipType === 'CONTAINS').length, 25);
  const MARK = 'iechor-scout:extras ';
  const extrasOf = (p: (typeof libs)[number]): NameValue[] => {
    const a = (p.annotations ?? []).filter((x) => x.comment.startsWith(MARK));
    assert.equal(a.length, 1, `${p.name}: one extras annotation`);
    return JSON.parse(a[0].comment.slice(MARK.length)) as NameValue[];
  };
  const byId = new Map(libs.map((p) => [extrasOf(p).find((x) => x.name === 'iechor-scout:id')?.value, p]));
  assert.deepEqual([...byId.keys()].sort(), sbom.packages.map((p) => p.id).sort());
  for (const p of sbom.packages) {
    const s = byId.get(p.id)!;
    assert.deepEqual([s.name, s.versionInfo], [p.name, p.version]);
    assert.deepEqual(s.externalRefs?.filter((r) => r.referenceType === 'purl').map((r) => r.referenceLocator), [p.purl]);
    const extras = extrasOf(s);
    const got = (name: string) => extras.filter((x) => x.name === name).map((x) => x.value);
    p.locations.forEach((l, i) => {
      assert.deepEqual(got(`iechor-scout:location:${i}:path`), [l.path], `${p.name} location ${i} path`);
      assert.deepEqual(got(`iechor-scout:location:${i}:layerDiffId`), [diffIds[l.layer!.index]], `${p.name} location ${i} diff_id`);
      // The human-readable comment names them too.
      assert.ok(s.comment!.includes(`${l.path} (layer ${l.layer!.index}, ${diffIds[l.layer!.index]})`), `${p.name} comment: ${s.comment}`);
    });
    assert.deepEqual(got(`iechor-scout:location:${p.locations.length}:path`), [], 'no extra locations');
    assert.deepEqual(got('iechor-scout:introducedLayer:diffId'), [diffIds[p.introducedLayer!.index]], `${p.name} introduced diff_id`);
  }
});
