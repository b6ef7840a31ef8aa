/**
 * Does a signature vouch for an attestation? Offline only: DSSE envelopes are checked against
 * the PEM public keys given; Sigstore bundles with @sigstore/verify against those keys or a
 * given trusted root. Every failure (a bad signature, a malformed bundle, a key we cannot read)
 * is an `invalid` result with the reason, never an exception.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
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

async function verifyBundle(bundle: Record<string, unknown>, keys: NamedKey[], trust: TrustOptions): Promise<SignatureCheck> {
  const base = { format: 'sigstore-bundle' as const };
  const material = bundle.verificationMaterial as Record<string, unknown> | undefined;
  const hint = (material?.publicKey as { hint?: unknown } | undefined)?.hint;
  const keyIds = typeof hint === 'string' && hint ? [hint] : undefined;
  if (keys.length === 0 && trust.trustedRoot === undefined) return { status: 'unverified', ...base, ...(keyIds ? { keyIds } : {}), detail: 'signed, but neither --key nor --trusted-root was given to check it' };
  try {
    const [{ bundleFromJSON }, { Verifier, toSignedEntity, toTrustMaterial }, { TrustedRoot }] = await Promise.all([import('@sigstore/bundle'), import('@sigstore/verify'), import('@sigstore/protobuf-specs')]);
    const parsed = bundleFromJSON(bundle);
    const EMPTY_ROOT = { mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };
    // A bundle signed with a plain key names it only by a hint: each key given is tried, and
    // the key alone vouches (no transparency log to require), with or without a trusted root.
    // The trusted root is for certificate-signed bundles: with it, its logs are required, as
    // Sigstore requires them. Before, giving both made every key-signed bundle without a log
    // entry invalid, though its key verified it.
    let used = '';
    const candidates: { root: unknown; find: (hint: string) => { publicKey: KeyObject; validFor: () => boolean }; options: { tlogThreshold?: number; ctlogThreshold?: number } }[] = keys.map((k) => ({
      root: EMPTY_ROOT,
      find: () => ((used = k.name), { publicKey: k.key, validFor: () => true }),
      options: { tlogThreshold: 0, ctlogThreshold: 0 },
    }));
    if (trust.trustedRoot !== undefined) {
      candidates.push({
        root: trust.trustedRoot ?? EMPTY_ROOT,
        find: (h: string) => {
          throw new Error(`the bundle is signed with the key ${h || '(no hint)'}; give it with --key`);
        },
        options: {},
      });
    }
    let lastError = '';
    for (const c of candidates) {
      used = '';
      try {
        new Verifier(toTrustMaterial(TrustedRoot.fromJSON(c.root), c.find), c.options).verify(toSignedEntity(parsed));
        return { status: 'signed', ...base, ...(keyIds ? { keyIds } : {}), detail: used ? `verified with ${used}` : 'verified with the trusted root' };
      } catch (err) {
        lastError = (err as Error).message;
      }
    }
    return { status: 'invalid', ...base, ...(keyIds ? { keyIds } : {}), detail: lastError };
  } catch (err) {
    return { status: 'invalid', ...base, ...(keyIds ? { keyIds } : {}), detail: `unreadable Sigstore bundle: ${(err as Error).message}` };
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
