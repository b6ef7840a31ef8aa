/**
 * Attestations of an image: in-toto statements found beside it (BuildKit attestation manifests
 * in its index, OCI referrers), what they say, and whether a signature vouches for them.
 */

/** An in-toto subject: what the statement is about. */
export interface Subject {
  name?: string;
  digest: Record<string, string>;
}

/** An in-toto statement (v0.1 or v1): a typed predicate about subjects. */
export interface Statement {
  _type: string;
  predicateType: string;
  subject: Subject[];
  predicate: unknown;
}

/**
 * `signed`: a signature checked out against a key or trusted root you gave; `unsigned`: none
 * was attached; `unverified`: signed, but no key or trusted root was given to check it with;
 * `invalid`: a signature that does not verify (or a signed envelope we could not read).
 */
export type SignatureStatus = 'signed' | 'unsigned' | 'unverified' | 'invalid';

export interface SignatureCheck {
  status: SignatureStatus;
  /** dsse: a bare DSSE envelope; sigstore-bundle: a Sigstore bundle (DSSE inside). */
  format?: 'dsse' | 'sigstore-bundle';
  /** Key ids named by the signatures. */
  keyIds?: string[];
  /** Why it is invalid or unverified, or which key verified it. */
  detail?: string;
}

/** How the attestation was found. */
export type AttestationOrigin = 'attestation-manifest' | 'referrer';

export interface Attestation {
  origin: AttestationOrigin;
  /** The manifest (attestation manifest or referrer artifact) that carried it. */
  manifestDigest: string;
  /** The layer (blob) holding the statement. */
  layerDigest: string;
  mediaType: string;
  predicateType: string;
  subject: Subject[];
  statement: Statement;
  signature: SignatureCheck;
}

/** What a caller gives to check signatures with (all offline). */
export interface TrustOptions {
  /** PEM public keys (SPKI), as read from --key files; the name is shown when one verifies. */
  keys?: { name: string; pem: string }[];
  /** A Sigstore trusted_root.json (Fulcio CAs, Rekor and CT log keys), for certificate-signed bundles. */
  trustedRoot?: unknown;
  /** The identity (certificate SAN: an email or URI) a certificate-signed bundle must name, exactly. */
  identity?: string;
  /** The OIDC issuer (Fulcio's extension) a certificate-signed bundle must name, exactly. */
  issuer?: string;
}

/** Attestations and the problems met finding them (never fatal to the scan). */
export interface AttestationResult {
  attestations: Attestation[];
  warnings: import('../util/errors.js').ScanWarning[];
}

export const PredicateTypes = {
  slsaV02: 'https://slsa.dev/provenance/v0.2',
  slsaV1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
} as const;

export const IN_TOTO_MEDIA_TYPE = 'application/vnd.in-toto+json';
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const SIGSTORE_BUNDLE_PREFIX = 'application/vnd.dev.sigstore.bundle';

export function isProvenance(predicateType: string): boolean {
  return predicateType.startsWith('https://slsa.dev/provenance/');
}

export function isSbomPredicate(predicateType: string): boolean {
  return predicateType.startsWith(PredicateTypes.spdx) || predicateType.startsWith(PredicateTypes.cyclonedx);
}
