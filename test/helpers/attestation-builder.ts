/**
 * Builds real-shaped attestations inside tests, as BuildKit and Sigstore write them: in-toto
 * statements (SLSA provenance v0.2 and v1 with BuildKit's metadata, SPDX SBOMs), DSSE envelopes
 * and Sigstore bundles signed with a key made by node:crypto, attestation manifests tied to
 * their image in a multi-platform index, and OCI referrer artifacts with a `subject`.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, type BuiltImage } from './image-builder.js';

export const IN_TOTO = 'application/vnd.in-toto+json';

export interface Blob {
  bytes: Buffer;
  digest: string;
}

export function blob(x: Buffer | string | object): Blob {
  const bytes = Buffer.isBuffer(x) ? x : Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));
  return { bytes, digest: sha256(bytes) };
}

export function subjectOf(image: BuiltImage, name = 'pkg:docker/example/app@1?platform=linux%2Famd64') {
  return [{ name, digest: { sha256: image.manifestDigest.slice(7) } }];
}

export const DOCKERFILE = 'FROM golang:1.22-alpine AS build\nRUN go build -o /app .\n\nFROM alpine:3.20\nCOPY --from=build /app /app\nUSER app\n';

/** SLSA v0.2 provenance as BuildKit writes it (mode=max), with its metadata extension. */
export function provenanceV02(subject: object[]) {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://slsa.dev/provenance/v0.2',
    subject,
    predicate: {
      builder: { id: 'https://github.com/example/app/actions/runs/42' },
      buildType: 'https://mobyproject.org/buildkit@v1',
      materials: [
        { uri: 'pkg:docker/docker/dockerfile@1', digest: { sha256: '9ba7531bd80fb0a858632727cf7a112fbfd19b17e94c4e84ced81e24ef1a0dbc' } },
        { uri: 'pkg:docker/golang@1.22-alpine?platform=linux%2Famd64', digest: { sha256: 'a9b24b67dc83b3383d22a14941c2b2b2ca6a103d805cac6820fd1355943beaf1' } },
        { uri: 'pkg:docker/alpine@3.20?platform=linux%2Famd64', digest: { sha256: '8914eb54f968791faf6a8638949e480fef81e697984fba772b3976835194c6d4' } },
        { uri: 'https://github.com/example/app.git#refs/heads/main', digest: { sha1: '4b220de5058abfd01ff619c9d2ff6b09a049bea0' } },
      ],
      invocation: {
        configSource: { entryPoint: 'Dockerfile' },
        parameters: { frontend: 'dockerfile.v0', args: { 'build-arg:GO_VERSION': '1.22', 'label:org.opencontainers.image.source': 'https://github.com/example/app' }, locals: [{ name: 'context' }, { name: 'dockerfile' }] },
        environment: { platform: 'linux/amd64' },
      },
      metadata: {
        buildInvocationID: 'rpv7a389uzil5lqmrgwhijwjz',
        buildStartedOn: '2024-05-01T11:59:00Z',
        buildFinishedOn: '2024-05-01T12:00:00Z',
        completeness: { parameters: true, environment: true, materials: false },
        reproducible: false,
        'https://mobyproject.org/buildkit@v1#metadata': {
          vcs: { source: 'https://github.com/example/app', revision: '4b220de5058abfd01ff619c9d2ff6b09a049bea0' },
          source: { locations: {}, infos: [{ filename: 'Dockerfile', language: 'Dockerfile', data: Buffer.from(DOCKERFILE).toString('base64') }] },
        },
      },
    },
  };
}

/** SLSA v1 provenance as BuildKit writes it, from a remote Git context. */
export function provenanceV1(subject: object[]) {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    predicateType: 'https://slsa.dev/provenance/v1',
    subject,
    predicate: {
      buildDefinition: {
        buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md',
        externalParameters: {
          configSource: { uri: 'https://github.com/example/app.git#refs/tags/v1.0.0', digest: { sha1: '0123456789abcdef0123456789abcdef01234567' }, path: 'build/Dockerfile' },
          request: { frontend: 'gateway.v0', args: { 'build-arg:VERSION': '1.0.0', source: 'docker/dockerfile-upstream:master', target: 'release' }, locals: [] },
        },
        internalParameters: { builderPlatform: 'linux/amd64' },
        resolvedDependencies: [
          { uri: 'pkg:docker/docker/dockerfile-upstream@master', digest: { sha256: '1111111111111111111111111111111111111111111111111111111111111111' } },
          { uri: 'pkg:docker/debian@12-slim?platform=linux%2Farm64', digest: { sha256: '2222222222222222222222222222222222222222222222222222222222222222' } },
          { uri: 'https://github.com/example/app.git#refs/tags/v1.0.0', digest: { sha1: '0123456789abcdef0123456789abcdef01234567' } },
        ],
      },
      runDetails: {
        builder: { id: '' },
        metadata: { invocationID: 'abc', startedOn: '2024-05-01T11:59:00Z', finishedOn: '2024-05-01T12:00:00Z', buildkit_metadata: { vcs: {} }, buildkit_reproducible: true, buildkit_hermetic: false },
      },
    },
  };
}

