/**
 * A keyless (certificate-signed) Sigstore world made inside a test, shaped as the public-good
 * instance makes it: a CA (root and intermediate, as Fulcio's chain), a short-lived leaf
 * certificate for the signer's identity (code-signing EKU, the OIDC issuer in Fulcio's
 * extensions, an embedded SCT from a CT log), a DSSE envelope signed with the leaf's key, a
 * Rekor `dsse` entry for it with its signed entry timestamp and an inclusion proof under a
 * signed checkpoint, all in a bundle v0.3; and the trusted_root.json naming the CA and the
 * two logs' keys. Options bend one part at a time so a test can watch each check refuse it.
 */
import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { bits, bool, ctx, int, namedBits, octets, oid, seq, set, time, utf8 } from './der.js';
import { IN_TOTO } from './attestation-builder.js';

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  /** Fulcio's OIDC issuer: v1 holds the raw string, v2 a DER UTF8String. */
  fulcioIssuerV1: '1.3.6.1.4.1.57264.1.1',
  fulcioIssuerV2: '1.3.6.1.4.1.57264.1.8',
  sct: '1.3.6.1.4.1.11129.2.4.2',
};

interface Party {
  key: KeyObject;
  spki: Buffer;
}

function party(): Party {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { key: privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

const sha256 = (...b: (Buffer | string)[]) => b.reduce((h, x) => h.update(x), createHash('sha256')).digest();
/** A distinguished name; '' is the empty one Fulcio gives its leaves (the identity is in the SAN). */
const name = (cn: string) => (cn ? seq(set(seq(oid(OID.organization), utf8('scout-test'))), set(seq(oid(OID.commonName), utf8(cn)))) : seq());
const keyId = (spki: Buffer) => createHash('sha1').update(spki).digest();
const ext = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

interface CertSpec {
  serial: number;
  subject: string;
  issuer: string;
  subjectKey: Party;
  issuerKey: Party;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}

function tbs(c: CertSpec): Buffer {
  return seq(ctx(0, true, int(2)), int(c.serial), ECDSA_SHA256, name(c.issuer), seq(time(c.notBefore), time(c.notAfter)), name(c.subject), c.subjectKey.spki, ctx(3, true, seq(...c.extensions)));
}

function signed(tbsDer: Buffer, by: Party): Buffer {
  return seq(tbsDer, ECDSA_SHA256, bits(sign('sha256', tbsDer, by.key)));
}

function caCert(serial: number, subject: string, issuer: string, key: Party, issuerKey: Party, from: Date, to: Date, pathLen?: number): Buffer {
  const extensions = [
    ext(OID.basicConstraints, true, seq(bool(true), ...(pathLen === undefined ? [] : [int(pathLen)]))),
    ext(OID.keyUsage, true, namedBits([5, 6])),
    ext(OID.subjectKeyId, false, octets(keyId(key.spki))),
    ...(key === issuerKey ? [] : [ext(OID.authorityKeyId, false, seq(ctx(0, false, keyId(issuerKey.spki))))]),
  ];
  return signed(tbs({ serial, subject, issuer, subjectKey: key, issuerKey, notBefore: from, notAfter: to, extensions }), issuerKey);
}

/** A CA as Fulcio's: a self-signed root and an intermediate that issues the leaves. */
export interface TestCA {
  root: Buffer;
  intermediate: Buffer;
  intermediateKey: Party;
  intermediateName: string;
}

export function testCA(label: string, now: Date): TestCA {
  const rootKey = party();
  const intermediateKey = party();
  const from = new Date(now.getTime() - 86_400_000);
  const to = new Date(now.getTime() + 365 * 86_400_000);
  const rootName = `${label} root`;
  const intermediateName = `${label} intermediate`;
  return {
    root: caCert(1, rootName, rootName, rootKey, rootKey, from, to, 1),
    intermediate: caCert(2, intermediateName, rootName, intermediateKey, rootKey, from, to, 0),
    intermediateKey,
    intermediateName,
  };
}

/** A log (Rekor or CT): its key, and its id, the SHA-256 of that key's DER SubjectPublicKeyInfo. */
export interface TestLog extends Party {
  logId: Buffer;
}

export function testLog(): TestLog {
  const p = party();
  return { ...p, logId: sha256(p.spki) };
}

/** RFC 6962 §3.2: the SCT's signature covers the precertificate (the TBS without the SCT extension). */
function sct(ctlog: TestLog, issuer: Party, tbsWithoutSct: Buffer, at: Date): Buffer {
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(at.getTime()));
  const u24 = Buffer.from([(tbsWithoutSct.length >> 16) & 0xff, (tbsWithoutSct.length >> 8) & 0xff, tbsWithoutSct.length & 0xff]);
  const signedPart = Buffer.concat([Buffer.from([0, 0]), ts, Buffer.from([0, 1]), sha256(issuer.spki), u24, tbsWithoutSct, Buffer.from([0, 0])]);
  const sig = sign('sha256', signedPart, ctlog.key);
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  // version 0, log id, timestamp, no extensions, sha256 (4) / ecdsa (3), the signature.
  const one = Buffer.concat([Buffer.from([0]), ctlog.logId, ts, u16(0), Buffer.from([4, 3]), u16(sig.length), sig]);
  const list = Buffer.concat([u16(one.length), one]);
  return Buffer.concat([u16(list.length), list]);
}

export interface LeafSpec {
  /** The signer's identity: a URI (a CI workflow) or an email address. */
  identity: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  /** The extended key usage: code signing (Fulcio's), or server authentication (a TLS certificate). */
  usage?: 'codeSigning' | 'serverAuth';
}

/** A Fulcio-style leaf: code signing only, the identity in the SAN (critical), the OIDC issuer, an SCT. */
export function leafCert(ca: TestCA, ctlog: TestLog, leafKey: Party, spec: LeafSpec): Buffer {
  const san = spec.identity.includes('://') ? ctx(6, false, Buffer.from(spec.identity)) : ctx(1, false, Buffer.from(spec.identity));
  const extensions = [
    ext(OID.keyUsage, true, namedBits([0])),
    ext(OID.extKeyUsage, false, seq(oid(spec.usage === 'serverAuth' ? OID.serverAuth : OID.codeSigning))),
    ext(OID.subjectKeyId, false, octets(keyId(leafKey.spki))),
    ext(OID.authorityKeyId, false, seq(ctx(0, false, keyId(ca.intermediateKey.spki)))),
    ext(OID.subjectAltName, true, seq(san)),
    ext(OID.fulcioIssuerV1, false, Buffer.from(spec.issuer)),
    ext(OID.fulcioIssuerV2, false, utf8(spec.issuer)),
  ];
  const base = { serial: 0x5c0a7, subject: '', issuer: ca.intermediateName, subjectKey: leafKey, issuerKey: ca.intermediateKey, notBefore: spec.notBefore, notAfter: spec.notAfter };
  const sctExt = ext(OID.sct, false, octets(sct(ctlog, ca.intermediateKey, tbs({ ...base, extensions }), spec.notBefore)));
  return signed(tbs({ ...base, extensions: [...extensions, sctExt] }), ca.intermediateKey);
}

const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;

/** JSON with sorted keys and no spaces (RFC 8785 for the plain values Rekor uses). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function pae(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
}

export interface KeylessOptions {
  ca: TestCA;
  rekor: TestLog;
  ctlog: TestLog;
  statement: object;
  identity?: string;
  issuer?: string;
  /** When Rekor logged the entry (the time the certificate must be valid at). */
  integratedTime: Date;
  /** The leaf's validity; default the ten minutes Fulcio gives, from a minute before integratedTime. */
  notBefore?: Date;
  notAfter?: Date;
  usage?: LeafSpec['usage'];
  /** Sign these bytes instead of the envelope's (a signature that does not match its payload). */
  signOver?: Buffer;
  /** Sign with this key instead of a certificate (cosign --key), named in the bundle by its hint; still logged in Rekor. */
  signingKey?: { key: KeyObject; hint: string };
}

