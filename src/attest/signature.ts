/**
 * Does a signature vouch for an attestation? Offline only: DSSE envelopes are checked against
 * the PEM public keys given; Sigstore bundles with @sigstore/verify against those keys or a
 * given trusted root. Every failure (a bad signature, a malformed bundle, a key we cannot read)
 * is an `invalid` result with the reason, never an exception.
 */
import { createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { pae, type DsseEnvelope, type Wrapping } from './envelope.js';
import type { SignatureCheck, TrustOptions } from './types.js';

interface NamedKey {
  name: string;
  key: KeyObject;
}

/** The digest a key's signatures use: by curve for EC, SHA-256 for RSA, none for Ed25519/Ed448. */
function digestFor(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448') return null;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return 'sha384';
    if (curve === 'secp521r1') return 'sha512';
  }
  return 'sha256';
}

export function loadKeys(trust: TrustOptions): { keys: NamedKey[]; errors: string[] } {
  const keys: NamedKey[] = [];
  const errors: string[] = [];
  for (const k of trust.keys ?? []) {
    try {
      keys.push({ name: k.name, key: createPublicKey(k.pem) });
    } catch (err) {
      errors.push(`${k.name}: not a PEM public key (${(err as Error).message})`);
    }
  }
  return { keys, errors };
}

function verifyDsse(env: DsseEnvelope, keys: NamedKey[]): SignatureCheck {
  const keyIds = env.signatures.map((s) => s.keyid).filter((k): k is string => !!k);
  const base = { format: 'dsse' as const, ...(keyIds.length ? { keyIds } : {}) };
  if (env.signatures.length === 0) return { status: 'unsigned', ...base };
  if (keys.length === 0) return { status: 'unverified', ...base, detail: 'signed, but no --key was given to check it' };
  const message = pae(env.payloadType, Buffer.from(env.payload, 'base64'));
  for (const s of env.signatures) {
    const sig = Buffer.from(s.sig, 'base64');
    for (const k of keys) {
      let ok: boolean;
      try {
        ok = verify(digestFor(k.key), message, k.key, sig);
      } catch {
        ok = false; // a signature of the wrong shape for this key type
      }
      if (ok) return { status: 'signed', ...base, detail: `verified with ${k.name}` };
    }
  }
  return { status: 'invalid', ...base, detail: `no signature verifies with the ${keys.length === 1 ? 'key' : `${keys.length} keys`} given` };
}

/**
 * A verification error with the causes under it: @sigstore/verify says "Failed to verify
 * certificate chain" and puts why (expired at signing time, no path to a trusted CA) in `cause`.
 */
function reason(err: unknown): string {
  const parts: string[] = [];
  for (let e = err as { message?: unknown; cause?: unknown } | undefined; e && parts.length < 4; e = e.cause as typeof e) {
    if (typeof e.message === 'string' && e.message && !parts.includes(e.message)) parts.push(e.message);
  }
  return parts.join(': ') || String(err);
}

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const EMPTY_ROOT = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };

type Sigstore = [typeof import('@sigstore/bundle'), typeof import('@sigstore/verify'), typeof import('@sigstore/protobuf-specs')];

/** The bundle's leaf certificate (DER), when it is certificate-signed (a v0.3 `certificate`, or the first of a chain). */
function leafOf(material: Record<string, unknown> | undefined): string | undefined {
  const single = (material?.certificate as { rawBytes?: unknown } | undefined)?.rawBytes;
  const chain = (material?.x509CertificateChain as { certificates?: { rawBytes?: unknown }[] } | undefined)?.certificates?.[0]?.rawBytes;
  const raw = single ?? chain;
  return typeof raw === 'string' ? raw : undefined;
}

/**
 * A key-signed bundle names its key only by a hint: each key given is tried, and the key alone
 * vouches (no transparency log to require), as cosign does with --key. cosign logs key-signed
 * signatures in Rekor by default: with a --trusted-root, such an entry is checked against the
 * root's Rekor keys like any other (and a bad one refuses the bundle); without one there is no
 * Rekor key to check it with, so the key alone decides and the result says the entry went
 * unchecked, rather than calling a good signature invalid.
 */
function verifyKeyBundle(lib: Sigstore, parsed: ReturnType<Sigstore[0]['bundleFromJSON']>, keys: NamedKey[], keyIds: string[] | undefined, trust: TrustOptions): SignatureCheck {
  const [, { Verifier, toSignedEntity, toTrustMaterial }, { TrustedRoot }] = lib;
  const base = { format: 'sigstore-bundle' as const, ...(keyIds ? { keyIds } : {}) };
  if (keys.length === 0) return { status: 'invalid', ...base, detail: `the bundle is signed with the key ${keyIds?.[0] ?? '(no hint)'}, not a certificate the --trusted-root could vouch for; give the key with --key` };
  const entity = toSignedEntity(parsed);
  const logged = entity.tlogEntries.length > 0;
  const checkLog = logged && trust.trustedRoot !== undefined;
  const signed = checkLog ? entity : { ...entity, tlogEntries: [], timestamps: entity.timestamps.filter((t) => t.$case !== 'transparency-log') };
  const root = checkLog ? trust.trustedRoot : EMPTY_ROOT;
  const logNote = !logged ? '' : checkLog ? ', its transparency-log entry checked with the trusted root' : '; its transparency-log entry was not checked (no --trusted-root)';
  let lastError = '';
  for (const k of keys) {
    try {
      const material = toTrustMaterial(TrustedRoot.fromJSON(root), () => ({ publicKey: k.key, validFor: () => true }));
      new Verifier(material, { tlogThreshold: checkLog ? 1 : 0, ctlogThreshold: 0 }).verify(signed);
      return { status: 'signed', ...base, detail: `verified with ${k.name}${logNote}` };
    } catch (err) {
      lastError = reason(err);
    }
  }
  return { status: 'invalid', ...base, detail: lastError };
}

