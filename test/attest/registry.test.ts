/**
 * Attestations through a real registry (Debian's docker-registry, distribution 2.8, which has
 * no referrers API): the multi-platform index with its attestation manifests is pushed with
 * skopeo --all, and the referrers with the OCI tag schema (an index tagged sha256-<hex>).
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findAttestations } from '../../src/attest/discover.js';
import { provenanceOf } from '../../src/attest/select.js';
import { openImage } from '../../src/image/open.js';
import { attestedIndex, blob, writeAttestedLayout } from '../helpers/attestation-builder.js';
import { startRegistry, type RegistryServer } from '../helpers/registry-server.js';
import { tempDir } from '../helpers/tmp.js';
import { attestedFixture, type AttestedFixture } from './fixture.js';

let reg: RegistryServer;
let fx: AttestedFixture;

before(async () => {
  reg = await startRegistry();
  fx = await attestedFixture();
  const dir = tempDir();
  writeAttestedLayout(dir, fx.index, 'app:1');
  reg.push(dir, 'app:1', 'example/app:1', { all: true });
  // The tag schema: an index of the referrers, tagged with the subject's digest.
  const refIndex = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: fx.referrers.map((r) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: r.digest, size: r.bytes.length, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' })) };
  const tag = fx.amd64.manifestDigest.replace(':', '-');
  const refDir = tempDir();
  const idx = blob(refIndex);
  mkdirSync(join(refDir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(refDir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(refDir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: refIndex.mediaType, digest: idx.digest, size: idx.bytes.length, annotations: { 'org.opencontainers.image.ref.name': tag } }] }));
  for (const b of [idx, ...fx.referrers.flatMap((r) => [{ bytes: r.bytes, digest: r.digest }, ...r.blobs])]) writeFileSync(join(refDir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  reg.push(refDir, tag, `example/app:${tag}`, { all: true });
});

after(() => reg?.stop());

test('a registry: attestation manifests per platform, and referrers through the sha256-<hex> tag', async () => {
  const amd = await openImage(`${reg.host}/example/app:1`, { platform: { os: 'linux', architecture: 'amd64' } });
  assert.equal(amd.manifestDigest, fx.amd64.manifestDigest);
  const keyed = await findAttestations(amd, { keys: [{ name: 'test.pub', pem: fx.publicPem }] });
  assert.deepEqual(keyed.warnings, []);
  assert.deepEqual(
    keyed.attestations.map((a) => [a.origin, a.predicateType, a.signature.status]),
    [
      ['attestation-manifest', 'https://slsa.dev/provenance/v0.2', 'unsigned'],
      ['attestation-manifest', 'https://spdx.dev/Document', 'unsigned'],
      ['referrer', 'https://in-toto.io/attestation/vulns/v0.1', 'signed'],
      ['referrer', 'https://example.com/tampered/v1', 'invalid'],
    ],
  );
  assert.equal(provenanceOf(keyed.attestations)?.provenance.baseImage?.name, 'alpine:3.20');

  const arm = await openImage(`${reg.host}/example/app:1`, { platform: { os: 'linux', architecture: 'arm64' } });
  const armAtts = await findAttestations(arm, { keys: [{ name: 'test.pub', pem: fx.publicPem }] });
  assert.deepEqual(armAtts.attestations.map((a) => [a.predicateType, a.signature.status]), [['https://slsa.dev/provenance/v1', 'signed']]);
});

test('an image with no attestations and no referrers tag: none, and no warning', async () => {
  const dir = tempDir();
  writeAttestedLayout(dir, attestedIndex([{ image: fx.arm64 }]), 'plain');
  reg.push(dir, 'plain', 'example/plain:1', { all: true });
  const image = await openImage(`${reg.host}/example/plain:1`, { platform: { os: 'linux', architecture: 'arm64' } });
  assert.deepEqual(await findAttestations(image), { attestations: [], warnings: [] });
});