/** A certificate-signed DSSE envelope in a Sigstore bundle v0.3 with its Rekor entry. */
export function keylessBundle(o: KeylessOptions) {
  const identity = o.identity ?? 'https://github.com/example/app/.github/workflows/release.yml@refs/heads/main';
  const issuer = o.issuer ?? 'https://token.actions.githubusercontent.com';
  const notBefore = o.notBefore ?? new Date(o.integratedTime.getTime() - 60_000);
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + 600_000);
  const leafKey = party();
  const leaf = leafCert(o.ca, o.ctlog, leafKey, { identity, issuer, notBefore, notAfter, ...(o.usage ? { usage: o.usage } : {}) });
  const payload = Buffer.from(JSON.stringify(o.statement));
  const sig = sign('sha256', o.signOver ?? pae(IN_TOTO, payload), o.signingKey?.key ?? leafKey.key);
  // Rekor records the verifier: the certificate, or the public key of a key signature.
  const verifier = o.signingKey ? createPublicKey(o.signingKey.key).export({ type: 'spki', format: 'pem' }).toString() : pem(leaf);
  const envelope = { payload: payload.toString('base64'), payloadType: IN_TOTO, signatures: [{ sig: sig.toString('base64'), keyid: '' }] };

  // Rekor's dsse v0.0.1 entry: hashes of the envelope and payload, the signature and its certificate.
  const body = Buffer.from(canonical({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(JSON.stringify(envelope)).toString('hex') },
      payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
      signatures: [{ signature: sig.toString('base64'), verifier: Buffer.from(verifier).toString('base64') }],
    },
  }));
  const integrated = Math.floor(o.integratedTime.getTime() / 1000);
  const logIndex = 7;
  const set_ = sign('sha256', Buffer.from(canonical({ body: body.toString('base64'), integratedTime: integrated, logIndex, logID: o.rekor.logId.toString('hex') })), o.rekor.key);
  // A tree of one leaf: its root is the leaf's hash; the checkpoint signs that root.
  const rootHash = sha256(Buffer.from([0]), body);
  // As Rekor writes it: the origin line names the log and its tree id; the signature line the log.
  const origin = 'rekor.scout-test.example - 1';
  const note = `${origin}\n1\n${rootHash.toString('base64')}\n`;
  const noteSig = Buffer.concat([o.rekor.logId.subarray(0, 4), sign('sha256', Buffer.from(note), o.rekor.key)]);
  const checkpoint = `${note}\n\u2014 rekor.scout-test.example ${noteSig.toString('base64')}\n`;
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      ...(o.signingKey ? { publicKey: { hint: o.signingKey.hint } } : { certificate: { rawBytes: leaf.toString('base64') } }),
      tlogEntries: [{
        logIndex: String(logIndex),
        logId: { keyId: o.rekor.logId.toString('base64') },
        kindVersion: { kind: 'dsse', version: '0.0.1' },
        integratedTime: String(integrated),
        inclusionPromise: { signedEntryTimestamp: set_.toString('base64') },
        inclusionProof: { logIndex: '0', rootHash: rootHash.toString('base64'), treeSize: '1', hashes: [], checkpoint: { envelope: checkpoint } },
        canonicalizedBody: body.toString('base64'),
      }],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: envelope,
  };
}

/** A trusted_root.json (as `sigstore` ships it) naming a CA, a Rekor log and a CT log. */
export function trustedRoot(ca: TestCA, rekor: TestLog, ctlog: TestLog, since: Date) {
  const log = (l: TestLog, url: string) => ({
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: l.spki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: since.toISOString() } },
    logId: { keyId: l.logId.toString('base64') },
  });
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [log(rekor, 'https://rekor.scout-test.example')],
    certificateAuthorities: [{
      subject: { organization: 'scout-test', commonName: ca.intermediateName },
      uri: 'https://fulcio.scout-test.example',
      certChain: { certificates: [{ rawBytes: ca.intermediate.toString('base64') }, { rawBytes: ca.root.toString('base64') }] },
      validFor: { start: since.toISOString() },
    }],
    ctlogs: [log(ctlog, 'https://ctfe.scout-test.example')],
    timestampAuthorities: [],
  };
}