/**
 * A certificate-signed ("keyless") bundle, checked as sigstore-js checks it against the trusted
 * root alone: the signature over the DSSE envelope verifies with the leaf certificate's key; the
 * leaf chains to a certificate authority of the root, every certificate of the chain valid at
 * the time the transparency log recorded the entry; the leaf carries a signed certificate
 * timestamp from a CT log of the root; the entry's signed entry timestamp (and, when present,
 * its inclusion proof under a checkpoint) verifies with a Rekor key of the root, and the entry's
 * body names this envelope's signature and payload hash; RFC 3161 timestamps, when present,
 * verify with a timestamp authority of the root. On top: the leaf is for code signing, and the
 * identity and OIDC issuer are the ones asked for (exactly), when asked.
 */
function verifyCertificateBundle(lib: Sigstore, parsed: ReturnType<Sigstore[0]['bundleFromJSON']>, leaf: string, trust: TrustOptions): SignatureCheck {
  const [, { Verifier, toSignedEntity, toTrustMaterial }, { TrustedRoot }] = lib;
  const base = { format: 'sigstore-bundle' as const };
  if (trust.trustedRoot === undefined) return { status: 'unverified', ...base, detail: 'signed with a certificate, but no --trusted-root was given to check it' };
  let signer;
  try {
    const material = toTrustMaterial(TrustedRoot.fromJSON(trust.trustedRoot), (hint: string) => {
      throw new Error(`the trusted root holds no key ${hint}`);
    });
    signer = new Verifier(material).verify(toSignedEntity(parsed));
  } catch (err) {
    return { status: 'invalid', ...base, detail: reason(err) };
  }
  let usages: string[] | undefined;
  try {
    usages = new X509Certificate(Buffer.from(leaf, 'base64')).keyUsage;
  } catch {
    usages = undefined;
  }
  if (!usages?.includes(CODE_SIGNING)) return { status: 'invalid', ...base, detail: `the signing certificate is not for code signing (its extended key usage ${usages?.length ? `is ${usages.join(', ')}` : 'is missing'}; Sigstore certificates carry ${CODE_SIGNING})` };
  const identity = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  const who = `${identity ?? '(no identity)'} (OIDC issuer ${issuer ?? 'not named'})`;
  if (trust.identity !== undefined && identity !== trust.identity) return { status: 'invalid', ...base, detail: `signed by ${who}, not by the --certificate-identity ${trust.identity}` };
  if (trust.issuer !== undefined && issuer !== trust.issuer) return { status: 'invalid', ...base, detail: `signed by ${who}, whose OIDC issuer is not the --certificate-oidc-issuer ${trust.issuer}` };
  return { status: 'signed', ...base, detail: `verified with the trusted root: certificate for ${who}` };
}

async function verifyBundle(bundle: Record<string, unknown>, keys: NamedKey[], trust: TrustOptions): Promise<SignatureCheck> {
  const base = { format: 'sigstore-bundle' as const };
  const material = bundle.verificationMaterial as Record<string, unknown> | undefined;
  const hint = (material?.publicKey as { hint?: unknown } | undefined)?.hint;
  const keyIds = typeof hint === 'string' && hint ? [hint] : undefined;
  const leaf = leafOf(material);
  if (keys.length === 0 && trust.trustedRoot === undefined) return { status: 'unverified', ...base, ...(keyIds ? { keyIds } : {}), detail: 'signed, but neither --key nor --trusted-root was given to check it' };
  try {
    const lib: Sigstore = await Promise.all([import('@sigstore/bundle'), import('@sigstore/verify'), import('@sigstore/protobuf-specs')]);
    const parsed = lib[0].bundleFromJSON(bundle);
    // What signed it decides what may vouch: a certificate answers to the trusted root, a key to --key.
    return leaf !== undefined ? verifyCertificateBundle(lib, parsed, leaf, trust) : verifyKeyBundle(lib, parsed, keys, keyIds, trust);
  } catch (err) {
    return { status: 'invalid', ...base, ...(keyIds ? { keyIds } : {}), detail: `unreadable Sigstore bundle: ${reason(err)}` };
  }
}

export async function checkSignature(w: Wrapping, keys: NamedKey[], trust: TrustOptions): Promise<SignatureCheck> {
  switch (w.kind) {
    case 'plain':
      return { status: 'unsigned' };
    case 'dsse':
      return verifyDsse(w.envelope, keys);
    case 'sigstore-bundle':
      return verifyBundle(w.bundle, keys, trust);
  }
}
