/**
 * The platform side of supply-chain data, on both backends: the provenance of a real attested
 * image (a BuildKit attestation manifest with SLSA provenance and an SPDX SBOM, in an OCI
 * layout) stored with it and returned, the base image the provenance names used before layer
 * matching; policies evaluated on push and after a re-match, with their history and a
 * `policy.changed` event; and a secret scan stored masked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { imageFacts } from '../../src/platform/image-facts.js';
import { pushBody } from '../../src/platform/push-body.js';
import type { ScoutEvent } from '../../src/notify/events.js';
import type { ImageDetail, ImagePolicy, ImageSummary, PolicyHistoryEntry, SecretScan } from '../../src/store/platform-store.js';
import { attestationManifest, attestedIndex, DOCKERFILE, provenanceV02, spdxStatement, subjectOf, writeAttestedLayout } from '../helpers/attestation-builder.js';
import { buildImage, writeOciLayout, type BuiltImage, type LayerSpec } from '../helpers/image-builder.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { gzipJson, testApi, type TestApi } from '../helpers/platform-app.js';
import { testOsv } from '../helpers/osv-record.js';
import { tempDir } from '../helpers/tmp.js';
import { ATTESTED_PACKAGES } from '../attest/fixture.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ALPINE_LAYER: LayerSpec = { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine Linux v3.20"\n', 'etc/alpine-release': '3.20.0\n' };
const DECOY_LAYER: LayerSpec = { 'etc/os-release': 'ID=debian\nVERSION_ID=12\n', 'etc/debian_version': '12.5\n' };
const APP_LAYER: LayerSpec = { 'app/node_modules/left-pad/package.json': JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }) };

async function push(api: TestApi, body: Record<string, unknown>, query = '') {
  return api.call<{ created: boolean; image: ImageDetail }>({
    method: 'POST',
    url: `/v1/images${query}`,
    route: 'POST /v1/images',
    token: api.admin,
    payload: gzipJson(body),
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
  });
}

/** Pushes an image from a layout as `scout push` does: its facts, one layer pass, and the push body. */
async function pushLayout(api: TestApi, dir: string, query: string, opts: { secrets?: boolean; status?: number } = {}) {
  const facts = await imageFacts(`oci-dir://${dir}`, { platform: AMD64 }, { cache: false }, { secrets: !!opts.secrets });
  const r = await push(api, pushBody(facts), query);
  assert.equal(r.status, opts.status ?? 201, JSON.stringify(r.body));
  return { facts, image: r.body.image };
}

function layoutOf(images: BuiltImage[]): string {
  const dir = tempDir();
  writeOciLayout(dir, [{ images }]);
  return dir;
}

/** The app image with BuildKit's attestation manifest: provenance (its alpine material at `alpineDigest`) and an SPDX SBOM. */
function attestedLayout(app: BuiltImage, alpineDigest: string): string {
  const provenance = provenanceV02(subjectOf(app));
  for (const m of provenance.predicate.materials) if (m.uri.startsWith('pkg:docker/alpine@')) m.digest = { sha256: alpineDigest.slice(7) };
  const att = attestationManifest([
    { content: provenance, predicateType: 'https://slsa.dev/provenance/v0.2' },
    { content: spdxStatement(subjectOf(app), ATTESTED_PACKAGES), predicateType: 'https://spdx.dev/Document' },
  ]);
  const dir = tempDir();
  writeAttestedLayout(dir, attestedIndex([{ image: app, attestation: att }]), 'app:1');
  return dir;
}

