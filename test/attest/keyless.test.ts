/**
 * Certificate-signed ("keyless") Sigstore bundles checked offline against a --trusted-root:
 * a CA, a Rekor log and a CT log made in the test, a Fulcio-style leaf for a CI identity, a
 * DSSE in-toto statement signed with it and logged, each bundle an OCI referrer of the image.
 * Each bundle but the first bends one thing, and each check must refuse it with its reason.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { findAttestations } from '../../src/attest/discover.js';
import type { Attestation, TrustOptions } from '../../src/attest/types.js';
import { openImage } from '../../src/image/open.js';
import { attestedIndex, referrerArtifact, subjectOf, writeAttestedLayout } from '../helpers/attestation-builder.js';
import { scout } from '../helpers/cli.js';
import { buildImage } from '../helpers/image-builder.js';
import { keylessBundle, testCA, testLog, trustedRoot, type TestCA, type TestLog } from '../helpers/sigstore-keyless.js';
import { tempDir } from '../helpers/tmp.js';

const BUNDLE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const IDENTITY = 'https://github.com/example/app/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const now = new Date();
const since = new Date(now.getTime() - 86_400_000);

let dir: string;
let ca: TestCA;
let rekor: TestLog;
let ctlog: TestLog;
let rootFile: string;
const signingKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const cosignKey = { name: 'cosign.pub', pem: signingKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() };

/** Each bundle's statement has its own predicate type, so the results say which bundle is which. */
const kind = (name: string) => `https://scout.example/keyless/${name}`;

