/**
 * `scout server` as a user starts it runs the platform's jobs: an advisory posted to the real
 * server is re-matched against the stored images, and the finding and its event appear.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scoutAsync, startTestServer } from '../helpers/platform-server.js';
import { DEMO_IMAGE } from '../helpers/sbom-of.js';
import { tempDir } from '../helpers/tmp.js';

test('scout server: POST /v1/advisories re-matches the stored demo image in process; the event and finding appear', async (t) => {
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const env = { SCOUT_CONFIG_DIR: tempDir(), SCOUT_CACHE_DIR: tempDir(), SCOUT_SERVER: server.url, SCOUT_TOKEN: token };
  const push = await scoutAsync(['push', DEMO_IMAGE, '--repository', 'demo/api', '--tag', '1.0'], env);
  assert.equal(push.code, 0, push.stderr);
  const api = (path: string, init: RequestInit = {}) => fetch(server.url + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

  const record = {
    schema_version: '1.6.0',
    id: 'SCOUT-SERVE-1',
    modified: new Date().toISOString(),
    aliases: ['CVE-2099-4242'],
    summary: 'lodash test vulnerability',
    database_specific: { severity: 'HIGH' },
    affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }],
  };
  const posted = await api('/v1/advisories', { method: 'POST', body: JSON.stringify([record]) });
  assert.equal(posted.status, 202, await posted.clone().text());

  // The job runs in the server's process; wait for its event (bounded), then read the finding.
  let kinds: string[] = [];
  for (let i = 0; i < 300 && !kinds.includes('vulnerability.new'); i++) {
    const events = (await (await api('/v1/events?vulnerability=CVE-2099-4242')).json()) as { items: { kind: string }[] };
    kinds = events.items.map((e) => e.kind);
    if (!kinds.includes('vulnerability.new')) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(kinds, ['vulnerability.new']);
  const vuln = await scoutAsync(['vuln', 'CVE-2099-4242'], env);
  assert.equal(vuln.code, 0, vuln.stderr);
  assert.match(vuln.stdout, /lodash@4\.17\.15/);
});
