/**
 * A re-match never pulls an image again (issue #12): the server analyses an image from a real
 * registry (docker-registry on loopback, reached through a proxy that records every request),
 * then an advisory naming one of its packages arrives; the re-match opens the finding, its
 * event and the image's new policy verdict from what the server stored, and the registry sees
 * not one request. On both backends.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { sql } from 'kysely';
import type { ScoutEvent } from '../../src/notify/events.js';
import { startCountingProxy } from '../helpers/counting-proxy.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { testOsv } from '../helpers/osv-record.js';
import { BACKENDS, type Backend } from '../helpers/platform-db.js';
import { startTestServer, type TestServer } from '../helpers/platform-server.js';
import { startRegistry } from '../helpers/registry-server.js';
import { tempDir } from '../helpers/tmp.js';

async function call<T>(server: TestServer, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as T };
}

/** Waits (bounded, never timed) until no job of the server is waiting, running or due again. */
async function jobsSettled(server: TestServer): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const { rows } = await sql<{ n: number | string }>`SELECT count(*) AS n FROM jobs WHERE state IN ('ready', 'active', 'retry')`.execute(server.platform.db);
    if (Number(rows[0].n) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('the server\'s jobs did not settle');
}

async function story(t: TestContext, backend: Backend): Promise<void> {
  const reg = await startRegistry();
  t.after(() => reg.stop());
  const proxy = await startCountingProxy(reg.port);
  t.after(() => proxy.close());
  const server = await startTestServer(t, tempDir(), backend, { analyzeRegistries: [proxy.host] });
  const admin = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();

  const image = await buildImage({
    architecture: 'amd64',
    // A layer no earlier run has seen (none left it in a cache), so the analysis must pull it.
    layers: [{ 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' }, { 'app/node_modules/scout-test-pkg/package.json': JSON.stringify({ name: 'scout-test-pkg', version: '1.0.0', license: 'MIT' }), 'app/build.txt': `${backend} ${randomUUID()}` }],
  });
  const layout = tempDir();
  writeOciLayout(layout, [{ images: [image], refName: 'x' }]);
  reg.push(layout, 'x', 'scout/app:1');

  // The server pulls it through the proxy: the proxy sees the pull.
  const queued = await call<{ id: string }>(server, admin, 'POST', '/v1/images/analyze', { reference: `${proxy.host}/scout/app:1`, platform: 'linux/amd64' });
  assert.equal(queued.status, 202, JSON.stringify(queued.body));
  await jobsSettled(server);
  const stored = await call<{ digest: string; policy?: { status: string } }>(server, admin, 'GET', `/v1/images/${image.manifestDigest}`);
  assert.equal(stored.status, 200, JSON.stringify(stored.body));
  assert.ok(proxy.requests.some((r) => r === `GET /v2/scout/app/blobs/${image.layers[1].digest}`), `the analysis pulled the layer through the proxy: ${proxy.requests.join(', ')}`);
  const before = (await call<{ current: { results: { id: string; status: string }[] } }>(server, admin, 'GET', `/v1/images/${image.manifestDigest}/policy`)).body.current.results.find((r) => r.id === 'no-fixable-critical-high');
  assert.equal(before?.status, 'pass');

  // A new advisory naming the image's package: the re-match opens the finding and judges the
  // policies again, with no request to the registry.
  proxy.requests.length = 0;
  const posted = await call<{ rematchJob?: string }>(server, admin, 'POST', '/v1/advisories', [testOsv('SCOUT-TEST-1', 'CVE-2099-0001', '1.5.0', { database_specific: { severity: 'CRITICAL' } })]);
  assert.equal(posted.status, 202, JSON.stringify(posted.body));
  assert.ok(posted.body.rematchJob);
  await jobsSettled(server);
  const { rows } = await sql<{ state: string }>`SELECT state FROM jobs WHERE id = ${posted.body.rematchJob}`.execute(server.platform.db);
  assert.equal(rows[0]?.state, 'done');

  const findings = await call<{ items: { vulnerabilityId: string; packageName: string }[] }>(server, admin, 'GET', `/v1/images/${image.manifestDigest}/findings?limit=500`);
  assert.deepEqual(findings.body.items.map((f) => [f.vulnerabilityId, f.packageName]), [['CVE-2099-0001', 'scout-test-pkg']]);
  const events = await call<{ items: ScoutEvent[] }>(server, admin, 'GET', '/v1/events?vulnerability=CVE-2099-0001');
  assert.deepEqual(events.body.items.map((e) => [e.kind, e.image.digest]), [['vulnerability.new', image.manifestDigest]]);
  const after = (await call<{ current: { results: { id: string; status: string }[] } }>(server, admin, 'GET', `/v1/images/${image.manifestDigest}/policy`)).body.current.results.find((r) => r.id === 'no-fixable-critical-high');
  assert.equal(after?.status, 'fail', 'the policies were judged again on the stored facts');
  assert.deepEqual(proxy.requests, [], 'the re-match asked the registry nothing');
}

for (const backend of BACKENDS) {
  test(`${backend}: a re-match after a new advisory updates findings, events and policies without one request to the registry`, (t) => story(t, backend));
}
