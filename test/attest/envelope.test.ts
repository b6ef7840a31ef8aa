/** Hostile attestation blobs give an error value naming what is wrong, never an exception. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unwrap } from '../../src/attest/envelope.js';
import { checkSignature } from '../../src/attest/signature.js';

test('unreadable blobs: each says why', () => {
  const cases: [string, RegExp][] = [
    ['{not json', /^not JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"_type":"https://example.com/x","predicateType":"p","subject":[]}', /not an in-toto statement/],
    ['{"_type":"https://in-toto.io/Statement/v1","subject":[]}', /no predicateType/],
    ['{"_type":"https://in-toto.io/Statement/v1","predicateType":"p","subject":[{"name":"x"}]}', /subject without a digest/],
    ['{"payloadType":"application/vnd.in-toto+json","payload":"%%%","signatures":[]}', /no base64 payload/],
    [JSON.stringify({ payloadType: 'text/plain', payload: 'aGk=', signatures: [] }), /payloadType is text\/plain, not in-toto/],
    [JSON.stringify({ payloadType: 'application/vnd.in-toto+json', payload: Buffer.from('{oops').toString('base64'), signatures: [] }), /DSSE payload is not JSON/],
    [JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', messageSignature: {} }), /message-signature bundles do not carry a statement/],
  ];
  for (const [text, re] of cases) {
    const u = unwrap(Buffer.from(text));
    assert.equal(u.ok, false, text);
    assert.match((u as { error: string }).error, re, text);
  }
});

test('a Sigstore bundle that is not a bundle is invalid, not a crash', async () => {
  const statement = { _type: 'https://in-toto.io/Statement/v1', predicateType: 'p', subject: [{ digest: { sha256: 'ab' } }], predicate: {} };
  const env = { payloadType: 'application/vnd.in-toto+json', payload: Buffer.from(JSON.stringify(statement)).toString('base64'), signatures: [{ sig: 'AAAA' }] };
  const u = unwrap(Buffer.from(JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', verificationMaterial: { publicKey: 'not an object' }, dsseEnvelope: env })));
  assert.ok(u.ok);
  const { generateKeyPairSync, createPublicKey } = await import('node:crypto');
  const pem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const check = await checkSignature(u.wrapping, [{ name: 'k.pub', key: createPublicKey(pem) }], {});
  assert.equal(check.status, 'invalid');
  assert.ok(check.detail, 'says why');
  // A DSSE signature of garbage against an RSA key: invalid too.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  const d = unwrap(Buffer.from(JSON.stringify(env)));
  assert.ok(d.ok);
  assert.equal((await checkSignature(d.wrapping, [{ name: 'rsa.pub', key: rsa }], {})).status, 'invalid');
});
