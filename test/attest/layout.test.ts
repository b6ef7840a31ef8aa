/**
 * Attestations of an image in an OCI layout: BuildKit attestation manifests tied to each
 * platform's image, referrers listed in index.json, provenance read from both SLSA versions,
 * and signatures checked against a key made in the test.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { findAttestations } from '../../src/attest/discover.js';
import { provenanceOf } from '../../src/attest/select.js';
import { openImage } from '../../src/image/open.js';
import { scout } from '../helpers/cli.js';
import { tarOf } from '../helpers/image-builder.js';
import { writeAttestedLayout } from '../helpers/attestation-builder.js';
import { tempDir } from '../helpers/tmp.js';
import { attestedFixture, type AttestedFixture } from './fixture.js';

let fx: AttestedFixture;
let dir: string;
let keyFile: string;

before(async () => {
  fx = await attestedFixture();
  dir = tempDir();
  writeAttestedLayout(dir, fx.index, 'app:1', fx.referrers);
  keyFile = join(tempDir(), 'cosign.pub');
  writeFileSync(keyFile, fx.publicPem);
});

test('amd64: the attestation manifest gives provenance and an SBOM; referrers give a signed and an invalid bundle', async () => {
  const image = await openImage(`oci-dir://${dir}`, { platform: { os: 'linux', architecture: 'amd64' } });
  assert.equal(image.manifestDigest, fx.amd64.manifestDigest);
  const { attestations, warnings } = await findAttestations(image, { keys: [{ name: 'cosign.pub', pem: fx.publicPem }] });
  assert.deepEqual(warnings, []);
  const seen = attestations.map((a) => [a.origin, a.predicateType, a.signature.status]);
  assert.deepEqual(seen, [
    ['attestation-manifest', 'https://slsa.dev/provenance/v0.2', 'unsigned'],
    ['attestation-manifest', 'https://spdx.dev/Document', 'unsigned'],
    ['referrer', 'https://in-toto.io/attestation/vulns/v0.1', 'signed'],
    ['referrer', 'https://example.com/tampered/v1', 'invalid'],
  ]);
  assert.equal(attestations[2].signature.format, 'sigstore-bundle');
  assert.equal(attestations[2].signature.detail, 'verified with cosign.pub');
  const p = provenanceOf(attestations)!.provenance;
  assert.deepEqual(p.vcs, { source: 'https://github.com/example/app', revision: '4b220de5058abfd01ff619c9d2ff6b09a049bea0' });
  assert.equal(p.dockerfile?.path, 'Dockerfile');
  assert.match(p.dockerfile?.content ?? '', /^FROM golang:1.22-alpine AS build\n/);
  assert.equal(p.frontend, 'dockerfile.v0');
  assert.deepEqual(p.buildArgs, { GO_VERSION: '1.22' });
  assert.equal(p.materials.length, 4);
  // Two images were pulled (golang for the build stage, alpine for the final one): the
  // Dockerfile's final FROM says which is the base.
  assert.deepEqual(p.baseImage, { name: 'alpine:3.20', digest: 'sha256:8914eb54f968791faf6a8638949e480fef81e697984fba772b3976835194c6d4', platform: 'linux/amd64', how: 'the final FROM of the Dockerfile in the provenance, with its digest from the materials' });
});

test('arm64: its own attestation manifest only, SLSA v1 in a DSSE envelope, verified with the key and not with another', async () => {
  const image = await openImage(`oci-dir://${dir}`, { platform: { os: 'linux', architecture: 'arm64' } });
  const signed = await findAttestations(image, { keys: [{ name: 'cosign.pub', pem: fx.publicPem }] });
  assert.deepEqual(signed.attestations.map((a) => [a.predicateType, a.signature.status, a.signature.format]), [['https://slsa.dev/provenance/v1', 'signed', 'dsse']]);
  const wrongKey = await findAttestations(image, { keys: [{ name: 'other.pub', pem: fx.otherPublicPem }] });
  assert.equal(wrongKey.attestations[0].signature.status, 'invalid');
  const noKey = await findAttestations(image);
  assert.equal(noKey.attestations[0].signature.status, 'unverified');
  const p = provenanceOf(signed.attestations)!.provenance;
  assert.deepEqual(p.vcs, { source: 'https://github.com/example/app.git', revision: '0123456789abcdef0123456789abcdef01234567' });
  assert.equal(p.dockerfile?.path, 'build/Dockerfile');
  assert.equal(p.frontend, 'gateway.v0');
  assert.equal(p.frontendImage, 'docker/dockerfile-upstream:master');
  assert.deepEqual(p.buildArgs, { VERSION: '1.0.0' });
  assert.equal(p.reproducible, true);
  // v1's resolvedDependencies are the materials, with their digests.
  assert.deepEqual(
    p.materials.map((m) => [m.uri, Object.keys(m.digest)[0]]),
    [
      ['pkg:docker/docker/dockerfile-upstream@master', 'sha256'],
      ['pkg:docker/debian@12-slim?platform=linux%2Farm64', 'sha256'],
      ['https://github.com/example/app.git#refs/tags/v1.0.0', 'sha1'],
    ],
  );
  // The gateway frontend image is not the base: debian is the only other image pulled.
  assert.equal(p.baseImage?.name, 'debian:12-slim');
  assert.equal(p.baseImage?.digest, 'sha256:2222222222222222222222222222222222222222222222222222222222222222');
});

test('an OCI archive holds the same attestations as the layout', async () => {
  const archive = join(tempDir(), 'app.tar');
  // The archive is the layout's files in a tar.
  const files: Record<string, Buffer> = {};
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, rel + n + '/');
      else files[rel + n] = readFileSync(p);
    }
  };
  walk(dir, '');
  writeFileSync(archive, await tarOf(files));
  const image = await openImage(archive, { platform: { os: 'linux', architecture: 'amd64' } });
  const { attestations } = await findAttestations(image);
  assert.deepEqual(attestations.map((a) => a.predicateType), ['https://slsa.dev/provenance/v0.2', 'https://spdx.dev/Document', 'https://in-toto.io/attestation/vulns/v0.1', 'https://example.com/tampered/v1']);
});

test('scout attestation list / get and image inspect show them', () => {
  const list = scout(['attestation', 'list', `oci-dir://${dir}`, '--platform', 'linux/amd64', '--key', keyFile, '--format', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as { predicateType: string; signature: { status: string } }[];
  assert.deepEqual(rows.map((r) => r.signature.status), ['unsigned', 'unsigned', 'signed', 'invalid']);
  const table = scout(['attestation', 'list', `oci-dir://${dir}`, '--platform', 'linux/amd64']);
  assert.match(table.stdout, /https:\/\/slsa\.dev\/provenance\/v0\.2\s+attestation-manifest\s+unsigned/);
  assert.match(table.stdout, /referrer\s+unverified \(signed, but neither --key nor --trusted-root/);

  const get = scout(['attestation', 'get', `oci-dir://${dir}`, '--platform', 'linux/amd64', '--predicate-type', 'https://spdx.dev/Document']);
  assert.equal(get.code, 0, get.stderr);
  const st = JSON.parse(get.stdout) as { predicateType: string; subject: { digest: { sha256: string } }[]; predicate: { packages: unknown[] } };
  assert.equal(st.predicateType, 'https://spdx.dev/Document');
  assert.equal(`sha256:${st.subject[0].digest.sha256}`, fx.amd64.manifestDigest);
  assert.equal(st.predicate.packages.length, 3);
  const pred = scout(['attestation', 'get', `oci-dir://${dir}`, '--platform', 'linux/arm64', '--predicate-type', 'provenance', '--predicate']);
  assert.equal((JSON.parse(pred.stdout) as { buildDefinition: { buildType: string } }).buildDefinition.buildType, 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md');
  const missing = scout(['attestation', 'get', `oci-dir://${dir}`, '--platform', 'linux/arm64', '--predicate-type', 'sbom']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no sbom attestation for .*; it has: https:\/\/slsa\.dev\/provenance\/v1/);

  const inspect = scout(['image', 'inspect', `oci-dir://${dir}`, '--platform', 'linux/amd64', '--format', 'json']);
  assert.equal(inspect.code, 0, inspect.stderr);
  const meta = JSON.parse(inspect.stdout) as { provenance: { baseImage: { name: string; digest: string }; vcs: { revision: string }; dockerfile: { path: string }; materials: unknown[]; signature: string } };
  assert.equal(meta.provenance.baseImage.name, 'alpine:3.20');
  assert.equal(meta.provenance.vcs.revision, '4b220de5058abfd01ff619c9d2ff6b09a049bea0');
  assert.equal(meta.provenance.dockerfile.path, 'Dockerfile');
  assert.equal(meta.provenance.materials.length, 4);
  assert.equal(meta.provenance.signature, 'unsigned');
  const text = scout(['image', 'inspect', `oci-dir://${dir}`, '--platform', 'linux/amd64']);
  assert.match(text.stdout, /Provenance\n\s+Predicate\s+https:\/\/slsa\.dev\/provenance\/v0\.2 \(unsigned\)\n\s+Base image\s+alpine:3\.20@sha256:8914eb54/);
  assert.match(text.stdout, /VCS\s+https:\/\/github\.com\/example\/app @ 4b220de5/);
});

test('--trusted-root: read offline; a bundle its authorities did not sign is invalid with the reason, not a crash; a broken file is named', () => {
  const root = join(tempDir(), 'trusted_root.json');
  // A trusted root as `sigstore` ships it, holding no authority that signed the fixture's bundles.
  writeFileSync(root, JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] }));
  const list = scout(['attestation', 'list', `oci-dir://${dir}`, '--platform', 'linux/amd64', '--trusted-root', root, '--format', 'json']);
  assert.equal(list.code, 0, list.stderr);
  const rows = JSON.parse(list.stdout) as { origin: string; signature: { status: string; detail?: string } }[];
  const referrers = rows.filter((r) => r.origin === 'referrer');
  assert.deepEqual(referrers.map((r) => r.signature.status), ['invalid', 'invalid']);
  for (const r of referrers) assert.ok(r.signature.detail && r.signature.detail.length > 5, JSON.stringify(r.signature));
  // The key still verifies the good bundle alongside the root.
  const both = scout(['attestation', 'list', `oci-dir://${dir}`, '--platform', 'linux/amd64', '--trusted-root', root, '--key', keyFile, '--format', 'json']);
  assert.deepEqual((JSON.parse(both.stdout) as { signature: { status: string } }[]).map((r) => r.signature.status), ['unsigned', 'unsigned', 'signed', 'invalid']);
  writeFileSync(root, '{"mediaType": ');
  const broken = scout(['attestation', 'list', `oci-dir://${dir}`, '--trusted-root', root]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /--trusted-root .*trusted_root\.json: not valid JSON/);
});