/** An SPDX 2.3 SBOM statement as BuildKit's generator (Syft) writes it. */
export function spdxStatement(subject: object[], packages: { name: string; version: string; purl: string }[]) {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://spdx.dev/Document',
    subject,
    predicate: {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'sbom',
      documentNamespace: 'https://anchore.com/syft/image/sbom-1',
      creationInfo: { created: '2024-05-01T12:00:00Z', creators: ['Tool: syft-v1.0.0'] },
      packages: packages.map((p, i) => ({
        name: p.name,
        SPDXID: `SPDXRef-Package-${i}`,
        versionInfo: p.version,
        downloadLocation: 'NOASSERTION',
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
      })),
      relationships: [],
    },
  };
}

export function keyPair(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

function pae(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
}

/** A DSSE envelope around a statement, signed with ECDSA P-256 / SHA-256. */
export function dsse(statement: object, key: KeyObject, keyid = 'test-key') {
  const body = Buffer.from(JSON.stringify(statement));
  const sig = sign('sha256', pae(IN_TOTO, body), key);
  return { payloadType: IN_TOTO, payload: body.toString('base64'), signatures: [{ keyid, sig: sig.toString('base64') }] };
}

/** A Sigstore bundle v0.3 holding a DSSE envelope signed with a plain key (no certificate, no log). */
export function sigstoreBundle(envelope: object, hint = 'test-key') {
  return { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', verificationMaterial: { publicKey: { hint }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } }, dsseEnvelope: envelope };
}

export interface Manifest {
  bytes: Buffer;
  digest: string;
  blobs: Blob[];
}

/** BuildKit's attestation manifest: an "unknown/unknown" image whose layers are statements. */
export function attestationManifest(layers: { content: object; predicateType: string; mediaType?: string }[]): Manifest {
  const config = blob({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [] } });
  const ls = layers.map((l) => ({ ...l, b: blob(l.content) }));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.bytes.length },
    layers: ls.map((l) => ({ mediaType: l.mediaType ?? IN_TOTO, digest: l.b.digest, size: l.b.bytes.length, annotations: { 'in-toto.io/predicate-type': l.predicateType } })),
  };
  const m = blob(manifest);
  return { bytes: m.bytes, digest: m.digest, blobs: [config, ...ls.map((l) => l.b)] };
}

/** An OCI 1.1 artifact manifest referring to `subjectDigest` (what `cosign attest` / `oras attach` push). */
export function referrerArtifact(subject: { digest: string; size: number; mediaType: string }, artifactType: string, content: object, layerMediaType: string): Manifest {
  const empty = blob('{}');
  const layer = blob(content);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty.digest, size: 2 },
    layers: [{ mediaType: layerMediaType, digest: layer.digest, size: layer.bytes.length }],
    subject,
  };
  const m = blob(manifest);
  return { bytes: m.bytes, digest: m.digest, blobs: [empty, layer] };
}

export interface AttestedIndex {
  bytes: Buffer;
  digest: string;
  blobs: Blob[];
}

/** A multi-platform index: each image followed by its attestation manifest, as buildx pushes it. */
export function attestedIndex(entries: { image: BuiltImage; attestation?: Manifest }[]): AttestedIndex {
  const manifests: object[] = [];
  const blobs: Blob[] = [];
  for (const { image, attestation } of entries) {
    manifests.push({ mediaType: image.manifest.mediaType, digest: image.manifestDigest, size: image.manifestBytes.length, platform: image.platform });
    blobs.push({ bytes: image.manifestBytes, digest: image.manifestDigest }, { bytes: image.configBytes, digest: image.configDigest }, ...image.layers.map((l) => ({ bytes: l.blob, digest: l.digest })));
    if (attestation) {
      manifests.push({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: attestation.digest,
        size: attestation.bytes.length,
        annotations: { 'vnd.docker.reference.digest': image.manifestDigest, 'vnd.docker.reference.type': 'attestation-manifest' },
        platform: { architecture: 'unknown', os: 'unknown' },
      });
      blobs.push({ bytes: attestation.bytes, digest: attestation.digest }, ...attestation.blobs);
    }
  }
  const idx = blob({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
  return { bytes: idx.bytes, digest: idx.digest, blobs };
}

/**
 * An OCI layout holding the index (named `refName`) and, listed beside it in index.json as
 * oras and cosign leave them, referrer artifacts with their artifactType.
 */
export function writeAttestedLayout(dir: string, index: AttestedIndex, refName: string, referrers: Manifest[] = []): void {
  const entries: object[] = [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: index.digest, size: index.bytes.length, annotations: { 'org.opencontainers.image.ref.name': refName } }];
  const all: Blob[] = [{ bytes: index.bytes, digest: index.digest }, ...index.blobs];
  for (const r of referrers) {
    const artifactType = (JSON.parse(r.bytes.toString()) as { artifactType: string }).artifactType;
    entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: r.digest, size: r.bytes.length, artifactType });
    all.push({ bytes: r.bytes, digest: r.digest }, ...r.blobs);
  }
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
  for (const b of all) writeFileSync(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
}
