/**
 * A registry with the OCI referrers API (GET /v2/<name>/referrers/<digest>), which Debian's
 * docker-registry lacks (registry.test.ts covers the `sha256-<hex>` tag fallback there): the
 * referrers come from the API, and the fallback tag is never asked for. The registry is a small
 * HTTP server over the attested fixture's blobs, answering as distribution 3 and zot do.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { findAttestations } from '../../src/attest/discover.js';
import { openImage } from '../../src/image/open.js';
import { attestedFixture, type AttestedFixture } from './fixture.js';

let fx: AttestedFixture;
let server: Server;
let host: string;
const asked: string[] = [];

before(async () => {
  fx = await attestedFixture();
  const blobs = new Map<string, Buffer>();
  for (const b of [{ bytes: fx.index.bytes, digest: fx.index.digest }, ...fx.index.blobs, ...fx.referrers.flatMap((r) => [{ bytes: r.bytes, digest: r.digest }, ...r.blobs])]) blobs.set(b.digest, b.bytes);
  const mediaType = (bytes: Buffer) => (JSON.parse(bytes.toString()) as { mediaType: string }).mediaType;
  // The referrers index for a subject: every stored manifest whose `subject` names it.
  const referrersOf = (digest: string) => ({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: fx.referrers
      .map((r) => ({ r, m: JSON.parse(r.bytes.toString()) as { artifactType: string; subject: { digest: string } } }))
      .filter(({ m }) => m.subject.digest === digest)
      .map(({ r, m }) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: r.digest, size: r.bytes.length, artifactType: m.artifactType })),
  });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    asked.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body: Buffer | string, type = 'application/json', digest?: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...(digest ? { 'docker-content-digest': digest } : {}) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const m = /^\/v2\/example\/app\/(manifests|blobs|referrers)\/(.+)$/.exec(url.pathname);
    if (url.pathname === '/v2/') return send(200, '{}');
    if (!m) return send(404, JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
    const [, kind, ref] = m;
    if (kind === 'referrers') return send(200, JSON.stringify(referrersOf(ref)), 'application/vnd.oci.image.index.v1+json');
    const digest = ref === '1' ? fx.index.digest : ref;
    const bytes = blobs.get(digest);
    if (!bytes) return send(404, JSON.stringify({ errors: [{ code: kind === 'blobs' ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
    send(200, bytes, kind === 'manifests' ? mediaType(bytes) : 'application/octet-stream', digest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('referrers from the registry API, the sha256-<hex> tag never asked for', async () => {
  const amd = await openImage(`${host}/example/app:1`, { platform: { os: 'linux', architecture: 'amd64' } });
  assert.equal(amd.manifestDigest, fx.amd64.manifestDigest);
  asked.length = 0;
  const { attestations, warnings } = await findAttestations(amd, { keys: [{ name: 'test.pub', pem: fx.publicPem }] });
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    attestations.map((a) => [a.origin, a.predicateType, a.signature.status]),
    [
      ['attestation-manifest', 'https://slsa.dev/provenance/v0.2', 'unsigned'],
      ['attestation-manifest', 'https://spdx.dev/Document', 'unsigned'],
      ['referrer', 'https://in-toto.io/attestation/vulns/v0.1', 'signed'],
      ['referrer', 'https://example.com/tampered/v1', 'invalid'],
    ],
  );
  assert.ok(asked.includes(`GET /v2/example/app/referrers/${fx.amd64.manifestDigest}`), asked.join('\n'));
  assert.deepEqual(asked.filter((a) => a.includes('/manifests/sha256-')), [], 'the tag fallback is not used when the API answers');

  // arm64 has no referrers: the API's empty index, and still no fallback.
  const arm = await openImage(`${host}/example/app:1`, { platform: { os: 'linux', architecture: 'arm64' } });
  asked.length = 0;
  const armAtts = await findAttestations(arm, { keys: [{ name: 'test.pub', pem: fx.publicPem }] });
  assert.deepEqual(armAtts.attestations.map((a) => [a.origin, a.predicateType, a.signature.status]), [['attestation-manifest', 'https://slsa.dev/provenance/v1', 'signed']]);
  assert.ok(asked.includes(`GET /v2/example/app/referrers/${fx.arm64.manifestDigest}`), asked.join('\n'));
  assert.deepEqual(asked.filter((a) => a.includes('/manifests/sha256-')), []);
});
