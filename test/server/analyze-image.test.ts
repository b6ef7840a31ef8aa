/**
 * Server-side analysis (POST /v1/images/analyze, GET /v1/jobs/{id}) end to end: a real
 * docker-registry on loopback (images pushed with skopeo), a real Scout server on SQLite and on
 * PostgreSQL running the analyze-image job, and the real CLI pushing the same image into another
 * organisation: what the server analysed must be stored exactly as a local `scout push` stores it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { buildImage, writeOciLayout, type BuiltImage } from '../helpers/image-builder.js';
import { startRegistry, type RegistryServer } from '../helpers/registry-server.js';
import { scoutAsync, startTestServer, type TestServer } from '../helpers/platform-server.js';
import { tempDir } from '../helpers/tmp.js';
import { startWorker } from '../../src/server/worker.js';
import { BACKENDS, type Backend } from '../helpers/platform-db.js';

interface JobView {
  id: string;
  state: string;
  reference: string;
  attempts: number;
  error?: string;
  result?: { digest: string; created: boolean; repository?: string; tags: string[]; packages: number };
}

let reg: RegistryServer;
let server: TestServer;
let admin: string;

async function setUp(t: TestContext, backend: Backend): Promise<void> {
  reg = await startRegistry();
  t.after(() => reg.stop());
  server = await startTestServer(t, tempDir(), backend, { analyzeRegistries: [reg.host] });
  admin = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
}

async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as T };
}

/** Waits for the job to finish (done or failed for good); the wait is bounded, never timed. */
async function finished(token: string, id: string): Promise<JobView> {
  for (let i = 0; i < 1200; i++) {
    const { status, body } = await call<JobView>(token, 'GET', `/v1/jobs/${id}`);
    assert.equal(status, 200);
    if (body.state === 'done' || body.state === 'failed') return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`job ${id} did not finish`);
}

let n = 0;
async function image(name: string): Promise<BuiltImage> {
  n++;
  return buildImage({
    architecture: 'arm64',
    layers: [
      {
        'etc/os-release': 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
        // libssl3 from openssl 3.0.11-1~deb12u1: the example advisories hold fixes after it, so the image has findings.
        'var/lib/dpkg/status': `Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u1\nArchitecture: arm64\n\nPackage: ${name}\nStatus: install ok installed\nVersion: 1.0.${n}\nArchitecture: arm64\n\n`,
      },
      { [`app/${name}.txt`]: `${name} ${n}` },
    ],
    labels: { name, n: String(n) },
  });
}

function push(img: BuiltImage, repoTag: string): void {
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [img], refName: 'x' }]);
  reg.push(dir, 'x', repoTag);
}

type Pkg = { name: string; version: string; type: string; purl?: string };
async function packagesOf(token: string, digest: string): Promise<string[]> {
  const { status, body } = await call<{ items: Pkg[] }>(token, 'GET', `/v1/images/${digest}/packages?limit=500`);
  assert.equal(status, 200);
  return body.items.map((p) => `${p.type} ${p.name} ${p.version} ${p.purl ?? ''}`).sort();
}

async function pushedEvents(token: string, digest: string): Promise<number> {
  const { body } = await call<{ items: { kind: string; image?: { digest: string } }[] }>(token, 'GET', '/v1/events?kind=image.pushed&limit=500');
  return body.items.filter((e) => e.image?.digest === digest).length;
}

for (const backend of BACKENDS) {
  describe(`server-side analysis, server on ${backend}`, () => {
    test('a reference is pulled, analysed and stored as scout push stores it; once per digest; only the asking organisation sees the job', (t) => story(t, backend));
  });
}

