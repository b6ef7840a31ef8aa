/**
 * The attested image the attestation tests share: a two-platform index (amd64, arm64) whose
 * amd64 image carries a BuildKit attestation manifest with SLSA v0.2 provenance and an SPDX
 * SBOM, the arm64 image one with signed (DSSE) SLSA v1 provenance, plus OCI referrers of the
 * amd64 image: a Sigstore bundle signed with the test key, and one whose signature is broken.
 */
import { buildImage, type BuiltImage } from '../helpers/image-builder.js';
import { attestationManifest, attestedIndex, dsse, keyPair, provenanceV02, provenanceV1, referrerArtifact, sigstoreBundle, spdxStatement, subjectOf, type AttestedIndex, type Manifest } from '../helpers/attestation-builder.js';

export const ATTESTED_PACKAGES = [
  { name: 'musl', version: '1.2.5-r0', purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.0' },
  { name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' },
  { name: 'only-attested', version: '2.0.0', purl: 'pkg:npm/only-attested@2.0.0' },
];

export interface AttestedFixture {
  amd64: BuiltImage;
  arm64: BuiltImage;
  index: AttestedIndex;
  referrers: Manifest[];
  publicPem: string;
  otherPublicPem: string;
}

export async function attestedFixture(): Promise<AttestedFixture> {
  const key = keyPair();
  const other = keyPair();
  const amd64 = await buildImage({
    architecture: 'amd64',
    layers: [
      {
        'lib/apk/db/installed': 'P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\nT:the musl c library\n\n',
        'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine Linux v3.20"\n',
        'app/node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }),
        'app/node_modules/only-scanned/package.json': JSON.stringify({ name: 'only-scanned', version: '0.1.0', license: 'MIT' }),
      },
    ],
  });
  const arm64 = await buildImage({ architecture: 'arm64', variant: 'v8', layers: [{ 'etc/os-release': 'ID=debian\nVERSION_ID=12\n' }] });
  const amdAtt = attestationManifest([
    { content: provenanceV02(subjectOf(amd64)), predicateType: 'https://slsa.dev/provenance/v0.2' },
    { content: spdxStatement(subjectOf(amd64), ATTESTED_PACKAGES), predicateType: 'https://spdx.dev/Document' },
  ]);
  const armAtt = attestationManifest([{ content: dsse(provenanceV1(subjectOf(arm64, 'pkg:docker/example/app@1?platform=linux%2Farm64%2Fv8')), key.privateKey), predicateType: 'https://slsa.dev/provenance/v1' }]);
  const index = attestedIndex([
    { image: amd64, attestation: amdAtt },
    { image: arm64, attestation: armAtt },
  ]);
  const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: amd64.manifestDigest, size: amd64.manifestBytes.length };
  const vuln = { _type: 'https://in-toto.io/Statement/v1', predicateType: 'https://in-toto.io/attestation/vulns/v0.1', subject: subjectOf(amd64), predicate: { scanner: { uri: 'pkg:github/aquasecurity/trivy@0.50.0' } } };
  const goodBundle = sigstoreBundle(dsse(vuln, key.privateKey));
  // The same statement, its signature made by a key nobody trusts.
  const badBundle = sigstoreBundle(dsse({ ...vuln, predicateType: 'https://example.com/tampered/v1' }, other.privateKey));
  const referrers = [
    referrerArtifact(subject, 'application/vnd.dev.sigstore.bundle.v0.3+json', goodBundle, 'application/vnd.dev.sigstore.bundle.v0.3+json'),
    referrerArtifact(subject, 'application/vnd.dev.sigstore.bundle.v0.3+json', badBundle, 'application/vnd.dev.sigstore.bundle.v0.3+json'),
  ];
  return { amd64, arm64, index, referrers, publicPem: key.publicPem, otherPublicPem: other.publicPem };
}
