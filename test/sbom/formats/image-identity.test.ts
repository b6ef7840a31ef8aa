// SBOM documents name the image as the user knows it, never by the kind of source it came from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageMetadata } from '../../../src/image/metadata.js';
import { imageName, imagePurl } from '../../../src/sbom/formats/image-identity.js';
import { loadSbom } from '../../../src/sbom/load.js';
import { writeCycloneDx } from '../../../src/sbom/formats/cyclonedx.js';
import { writeSpdx } from '../../../src/sbom/formats/spdx.js';
import { DEMO } from '../../report/helpers.js';

const base = { source: 'docker-archive', digest: 'sha256:' + 'a'.repeat(64), configDigest: 'sha256:' + 'b'.repeat(64), platform: { os: 'linux', architecture: 'amd64' } } as unknown as ImageMetadata;

test('names: registry references in Docker\'s short form, archive tags, paths for the rest', () => {
  assert.equal(imageName({ ...base, reference: 'docker.io/library/alpine:3.20', registry: { host: 'docker.io', url: 'https://registry-1.docker.io', type: 'dockerhub', repository: 'library/alpine', tag: '3.20' } }), 'alpine:3.20');
  assert.equal(imageName({ ...base, reference: 'ghcr.io/o/r:1', registry: { host: 'ghcr.io', url: 'https://ghcr.io', type: 'ghcr', repository: 'o/r', tag: '1' } }), 'ghcr.io/o/r:1');
  assert.equal(imageName({ ...base, reference: 'archive://./x.tar@demo-api:1.0.0' }), 'demo-api:1.0.0');
  assert.equal(imageName({ ...base, reference: 'oci-dir://./l@docker.io/library/nginx:1.27' }), 'nginx:1.27');
  assert.equal(imageName({ ...base, reference: 'oci-dir://./l@localhost:5000/app' }), 'localhost:5000/app');
  assert.equal(imageName({ ...base, reference: 'fs:///' }), '/');
  assert.equal(imagePurl({ ...base, reference: 'archive://./x.tar@demo-api:1.0.0' }), `pkg:oci/demo-api@sha256:${'a'.repeat(64)}?arch=amd64&tag=1.0.0`);
});

test('the demo archive\'s CycloneDX and SPDX name it demo-api:1.0.0 with its manifest digest', async () => {
  const { sbom } = await loadSbom(DEMO, {}, { cache: false });
  const cdx = JSON.parse(writeCycloneDx(sbom)) as { metadata: { component: { name: string; version: string; purl: string } } };
  assert.equal(cdx.metadata.component.name, 'demo-api:1.0.0');
  assert.equal(cdx.metadata.component.version, sbom.image!.digest);
  assert.match(cdx.metadata.component.purl, /^pkg:oci\/demo-api@sha256:[0-9a-f]{64}\?arch=amd64&tag=1\.0\.0$/);
  const spdx = JSON.parse(writeSpdx(sbom)) as { name: string; packages: { name: string; versionInfo: string; primaryPackagePurpose?: string }[] };
  assert.equal(spdx.name, 'demo-api:1.0.0');
  const image = spdx.packages.find((p) => p.primaryPackagePurpose === 'CONTAINER')!;
  assert.deepEqual([image.name, image.versionInfo], ['demo-api:1.0.0', sbom.image!.digest]);
});
