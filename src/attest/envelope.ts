/**
 * Reading one attestation blob, whatever wraps it: a plain in-toto statement (what BuildKit
 * writes), a DSSE envelope, or a Sigstore bundle holding a DSSE envelope. Total: hostile bytes
 * give an error value, never an exception.
 */
import type { Statement, Subject } from './types.js';

export interface DsseEnvelope {
  payloadType: string;
  /** The payload, base64 as in the envelope. */
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

export type Wrapping = { kind: 'plain' } | { kind: 'dsse'; envelope: DsseEnvelope } | { kind: 'sigstore-bundle'; bundle: Record<string, unknown>; envelope: DsseEnvelope };

export type Unwrapped = { ok: true; statement: Statement; wrapping: Wrapping } | { ok: false; error: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function asEnvelope(v: unknown): DsseEnvelope | string {
  if (!isObject(v)) return 'DSSE envelope is not an object';
  if (typeof v.payloadType !== 'string') return 'DSSE envelope has no payloadType';
  if (typeof v.payload !== 'string' || !BASE64.test(v.payload)) return 'DSSE envelope has no base64 payload';
  if (!Array.isArray(v.signatures)) return 'DSSE envelope has no signatures array';
  const signatures: DsseEnvelope['signatures'] = [];
  for (const s of v.signatures) {
    if (!isObject(s) || typeof s.sig !== 'string') return 'DSSE envelope holds a signature without "sig"';
    signatures.push({ sig: s.sig, ...(typeof s.keyid === 'string' && s.keyid ? { keyid: s.keyid } : {}) });
  }
  return { payloadType: v.payloadType, payload: v.payload, signatures };
}

/** An in-toto statement, checked for the fields every reader relies on. */
export function asStatement(v: unknown): Statement | string {
  if (!isObject(v)) return 'statement is not a JSON object';
  if (typeof v._type !== 'string' || !v._type.startsWith('https://in-toto.io/Statement/')) return `not an in-toto statement (_type ${JSON.stringify(v._type ?? null)})`;
  if (typeof v.predicateType !== 'string' || !v.predicateType) return 'statement has no predicateType';
  if (!Array.isArray(v.subject)) return 'statement has no subject array';
  const subject: Subject[] = [];
  for (const s of v.subject) {
    if (!isObject(s) || !isObject(s.digest)) return 'statement subject without a digest';
    const digest: Record<string, string> = {};
    for (const [k, d] of Object.entries(s.digest)) if (typeof d === 'string') digest[k] = d;
    subject.push({ ...(typeof s.name === 'string' ? { name: s.name } : {}), digest });
  }
  return { _type: v._type, predicateType: v.predicateType, subject, predicate: v.predicate ?? null };
}

function parse(bytes: Buffer | string): unknown {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (err) {
    return new Error((err as Error).message);
  }
}

function fromEnvelope(env: DsseEnvelope): Statement | string {
  if (!env.payloadType.startsWith('application/vnd.in-toto')) return `DSSE payloadType is ${env.payloadType}, not in-toto`;
  const doc = parse(Buffer.from(env.payload, 'base64'));
  if (doc instanceof Error) return `DSSE payload is not JSON: ${doc.message}`;
  return asStatement(doc);
}

export function unwrap(bytes: Buffer): Unwrapped {
  const doc = parse(bytes);
  if (doc instanceof Error) return { ok: false, error: `not JSON: ${doc.message}` };
  if (!isObject(doc)) return { ok: false, error: 'not a JSON object' };
  if (typeof doc.mediaType === 'string' && doc.mediaType.startsWith('application/vnd.dev.sigstore.bundle')) {
    const env = asEnvelope(doc.dsseEnvelope);
    if (typeof env === 'string') return { ok: false, error: `Sigstore bundle without a usable DSSE envelope (${env}); message-signature bundles do not carry a statement` };
    const st = fromEnvelope(env);
    return typeof st === 'string' ? { ok: false, error: st } : { ok: true, statement: st, wrapping: { kind: 'sigstore-bundle', bundle: doc, envelope: env } };
  }
  if ('payloadType' in doc && 'payload' in doc) {
    const env = asEnvelope(doc);
    if (typeof env === 'string') return { ok: false, error: env };
    const st = fromEnvelope(env);
    return typeof st === 'string' ? { ok: false, error: st } : { ok: true, statement: st, wrapping: { kind: 'dsse', envelope: env } };
  }
  const st = asStatement(doc);
  return typeof st === 'string' ? { ok: false, error: st } : { ok: true, statement: st, wrapping: { kind: 'plain' } };
}

/** DSSE's pre-authentication encoding: what a DSSE signature signs. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}
