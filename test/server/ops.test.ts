/**
 * Health, readiness and metrics of `scout server`: /healthz and /readyz on the API port (no
 * token), /metrics on its own listener (--metrics-port) with open findings per environment,
 * the queue's depth and the API's request durations by route pattern.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveServerLocation } from '../../src/server/location.js';
import { startServer } from '../../src/server/main.js';
import { OrgActivity } from '../../src/store/kysely/activity-store.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { tempDir } from '../helpers/tmp.js';

test('scout server: /healthz and /readyz on the API port; /metrics on the metrics port only, with findings per environment and request durations', async (t) => {
  const location = resolveServerLocation({ dataDir: tempDir() }, {});
  const server = await startServer({ location, host: '127.0.0.1', port: 0, metricsPort: 0, print: () => {}, logger: false });
  t.after(() => server.close());
  assert.ok(server.opsUrl);
  assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
  const ready = await fetch(`${server.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });
  assert.equal((await fetch(`${server.opsUrl}/readyz`)).status, 200);
  // Never on the API port (which answers the dashboard's page there when it is built, else 503).
  const apiMetrics = await fetch(`${server.url}/metrics`);
  assert.doesNotMatch(await apiMetrics.text(), /scout_findings_open|# TYPE/);

  // Two images with findings; one runs in production (in two workloads: counted once).
  const org = await server.platform.ensureOrg('acme');
  const a = await server.platform.forOrg(org).putImage(uploadOf({ layers: ['a'], purls: ['pkg:npm/x@1.0.0', 'pkg:npm/y@1.0.0'], findings: [['pkg:npm/x@1.0.0', 'CVE-2099-1', 'critical'], ['pkg:npm/y@1.0.0', 'CVE-2099-2', 'low']] }));
  await server.platform.forOrg(org).putImage(uploadOf({ layers: ['b'], purls: ['pkg:npm/x@1.0.0'], findings: [['pkg:npm/x@1.0.0', 'CVE-2099-1', 'critical']] }));
  const img = { ref: 'acme/a:1', digest: a.image.digest };
  await new OrgActivity(server.platform.db, org).applyInventory({ environment: 'production', cluster: 'c', observedAt: new Date().toISOString(), workloads: [{ namespace: 'n', name: 'w1', type: 'Deployment', images: [img] }, { namespace: 'n', name: 'w2', type: 'Deployment', images: [img] }] });
  await fetch(`${server.url}/v1/images/sha256:${'0'.repeat(64)}`);

  const res = await fetch(`${server.opsUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await res.text();
  assert.match(text, /^scout_findings_open\{org="acme",severity="critical"\} 2$/m);
  assert.match(text, /^scout_findings_open\{org="acme",severity="low"\} 1$/m);
  assert.match(text, /^scout_environment_findings_open\{org="acme",environment="production",severity="critical"\} 1$/m);
  assert.match(text, /^scout_environment_findings_open\{org="acme",environment="production",severity="low"\} 1$/m);
  // Every severity is reported, 0 included: a series that drops out looks like a scrape failure.
  assert.match(text, /^scout_findings_open\{org="acme",severity="medium"\} 0$/m);
  assert.match(text, /^scout_environment_findings_open\{org="acme",environment="production",severity="high"\} 0$/m);
  // Read from the counts stored on each image row (kept by push and re-match), not by grouping
  // the findings: a stored count is what the gauge says.
  await server.platform.db.updateTable('images').set({ open_medium: 7 }).where('id', '=', (await server.platform.db.selectFrom('images').select('id').where('digest', '=', a.image.digest).executeTakeFirstOrThrow()).id).execute();
  const again = await (await fetch(`${server.opsUrl}/metrics`)).text();
  assert.match(again, /^scout_findings_open\{org="acme",severity="medium"\} 7$/m);
  assert.match(again, /^scout_environment_findings_open\{org="acme",environment="production",severity="medium"\} 7$/m);
  assert.match(text, /^scout_http_request_duration_seconds_count\{method="GET",route="\/readyz",status="200"\} 1$/m);
  // The route pattern, not the URL: no digest in any label.
  assert.match(text, /^scout_http_request_duration_seconds_count\{method="GET",route="\/v1\/images\/:digest",status="401"\} 1$/m);
  assert.doesNotMatch(text, /sha256:0000/);
  assert.match(text, /^scout_process_resident_memory_bytes \d+/m);
  assert.equal((await fetch(`${server.opsUrl}/nothing`)).status, 404);
});

test('scout server --no-jobs is refused on SQLite, where no worker could run them', async () => {
  const location = resolveServerLocation({ dataDir: tempDir() }, {});
  await assert.rejects(startServer({ location, host: '127.0.0.1', port: 0, runJobs: false, print: () => {}, logger: false }), /--no-jobs needs PostgreSQL/);
});