async function story(t: TestContext, backend: Backend): Promise<void> {
  await setUp(t, backend);
  const a = await image('a');
  push(a, 'scout/a:1');
  const ref = `${reg.host}/scout/a:1`;

  const queued = await call<JobView>(admin, 'POST', '/v1/images/analyze', { reference: ref, platform: 'linux/arm64' });
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  assert.equal(queued.body.reference, ref);
  const job = await finished(admin, queued.body.id);
  assert.equal(job.state, 'done', job.error);
  assert.deepEqual(job.result, { digest: a.manifestDigest, created: true, repository: `${reg.host}/scout/a`, tags: ['1'], packages: 2 });
  assert.equal(await pushedEvents(admin, a.manifestDigest), 1, 'one image.pushed event, as a push makes');

  // The same image pushed from the CLI into another organisation: the same packages and findings.
  const other = server.platform.forOrg(await server.platform.ensureOrg('other'));
  const { token: otherToken } = await other.createToken('other', 'write');
  const env = { SCOUT_SERVER: server.url, SCOUT_TOKEN: otherToken, SCOUT_CACHE_DIR: tempDir(), SCOUT_CONFIG_DIR: tempDir(), DOCKER_CONFIG: tempDir(), SCOUT_REGISTRY_USER: '', SCOUT_REGISTRY_PASSWORD: '' };
  const local = await scoutAsync(['push', `registry://${ref}`, '--platform', 'linux/arm64', '--format', 'json'], env);
  assert.equal(local.code, 0, local.stderr);
  assert.equal((JSON.parse(local.stdout) as { image: { digest: string } }).image.digest, a.manifestDigest);
  const serverSide = await packagesOf(admin, a.manifestDigest);
  assert.equal(serverSide.length, 2);
  assert.deepEqual(serverSide, await packagesOf(otherToken, a.manifestDigest));
  const findings = async (token: string) => (await call<{ items: { vulnerabilityId: string; packageName: string; packageVersion: string; severity: string; status: string }[] }>(token, 'GET', `/v1/images/${a.manifestDigest}/findings?limit=500`)).body.items.map((f) => `${f.vulnerabilityId} ${f.severity} ${f.status} ${f.packageVersion} ${f.packageName}`).sort();
  const found = await findings(admin);
  assert.ok(found.some((f) => f.endsWith(' libssl3')), `openssl's advisories match libssl3: ${found.join(', ')}`);
  assert.deepEqual(found, await findings(otherToken));

  // Another organisation cannot see the job: as unknown as one that never was.
  const foreign = await call<{ code: string }>(otherToken, 'GET', `/v1/jobs/${job.id}`);
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.code, 'not-found');

  // Again: idempotent by digest (stored once, no second event).
  const again = await finished(admin, (await call<JobView>(admin, 'POST', '/v1/images/analyze', { reference: `${reg.host}/scout/a@${a.manifestDigest}`, platform: 'linux/arm64', tags: ['1'] })).body.id);
  assert.equal(again.state, 'done', again.error);
  assert.equal(again.result?.created, false);
  assert.equal(again.result?.digest, a.manifestDigest);
  assert.equal(await pushedEvents(admin, a.manifestDigest), 1);

  // A broken image (its config blob damaged in the registry's storage): a failed job naming it; the server goes on.
  const c = await image('c');
  push(c, 'scout/c:1');
  const hex = c.configDigest.slice('sha256:'.length);
  const blob = join(reg.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  writeFileSync(blob, Buffer.alloc(readFileSync(blob).length, 0x20));
  const broken = await finished(admin, (await call<JobView>(admin, 'POST', '/v1/images/analyze', { reference: `${reg.host}/scout/c:1`, platform: 'linux/arm64' })).body.id);
  assert.equal(broken.state, 'failed');
  assert.equal(broken.attempts, 1, 'a broken image is not retried');
  assert.match(broken.error ?? '', new RegExp(`^${reg.host}/scout/c:1: .*config: digest mismatch: expected ${c.configDigest}.*\\(digest-mismatch\\)$`));
  assert.equal(broken.result, undefined);
  assert.equal((await call(admin, 'GET', `/v1/images/${c.manifestDigest}`)).status, 404);
  const next = await image('d');
  push(next, 'scout/d:1');
  const fine = await finished(admin, (await call<JobView>(admin, 'POST', '/v1/images/analyze', { reference: `${reg.host}/scout/d:1`, platform: 'linux/arm64' })).body.id);
  assert.equal(fine.state, 'done', fine.error);
}

test('refused up front: a registry the server was not allowed, a reference that is not a registry image, a read token, no such job', async (t) => {
  await setUp(t, 'sqlite');
  const refused = await call<{ code: string; message: string }>(admin, 'POST', '/v1/images/analyze', { reference: '127.0.0.1:9/scout/a:1' });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.code, 'registry-not-allowed');
  assert.equal(refused.body.message, `registry 127.0.0.1:9 is not one this server may pull from (it allows ${reg.host}; its operator allows more with scout server --analyze-registry HOST or SCOUT_ANALYZE_REGISTRIES)`);
  // Docker Hub is a registry like any other: not allowed unless named.
  assert.equal((await call<{ code: string }>(admin, 'POST', '/v1/images/analyze', { reference: 'alpine:3.20' })).body.code, 'registry-not-allowed');
  for (const reference of ['oci:///etc', 'docker-archive:///etc/passwd', 'image://alpine']) {
    const r = await call<{ code: string; message: string }>(admin, 'POST', '/v1/images/analyze', { reference });
    assert.equal(r.status, 400, reference);
    assert.equal(r.body.code, 'bad-reference', reference);
  }
  const other = server.platform.forOrg(await server.platform.ensureOrg('other'));
  const { token: reader } = await other.createToken('reader', 'read');
  assert.equal((await call(reader, 'POST', '/v1/images/analyze', { reference: `${reg.host}/scout/a:1` })).status, 403);
  assert.equal((await call(admin, 'GET', '/v1/jobs/0190aaaa-0000-7000-8000-000000000000')).status, 404);
  const { body: jobs } = await call<{ items: unknown[] }>(admin, 'GET', '/v1/events?limit=10');
  assert.deepEqual(jobs.items, [], 'nothing was queued or stored');
});