before(async () => {
  ca = testCA('Fulcio test', now);
  rekor = testLog();
  ctlog = testLog();
  const image = await buildImage({ layers: [{ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\n' }] });
  const statement = (name: string) => ({ _type: 'https://in-toto.io/Statement/v1', predicateType: kind(name), subject: subjectOf(image), predicate: { scanner: { uri: 'pkg:github/example/scanner@1' } } });
  const common = { ca, rekor, ctlog, integratedTime: now };
  const bundles = [
    keylessBundle({ ...common, statement: statement('good') }),
    // A certificate that had expired ten minutes before Rekor logged the signature.
    keylessBundle({ ...common, statement: statement('expired'), notBefore: new Date(now.getTime() - 1_200_000), notAfter: new Date(now.getTime() - 600_000) }),
    // A signature over other bytes than the envelope's (logged as it is, so only the signature check can catch it).
    keylessBundle({ ...common, statement: statement('wrong-signature'), signOver: Buffer.from('DSSEv1 28 application/vnd.in-toto+json 2 {}') }),
    // A chain the CA issued, but for a TLS server, not for signing code.
    keylessBundle({ ...common, statement: statement('server-cert'), usage: 'serverAuth' }),
    // Another signer of the same CI: someone else's workflow, another issuer.
    keylessBundle({ ...common, statement: statement('other-identity'), identity: 'https://github.com/mallory/app/.github/workflows/release.yml@refs/heads/main' }),
    keylessBundle({ ...common, statement: statement('other-issuer'), issuer: 'https://accounts.example.com' }),
    // cosign's --key default: signed with a key, and the signature logged in Rekor all the same.
    keylessBundle({ ...common, statement: statement('key-logged'), signingKey: { key: signingKey.privateKey, hint: 'cosign-key' } }),
  ];
  const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image.manifestDigest, size: image.manifestBytes.length };
  dir = tempDir();
  writeAttestedLayout(dir, attestedIndex([{ image }]), 'app:1', bundles.map((b) => referrerArtifact(subject, BUNDLE, b, BUNDLE)));
  rootFile = join(tempDir(), 'trusted_root.json');
  writeFileSync(rootFile, JSON.stringify(trustedRoot(ca, rekor, ctlog, since)));
});

async function check(trust: TrustOptions): Promise<Map<string, Attestation['signature']>> {
  const image = await openImage(`oci-dir://${dir}`);
  const { attestations, warnings } = await findAttestations(image, trust);
  assert.deepEqual(warnings, []);
  return new Map(attestations.map((a) => [a.predicateType.slice(kind('').length), a.signature]));
}

test('a bundle whose certificate chains to the trusted root, logged in its Rekor with an SCT from its CT log, is signed; the signer is named', async () => {
  const sig = await check({ trustedRoot: trustedRoot(ca, rekor, ctlog, since) });
  assert.deepEqual(sig.get('good'), { status: 'signed', format: 'sigstore-bundle', detail: `verified with the trusted root: certificate for ${IDENTITY} (OIDC issuer ${ISSUER})` });
  // Without any identity asked for, the other signers verify too: the CA vouches for them.
  assert.equal(sig.get('other-identity')?.status, 'signed');
  assert.equal(sig.get('other-issuer')?.status, 'signed');
});

test('refused with the reason: expired at signing time, a wrong signature, a certificate not for code signing', async () => {
  const sig = await check({ trustedRoot: trustedRoot(ca, rekor, ctlog, since) });
  assert.equal(sig.get('expired')?.status, 'invalid');
  assert.match(sig.get('expired')?.detail ?? '', /^Failed to verify certificate chain: certificate is not valid or expired at the specified date$/);
  assert.deepEqual(sig.get('wrong-signature'), { status: 'invalid', format: 'sigstore-bundle', detail: 'signature verification failed' });
  assert.equal(sig.get('server-cert')?.status, 'invalid');
  assert.match(sig.get('server-cert')?.detail ?? '', /not for code signing \(its extended key usage is 1\.3\.6\.1\.5\.5\.7\.3\.1;/);
});

test('a trusted root naming another CA, or missing the Rekor or CT log, refuses even the good bundle', async () => {
  const otherCA = testCA('Other CA', now);
  const byOther = await check({ trustedRoot: trustedRoot(otherCA, rekor, ctlog, since) });
  assert.equal(byOther.get('good')?.status, 'invalid');
  assert.match(byOther.get('good')?.detail ?? '', /^Failed to verify certificate chain: (no trusted certificate path found|no valid certificate path found)$/);
  const noRekor = await check({ trustedRoot: trustedRoot(ca, testLog(), ctlog, since) });
  assert.equal(noRekor.get('good')?.status, 'invalid');
  assert.match(noRekor.get('good')?.detail ?? '', /inclusion promise could not be verified/);
  const noCT = await check({ trustedRoot: trustedRoot(ca, rekor, testLog(), since) });
  assert.deepEqual(noCT.get('good'), { status: 'invalid', format: 'sigstore-bundle', detail: 'SCT verification failed' });
  // A root whose CA only became valid after the signing: not trusted for it.
  const later = await check({ trustedRoot: trustedRoot(ca, rekor, ctlog, new Date(now.getTime() + 60_000)) });
  assert.equal(later.get('good')?.status, 'invalid');
});

test('scout attestation list --certificate-identity / --certificate-oidc-issuer: only the signer asked for is signed', () => {
  const run = (...extra: string[]) => {
    const r = scout(['attestation', 'list', `oci-dir://${dir}`, '--trusted-root', rootFile, '--format', 'json', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return new Map((JSON.parse(r.stdout) as { predicateType: string; signature: { status: string; detail?: string } }[]).map((a) => [a.predicateType.slice(kind('').length), a.signature]));
  };
  const asked = run('--certificate-identity', IDENTITY, '--certificate-oidc-issuer', ISSUER);
  assert.equal(asked.get('good')?.status, 'signed');
  assert.deepEqual(asked.get('other-identity'), { status: 'invalid', format: 'sigstore-bundle', detail: `signed by https://github.com/mallory/app/.github/workflows/release.yml@refs/heads/main (OIDC issuer ${ISSUER}), not by the --certificate-identity ${IDENTITY}` });
  assert.deepEqual(asked.get('other-issuer'), { status: 'invalid', format: 'sigstore-bundle', detail: `signed by ${IDENTITY} (OIDC issuer https://accounts.example.com), whose OIDC issuer is not the --certificate-oidc-issuer ${ISSUER}` });
  // An identity is matched exactly: a prefix of it is another identity.
  const prefix = run('--certificate-identity', 'https://github.com/example/app/');
  assert.equal(prefix.get('good')?.status, 'invalid');

  // Without a trusted root nothing can vouch for a certificate: unverified, and an identity asked for is an error.
  const noRoot = scout(['attestation', 'list', `oci-dir://${dir}`, '--format', 'json']);
  assert.deepEqual((JSON.parse(noRoot.stdout) as { signature: { status: string } }[]).map((a) => a.signature.status), Array(7).fill('unverified'));
  const identityAlone = scout(['attestation', 'list', `oci-dir://${dir}`, '--certificate-identity', IDENTITY]);
  assert.equal(identityAlone.code, 1);
  assert.match(identityAlone.stderr, /--certificate-identity checks certificate-signed bundles against a --trusted-root: give one/);
});

test('a key-signed bundle logged in Rekor (cosign --key): the key decides; its log entry is checked when a trusted root names the log, said unchecked otherwise', async () => {
  const keyOnly = await check({ keys: [cosignKey] });
  assert.deepEqual(keyOnly.get('key-logged'), { status: 'signed', format: 'sigstore-bundle', keyIds: ['cosign-key'], detail: 'verified with cosign.pub; its transparency-log entry was not checked (no --trusted-root)' });
  const withRoot = await check({ keys: [cosignKey], trustedRoot: trustedRoot(ca, rekor, ctlog, since) });
  assert.deepEqual(withRoot.get('key-logged'), { status: 'signed', format: 'sigstore-bundle', keyIds: ['cosign-key'], detail: 'verified with cosign.pub, its transparency-log entry checked with the trusted root' });
  // A root whose Rekor key did not sign the entry refuses it; so does another key.
  const otherRekor = await check({ keys: [cosignKey], trustedRoot: trustedRoot(ca, testLog(), ctlog, since) });
  assert.equal(otherRekor.get('key-logged')?.status, 'invalid');
  assert.match(otherRekor.get('key-logged')?.detail ?? '', /inclusion promise could not be verified/);
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const otherKey = await check({ keys: [{ name: 'other.pub', pem: other }] });
  assert.deepEqual(otherKey.get('key-logged'), { status: 'invalid', format: 'sigstore-bundle', keyIds: ['cosign-key'], detail: 'signature verification failed' });
});