for (const backend of BACKENDS) {
  test(`${backend}: provenance is stored with the pushed image and returned; the base image it names comes before the layer match, and says so`, async (t) => {
    const api = await testApi(backend, t);
    // alpine:3.20 for two platforms, as an index (BuildKit's materials name the index digest).
    const alpineAmd = await buildImage({ ...AMD64, layers: [ALPINE_LAYER] });
    const alpineArm = await buildImage({ os: 'linux', architecture: 'arm64', variant: 'v8', layers: [{ ...ALPINE_LAYER, 'etc/arch': 'arm64\n' }] });
    const alpineDir = layoutOf([alpineAmd, alpineArm]);
    const alpine = await pushLayout(api, alpineDir, '?repository=docker.io/library/alpine&tag=3.20');
    assert.ok(alpine.image.metadata.indexDigest, 'opened from its index');
    const armFacts = await imageFacts(`oci-dir://${alpineDir}`, { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }, { cache: false }, { secrets: false });
    assert.equal((await push(api, pushBody(armFacts), '?repository=docker.io/library/alpine')).status, 201);
    // A decoy that shares the app's first layer: the layer match would answer it.
    const decoy = await buildImage({ ...AMD64, layers: [DECOY_LAYER] });
    await pushLayout(api, layoutOf([decoy]), '?repository=example/decoy&tag=latest');
    const app = await buildImage({ ...AMD64, layers: [DECOY_LAYER, APP_LAYER] });
    assert.equal(app.layers[0].diffId, decoy.layers[0].diffId);

    const pushed = await pushLayout(api, attestedLayout(app, alpine.image.metadata.indexDigest!), '?repository=example/app&tag=1');
    assert.deepEqual(pushed.facts.attestations, { provenance: true, sbom: true });
    const img = pushed.image;
    assert.deepEqual(img.attestations, { provenance: true, sbom: true });
    assert.deepEqual(img.provenance, {
      materials: [
        { uri: 'pkg:docker/docker/dockerfile@1', digest: { sha256: '9ba7531bd80fb0a858632727cf7a112fbfd19b17e94c4e84ced81e24ef1a0dbc' } },
        { uri: 'pkg:docker/golang@1.22-alpine?platform=linux%2Famd64', digest: { sha256: 'a9b24b67dc83b3383d22a14941c2b2b2ca6a103d805cac6820fd1355943beaf1' } },
        { uri: 'pkg:docker/alpine@3.20?platform=linux%2Famd64', digest: { sha256: alpine.image.metadata.indexDigest!.slice(7) } },
        { uri: 'https://github.com/example/app.git#refs/heads/main', digest: { sha1: '4b220de5058abfd01ff619c9d2ff6b09a049bea0' } },
      ],
      baseImage: { name: 'alpine:3.20', digest: alpine.image.metadata.indexDigest },
      vcs: { source: 'https://github.com/example/app', revision: '4b220de5058abfd01ff619c9d2ff6b09a049bea0' },
      dockerfile: { path: 'Dockerfile', content: DOCKERFILE },
    });
    // The index digest resolves to the alpine image of the app's own platform.
    const expectedBase = { digest: alpineAmd.manifestDigest, repository: 'docker.io/library/alpine', tags: ['3.20'], layers: 1, catalog: false, from: 'provenance', name: 'alpine:3.20' };
    assert.deepEqual(img.baseImage, expectedBase);
    const read = await api.call<ImageDetail>({ method: 'GET', url: `/v1/images/${img.digest}`, route: 'GET /v1/images/:digest', token: api.admin });
    assert.deepEqual(read.body.provenance, img.provenance);
    assert.deepEqual(read.body.baseImage, expectedBase);

    // Without provenance the same layers give the decoy, by layers.
    const plain = await buildImage({ ...AMD64, layers: [DECOY_LAYER, { 'app/other.txt': 'x\n' }] });
    const plainPushed = await pushLayout(api, layoutOf([plain]), '?repository=example/plain');
    assert.deepEqual(plainPushed.image.attestations, { provenance: false, sbom: false });
    assert.equal(plainPushed.image.provenance, undefined);
    assert.deepEqual(plainPushed.image.baseImage, { digest: decoy.manifestDigest, repository: 'example/decoy', tags: ['latest'], layers: 1, catalog: false, from: 'layers' });

    // Provenance naming a base the platform does not hold: still the answer, its layers unknown.
    const unknownDigest = `sha256:${'ab'.repeat(32)}`;
    const other = await buildImage({ ...AMD64, layers: [DECOY_LAYER, { 'app/third.txt': 'y\n' }] });
    const otherPushed = await pushLayout(api, attestedLayout(other, unknownDigest), '?repository=example/other');
    assert.deepEqual(otherPushed.image.baseImage, { digest: unknownDigest, tags: [], catalog: false, from: 'provenance', name: 'alpine:3.20' });

    // Lists give the same answers.
    const list = await api.call<{ items: ImageSummary[] }>({ method: 'GET', url: '/v1/images?limit=50', route: 'GET /v1/images', token: api.admin });
    const byDigest = new Map(list.body.items.map((i) => [i.digest, i]));
    assert.deepEqual(byDigest.get(img.digest)?.baseImage, expectedBase);
    assert.deepEqual(byDigest.get(plain.manifestDigest)?.baseImage, plainPushed.image.baseImage);
    assert.deepEqual(byDigest.get(other.manifestDigest)?.baseImage, otherPushed.image.baseImage);

    // Only what the data-handling page names is kept: no build arguments, no invocation id.
    const stored = await sql<{ provenance: string }>`SELECT provenance FROM image_provenance WHERE provenance IS NOT NULL`.execute(api.platform.db);
    assert.equal(stored.rows.length, 2);
    for (const r of stored.rows) {
      assert.deepEqual(Object.keys(JSON.parse(r.provenance) as object).sort(), ['baseImage', 'dockerfile', 'materials', 'vcs']);
      assert.doesNotMatch(r.provenance, /GO_VERSION|rpv7a389uzil5lqmrgwhijwjz|buildkit/);
    }
    // Another organisation sees none of it.
    const other2 = await api.tokenFor('globex', 'read');
    assert.equal((await api.call({ method: 'GET', url: `/v1/images/${img.digest}`, route: 'GET /v1/images/:digest', token: other2 })).status, 404);
    // Deleting the image deletes its provenance and policy rows.
    assert.equal((await api.call({ method: 'DELETE', url: `/v1/images/${img.digest}`, route: 'DELETE /v1/images/:digest', token: api.admin })).status, 204);
    const left = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM image_provenance WHERE image_id NOT IN (SELECT id FROM images)`.execute(api.platform.db);
    assert.equal(Number(left.rows[0].n), 0);
  });

  test(`${backend}: hostile provenance and secrets in a push: values masked where stored, oversized fields refused with the field named`, async (t) => {
    const api = await testApi(backend, t);
    const im = await buildImage({ ...AMD64, layers: [APP_LAYER] });
    const facts = await imageFacts(`oci-dir://${layoutOf([im])}`, { platform: AMD64 }, { cache: false }, { secrets: false });
    const awsKey = 'AKIA' + 'Q3EGRBNFXW2T7Y4K';
    const body = {
      ...pushBody(facts),
      attestations: { provenance: true, sbom: false },
      provenance: {
        materials: [{ uri: `https://x-access-token:ghp_${'a1B2c3D4e5F6g7H8i9J0'.repeat(2).slice(0, 36)}@github.com/example/app.git`, digest: { sha1: '4b220de5058abfd01ff619c9d2ff6b09a049bea0' } }],
        dockerfile: { path: 'Dockerfile', content: `FROM alpine\nENV AWS_ACCESS_KEY_ID=${awsKey}\n` },
      },
      secrets: { scannedAt: '2026-01-01T00:00:00.000Z', findings: [{ rule: 'aws-access-key-id', title: 'AWS access key ID', severity: 'critical', source: 'env', location: 'AWS_ACCESS_KEY_ID', masked: awsKey }], skipped: { binary: 0, overCap: 0, packageTest: 0 }, unreadLayers: [] },
    };
    const r = await push(api, body, '?repository=example/hostile');
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const dump = JSON.stringify((await sql`SELECT * FROM image_provenance`.execute(api.platform.db)).rows) + JSON.stringify((await sql`SELECT * FROM image_secrets`.execute(api.platform.db)).rows);
    assert.ok(!dump.includes(awsKey), 'the AWS key is stored masked');
    assert.ok(!dump.includes('a1B2c3D4e5F6g7H8i9J0'), 'the token in the URL is stored masked');
    assert.match(r.body.image.provenance!.dockerfile!.content!, /ENV AWS_ACCESS_KEY_ID=AKIA\*+\n/);
    const secrets = await api.call<{ scanned: boolean; scan?: SecretScan }>({ method: 'GET', url: `/v1/images/${im.manifestDigest}/secrets`, route: 'GET /v1/images/:digest/secrets', token: api.admin });
    assert.equal(secrets.body.scan?.findings[0].masked, 'AKIA****************');

    const huge = { ...pushBody(facts), provenance: { materials: [], dockerfile: { content: 'x'.repeat(1_000_001) } } };
    const refused = await push(api, huge, '?repository=example/huge');
    assert.equal(refused.status, 400);
    assert.match((refused.body as unknown as { message: string }).message, /provenance\/dockerfile\/content/);
  });

  test(`${backend}: policies are evaluated on push and after a re-match; results, history and a policy.changed event`, async (t) => {
    const api = await testApi(backend, t, { jobs: { webhookBackoffMs: 50 } });
    const im = await buildImage({ ...AMD64, user: 'app', layers: [ALPINE_LAYER, { 'app/node_modules/scout-test-pkg/package.json': JSON.stringify({ name: 'scout-test-pkg', version: '1.0.0', license: 'MIT' }) }] });
    const { image } = await pushLayout(api, layoutOf([im]), '?repository=example/policy&tag=1');
    assert.equal(image.policy?.status, 'fail', 'the push answers with the verdict');
    const first = await api.call<ImagePolicy & { current: ImagePolicy; history: PolicyHistoryEntry[] }>({ method: 'GET', url: `/v1/images/${image.digest}/policy`, route: 'GET /v1/images/:digest/policy', token: api.admin });
    assert.equal(first.status, 200);
    const statuses = Object.fromEntries(first.body.current.results.map((r) => [r.id, r.status]));
    assert.deepEqual(statuses, {
      'no-fixable-critical-high': 'pass',
      'no-high-profile-vulnerabilities': 'pass',
      'no-secrets': 'unknown',
      'up-to-date-base-image': 'unknown',
      'supply-chain-attestations': 'fail',
      'non-root-user': 'pass',
      'no-copyleft-licenses': 'pass',
      'approved-base-images': 'unknown',
    });
    assert.equal(first.body.current.status, 'fail', 'no attestations: the supply-chain policy fails');
    assert.equal(first.body.history.length, 1);
    assert.equal(first.body.history[0].trigger, 'push');
    const listed = await api.call<{ items: ImageSummary[] }>({ method: 'GET', url: '/v1/images', route: 'GET /v1/images', token: api.admin });
    assert.deepEqual(listed.body.items[0].policy, { status: 'fail', grade: first.body.current.grade, score: first.body.current.score, evaluatedAt: first.body.current.evaluatedAt });

    // An advisory that does not affect 1.0.0: the image is looked at again, nothing changes.
    await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: [testOsv('SCOUT-TEST-0', 'CVE-2099-0000', '0.5.0')] });
    await api.jobs!.queue.idle(undefined, 30_000);
    const same = await api.call<{ current: ImagePolicy; history: PolicyHistoryEntry[] }>({ method: 'GET', url: `/v1/images/${image.digest}/policy`, route: 'GET /v1/images/:digest/policy', token: api.admin });
    assert.equal(same.body.history.length, 1, 'unchanged results add no history');
    assert.deepEqual(same.body.current.results, first.body.current.results, 'the push and the re-match judge the stored image alike');

    // A fixable high vulnerability: the first policy fails now.
    await api.call({ method: 'POST', url: '/v1/advisories', route: 'POST /v1/advisories', token: api.admin, payload: [testOsv('SCOUT-TEST-1', 'CVE-2099-0001', '1.5.0')] });
    await api.jobs!.queue.idle(undefined, 30_000);
    const after = await api.call<{ current: ImagePolicy; history: PolicyHistoryEntry[] }>({ method: 'GET', url: `/v1/images/${image.digest}/policy`, route: 'GET /v1/images/:digest/policy', token: api.admin });
    const failing = after.body.current.results.find((r) => r.id === 'no-fixable-critical-high')!;
    assert.equal(failing.status, 'fail');
    assert.deepEqual(failing.violations.map((v) => v.subject), ['CVE-2099-0001 in pkg:npm/scout-test-pkg@1.0.0']);
    assert.deepEqual(after.body.history.map((h) => h.trigger), ['rematch', 'push']);
    assert.ok(after.body.current.score! < first.body.current.score!);
    const events = await api.call<{ items: ScoutEvent[] }>({ method: 'GET', url: '/v1/events?kind=policy.changed', route: 'GET /v1/events', token: api.admin });
    assert.equal(events.body.items.length, 1);
    const e = events.body.items[0];
    assert.deepEqual(e.image, { digest: image.digest, repository: 'example/policy', tags: ['1'] });
    assert.deepEqual(e.policy, {
      status: 'fail',
      previousStatus: 'fail',
      grade: after.body.current.grade,
      previousGrade: first.body.current.grade,
      policies: [{ id: 'no-fixable-critical-high', title: 'No fixable critical or high vulnerabilities', previous: 'pass', status: 'fail' }],
    });
    // In the order things happened: the push, the vulnerability, the policy that judged it.
    const all = await api.call<{ items: ScoutEvent[] }>({ method: 'GET', url: '/v1/events', route: 'GET /v1/events', token: api.admin });
    assert.deepEqual(all.body.items.map((x) => x.kind), ['image.pushed', 'vulnerability.new', 'policy.changed']);
  });

  test(`${backend}: push --secrets stores the findings masked, with the layer that deleted the file; the no-secrets policy reads them`, async (t) => {
    const api = await testApi(backend, t);
    const key = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0qJZ1QK3DmvUa8u7hqW8ad3xK2P', 'q1Zx7N4sP3e9rM2yT6uK8wV1bC5dF0gH3jL7nQ2sR4tU6vW8xY0zA1bC3dE5fG7h', '-----END RSA PRIVATE KEY-----', ''].join('\n');
    const im = await buildImage({ ...AMD64, user: 'app', layers: [ALPINE_LAYER, { 'root/.ssh/id_rsa': key }, { 'root/.ssh/.wh.id_rsa': '' }] });
    const { image, facts } = await pushLayout(api, layoutOf([im]), '?repository=example/leaky', { secrets: true });
    assert.ok(facts.secrets && facts.secrets.findings.length > 0, 'the scan found the key');
    const r = await api.call<{ scanned: boolean; scan: SecretScan }>({ method: 'GET', url: `/v1/images/${image.digest}/secrets`, route: 'GET /v1/images/:digest/secrets', token: api.admin });
    assert.equal(r.body.scanned, true);
    const f = r.body.scan.findings.find((x) => x.location === '/root/.ssh/id_rsa')!;
    assert.ok(f, JSON.stringify(r.body.scan.findings));
    assert.equal(f.source, 'file');
    assert.deepEqual(f.layer, { index: 1, digest: im.layers[1].digest });
    assert.deepEqual(f.deletedIn, { index: 2 });
    assert.match(f.masked, /^.{0,4}\*+$/);
    assert.ok(!('fingerprint' in f), 'no hash of the value is kept');
    const dump = JSON.stringify((await sql`SELECT * FROM image_secrets`.execute(api.platform.db)).rows);
    assert.ok(!dump.includes('MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn'), 'the key is not stored');
    const policy = await api.call<{ current: ImagePolicy }>({ method: 'GET', url: `/v1/images/${image.digest}/policy`, route: 'GET /v1/images/:digest/policy', token: api.admin });
    const leaked = policy.body.current.results.find((x) => x.id === 'no-secrets')!;
    assert.equal(leaked.status, 'fail');
    // Pushed without --secrets, an image's layers were not searched: not "no secrets".
    const clean = await buildImage({ ...AMD64, layers: [ALPINE_LAYER, { 'app/readme.txt': 'hello\n' }] });
    const plain = await pushLayout(api, layoutOf([clean]), '?repository=example/clean');
    const none = await api.call<{ scanned: boolean }>({ method: 'GET', url: `/v1/images/${plain.image.digest}/secrets`, route: 'GET /v1/images/:digest/secrets', token: api.admin });
    assert.deepEqual(none.body, { scanned: false });
    assert.equal((await api.call({ method: 'GET', url: `/v1/images/sha256:${'0'.repeat(64)}/secrets`, route: 'GET /v1/images/:digest/secrets', token: api.admin })).status, 404);
  });

  test(`${backend}: pushing a stored digest again adds the provenance and the secret scan the first push lacked, and judges its policies again`, async (t) => {
    const api = await testApi(backend, t, { jobs: { webhookBackoffMs: 50 } });
    const key = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0qJZ1QK3DmvUa8u7hqW8ad3xK2P', 'q1Zx7N4sP3e9rM2yT6uK8wV1bC5dF0gH3jL7nQ2sR4tU6vW8xY0zA1bC3dE5fG7h', '-----END RSA PRIVATE KEY-----', ''].join('\n');
    const app = await buildImage({ ...AMD64, user: 'app', layers: [ALPINE_LAYER, { 'root/.ssh/id_rsa': key }] });
    // First from a layout without its attestations, and without --secrets.
    const first = await pushLayout(api, layoutOf([app]), '?repository=example/app&tag=1');
    assert.deepEqual(first.image.attestations, { provenance: false, sbom: false });
    assert.equal(first.image.provenance, undefined);
    const policy = async () => (await api.call<{ current: ImagePolicy; history: PolicyHistoryEntry[] }>({ method: 'GET', url: `/v1/images/${app.manifestDigest}/policy`, route: 'GET /v1/images/:digest/policy', token: api.admin })).body;
    const statusOf = (p: { current: ImagePolicy }, id: string) => p.current.results.find((r) => r.id === id)?.status;
    const before = await policy();
    assert.equal(statusOf(before, 'no-secrets'), 'unknown');
    assert.equal(statusOf(before, 'supply-chain-attestations'), 'fail');

    // Again, from the attested layout, with --secrets: same digest, so 200, but both are added.
    const unknownBase = `sha256:${'cd'.repeat(32)}`;
    const again = await pushLayout(api, attestedLayout(app, unknownBase), '?repository=example/app', { secrets: true, status: 200 });
    assert.equal(again.image.digest, app.manifestDigest);
    assert.deepEqual(again.image.attestations, { provenance: true, sbom: true });
    assert.deepEqual(again.image.provenance?.baseImage, { name: 'alpine:3.20', digest: unknownBase });
    assert.deepEqual(again.image.baseImage, { digest: unknownBase, tags: [], catalog: false, from: 'provenance', name: 'alpine:3.20' });
    const secrets = await api.call<{ scanned: boolean; scan: SecretScan }>({ method: 'GET', url: `/v1/images/${app.manifestDigest}/secrets`, route: 'GET /v1/images/:digest/secrets', token: api.admin });
    assert.equal(secrets.body.scanned, true);
    assert.deepEqual(secrets.body.scan.findings.map((f) => f.location), ['/root/.ssh/id_rsa']);
    const after = await policy();
    assert.equal(statusOf(after, 'no-secrets'), 'fail');
    assert.equal(statusOf(after, 'supply-chain-attestations'), 'pass');
    assert.deepEqual(after.history.map((h) => h.trigger), ['push', 'push']);
    const events = await api.call<{ items: ScoutEvent[] }>({ method: 'GET', url: '/v1/events?kind=policy.changed', route: 'GET /v1/events', token: api.admin });
    assert.equal(events.body.items.length, 1);
    // The provenance names the base too: alpine, an approved (official) image.
    assert.deepEqual(events.body.items[0].policy?.policies.map((p) => [p.id, p.previous, p.status]).sort(), [['approved-base-images', 'unknown', 'pass'], ['no-secrets', 'unknown', 'fail'], ['supply-chain-attestations', 'fail', 'pass']]);
    // Once more with nothing new: nothing changes, no history.
    const attested = attestedLayout(app, unknownBase);
    const facts = await imageFacts(`oci-dir://${attested}`, { platform: AMD64 }, { cache: false }, { secrets: false });
    assert.equal((await push(api, pushBody(facts), '?repository=example/app')).status, 200);
    assert.equal((await policy()).history.length, 2);
    assert.equal((await api.call<{ scanned: boolean }>({ method: 'GET', url: `/v1/images/${app.manifestDigest}/secrets`, route: 'GET /v1/images/:digest/secrets', token: api.admin })).body.scanned, true, 'a push without --secrets keeps the stored scan');
  });
}