test('scout watch --server-side: new images are analysed by the server, as a local watch stores them; an image for other platforms is passed over', async (t) => {
  await setUp(t, 'sqlite');
  const w = await image('w');
  push(w, 'scout/w:1');
  const amd = await buildImage({ architecture: 'amd64', layers: [{ 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' }], labels: { n: 'amd' } });
  push(amd, 'scout/w:amd64');
  const env = { SCOUT_SERVER: server.url, SCOUT_TOKEN: admin, SCOUT_CACHE_DIR: tempDir(), SCOUT_CONFIG_DIR: tempDir(), DOCKER_CONFIG: tempDir() };
  const watch = async (...args: string[]) => {
    const r = await scoutAsync(['watch', '--registry', reg.url, '--platform', 'linux/arm64', '--server-side', '--format', 'json', ...args], env);
    return { ...r, result: JSON.parse(r.stdout || '{}') as { stored: { repository: string; tags: string[]; digest: string; packages: number }[]; skipped: { what: string; why: string }[]; failures: unknown[]; unchanged: number } };
  };
  const first = await watch();
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.result.failures, []);
  assert.deepEqual(first.result.stored.map((s) => [s.repository, s.tags.join(','), s.digest, s.packages]), [[`${reg.host}/scout/w`, '1', w.manifestDigest, 2]]);
  assert.deepEqual(first.result.skipped.map((s) => s.what), [`${reg.host}/scout/w:amd64@${amd.manifestDigest}`]);
  assert.match(first.result.skipped[0].why, /no image for platform linux\/arm64/);
  assert.equal(await pushedEvents(admin, w.manifestDigest), 1);
  assert.deepEqual((await packagesOf(admin, w.manifestDigest)).map((p) => p.split(' ')[1]), ['libssl3', 'w']);
  // The next pass: nothing new (the server holds it), nothing analysed.
  const second = await watch();
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual([second.result.stored, second.result.failures, second.result.unchanged], [[], [], 1]);
  const both = await scoutAsync(['watch', '--registry', reg.url, '--server-side', '--secrets'], env);
  assert.equal(both.code, 1);
  assert.match(both.stderr, /--server-side stores no secret scan/);
});

test('scout push --server-side: the server analyses the registry image, the push waits for it and prints what a local push prints', async (t) => {
  await setUp(t, 'sqlite');
  const p = await image('p');
  push(p, 'scout/p:1');
  const ref = `registry://${reg.host}/scout/p:1`;
  const env = { SCOUT_SERVER: server.url, SCOUT_TOKEN: admin, SCOUT_CACHE_DIR: tempDir(), SCOUT_CONFIG_DIR: tempDir(), DOCKER_CONFIG: tempDir(), SCOUT_REGISTRY_USER: '', SCOUT_REGISTRY_PASSWORD: '' };
  const lines = (stdout: string) => stdout.trimEnd().split('\n');

  const first = await scoutAsync(['push', ref, '--server-side', '--platform', 'linux/arm64'], env);
  assert.equal(first.code, 0, first.stderr);
  const [head, ...summary] = lines(first.stdout);
  assert.equal(head, `Pushed: ${server.url}`);
  assert.equal(summary[0], `  digest         ${p.manifestDigest}`);
  assert.equal(await pushedEvents(admin, p.manifestDigest), 1, 'stored once, with its image.pushed event');
  assert.deepEqual((await packagesOf(admin, p.manifestDigest)).map((x) => x.split(' ')[1]), ['libssl3', 'p']);

  // The same image pushed from here: already stored, and the summary is the same, line for line.
  const local = await scoutAsync(['push', ref, '--platform', 'linux/arm64'], env);
  assert.equal(local.code, 0, local.stderr);
  const [localHead, ...localSummary] = lines(local.stdout);
  assert.equal(localHead, `Already stored (marked seen): ${server.url}`);
  assert.deepEqual(summary, localSummary);

  // Server-side again, filed under another repository and tag: nothing stored twice, JSON as a push answers.
  const again = await scoutAsync(['push', ref, '--server-side', '--platform', 'linux/arm64', '--repository', 'team/p', '--tag', 'stable', '--format', 'json'], env);
  assert.equal(again.code, 0, again.stderr);
  const reply = JSON.parse(again.stdout) as { created: boolean; image: { digest: string; repository: string; tags: string[] } };
  assert.deepEqual([reply.created, reply.image.digest], [false, p.manifestDigest]);
  assert.equal(await pushedEvents(admin, p.manifestDigest), 1);
  const tags = await call<{ items: { tag: string; digest: string }[] }>(admin, 'GET', `/v1/repositories/${encodeURIComponent('team/p')}/tags`);
  assert.deepEqual(tags.body.items.map((x) => [x.tag, x.digest]), [['stable', p.manifestDigest]]);

  // What the server would refuse, and what only a local analysis does, say why (exit 1).
  const elsewhere = await scoutAsync(['push', 'registry://127.0.0.1:1/scout/p:1', '--server-side'], env);
  assert.equal(elsewhere.code, 1);
  assert.match(elsewhere.stderr, /registry 127\.0\.0\.1:1 is not one this server may pull from/);
  const failed = await scoutAsync(['push', `registry://${reg.host}/scout/missing:1`, '--server-side', '--platform', 'linux/arm64'], env);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /scout\/missing/, 'the failed job says which image');
  const secrets = await scoutAsync(['push', ref, '--server-side', '--secrets'], env);
  assert.equal(secrets.code, 1);
  assert.match(secrets.stderr, /--server-side stores no secret scan/);
});

/**
 * A proxy in front of the registry that holds the first request for any of `blobs` unanswered
 * (the moment the test kills the worker that made it) and forwards everything else.
 */
async function stallingProxy(t: TestContext, blobs: readonly string[]): Promise<{ host: string; stalled: Promise<void> }> {
  let held = false;
  let onStall: () => void = () => {};
  const stalled = new Promise<void>((r) => (onStall = r));
  const proxy = createServer((req, res) => {
    const digest = /\/blobs\/(sha256:[a-f0-9]{64})$/.exec(req.url ?? '')?.[1];
    if (!held && digest && blobs.includes(digest)) {
      held = true;
      onStall();
      return; // never answered
    }
    const out = httpRequest({ host: '127.0.0.1', port: reg.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => proxy.close(() => r())));
  proxy.unref();
  return { host: `127.0.0.1:${(proxy.address() as AddressInfo).port}`, stalled };
}

test('postgres: a worker killed in the middle of an analysis; another takes the job over and the image and its event are stored once', async (t) => {
  reg = await startRegistry();
  t.after(() => reg.stop());
  const k = await image('k');
  push(k, 'scout/k:1');
  const proxy = await stallingProxy(t, k.layers.map((l) => l.digest));
  // The server queues only: the workers run the jobs.
  server = await startTestServer(t, tempDir(), 'postgres', { analyzeRegistries: [proxy.host], runJobs: false });
  admin = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const dbLocation = JSON.stringify({ dataDir: tempDir(), database: server.location.database });
  const first = spawn(process.execPath, ['--import', 'tsx', 'test/server/analyze-worker-process.ts', dbLocation, proxy.host], { env: { ...process.env, SCOUT_CACHE_DIR: tempDir() }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => void first.kill('SIGKILL'));
  let firstOut = '';
  first.stdout.on('data', (c: Buffer) => (firstOut += c.toString()));
  first.stderr.on('data', (c: Buffer) => (firstOut += c.toString()));
  const queued = await call<JobView>(admin, 'POST', '/v1/images/analyze', { reference: `${proxy.host}/scout/k:1`, platform: 'linux/arm64' });
  assert.equal(queued.status, 202);
  await proxy.stalled;
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  assert.equal((await call<JobView>(admin, 'GET', `/v1/jobs/${queued.body.id}`)).body.state, 'running', `the dead worker still holds it: ${firstOut}`);
  const second = await startWorker({ location: { dataDir: tempDir(), database: server.location.database }, analyzeRegistries: [proxy.host], queue: { leaseMs: 1000, pollMs: 100 }, log: () => {} });
  t.after(() => second.close());
  const job = await finished(admin, queued.body.id);
  assert.equal(job.state, 'done', job.error);
  assert.equal(job.attempts, 2);
  assert.equal(job.result?.digest, k.manifestDigest);
  assert.equal(job.result?.created, true);
  assert.equal(await pushedEvents(admin, k.manifestDigest), 1);
  assert.equal((await packagesOf(admin, k.manifestDigest)).length, 2);
});
