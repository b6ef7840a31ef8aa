/**
 * An advisory sync on demand: POST /v1/advisories/sync (admin) queues a sync of the server's
 * configured sources (those of `scout db update`, read from its --advisory-mirror, a directory
 * here as on an air-gapped site) and answers with the job; GET /v1/jobs/{id} follows it to what
 * each source did, and what changed is re-matched against the stored images. `scout server db
 * sync` (the real CLI, a child process) does the same and waits. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultSources, osvSourceName } from '../../src/advisories/update/sources.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { scoutAsync, startTestServer, type TestServer } from '../helpers/platform-server.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { testOsv } from '../helpers/osv-record.js';
import { makeZip } from '../helpers/zip-writer.js';
import { tempDir } from '../helpers/tmp.js';

// The server resolves its sources as `scout db update` does, from this process's config
// directory: only npm's stays enabled (the mirror holds no other feed).
const configDir = tempDir();
process.env.SCOUT_CONFIG_DIR = configDir;
writeFileSync(join(configDir, 'sources.json'), JSON.stringify({ disable: defaultSources().filter((s) => s.enabled && s.name !== osvSourceName('npm')).map((s) => s.name) }));

interface Job {
  id: string;
  kind: string;
  state: string;
  sources?: string[];
  error?: string;
  result?: { sources: { name: string; status: string; counts?: { inserted: number }; reason?: string }[] };
}

async function api<T>(server: TestServer, token: string, method: string, path: string): Promise<{ status: number; body: T }> {
  const r = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, body: (await r.json()) as T };
}

async function finished(server: TestServer, token: string, id: string): Promise<Job> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { status, body } = await api<Job>(server, token, 'GET', `/v1/jobs/${id}`);
    assert.equal(status, 200, JSON.stringify(body));
    if (body.state === 'done' || body.state === 'failed') return body;
    if (Date.now() > deadline) throw new Error(`sync job ${id} still ${body.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openFindings(server: TestServer, vulnerability: string): Promise<string[]> {
  const rows = await server.platform.db.selectFrom('events').select('image_digest').where('kind', '=', 'vulnerability.new').where('vulnerability_id', '=', vulnerability).orderBy('image_digest').execute();
  return rows.map((r) => r.image_digest!);
}

for (const backend of BACKENDS) {
  test(`${backend}: POST /v1/advisories/sync syncs the configured sources now and re-matches; scout server db sync waits for it`, async (t) => {
    const mirror = tempDir();
    mkdirSync(join(mirror, 'npm'));
    const first = testOsv('SCOUT-NOW-1', 'CVE-2099-2001', '1.5.0', { modified: '2026-12-01T00:00:00Z' });
    writeFileSync(join(mirror, 'npm', 'all.zip'), makeZip([{ name: 'SCOUT-NOW-1.json', data: JSON.stringify(first) }]));
    const server = await startTestServer(t, tempDir(), backend, { advisoryMirror: mirror });
    const admin = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
    const org = server.platform.forOrg((await server.platform.listOrgs()).find((o) => o.name === 'default')!);
    const hit = (await org.putImage(uploadOf({ layers: ['now-1'], purls: ['pkg:npm/scout-test-pkg@1.0.0'], repository: 'shop/hit', tags: ['1'] }))).image.digest;
    await org.putImage(uploadOf({ layers: ['now-2'], purls: ['pkg:npm/scout-test-pkg@2.0.0'], repository: 'shop/fixed', tags: ['1'] }));

    // Not for a write token; another organisation's admin cannot see the job.
    const { token: writer } = await org.createToken('writer', 'write');
    assert.equal((await api(server, writer, 'POST', '/v1/advisories/sync')).status, 403);
    const { token: otherAdmin } = await server.platform.forOrg(await server.platform.ensureOrg('other')).createToken('other admin', 'admin');

    const queued = await api<Job>(server, admin, 'POST', '/v1/advisories/sync');
    assert.equal(queued.status, 202);
    assert.equal(queued.body.kind, 'advisory-sync');
    assert.deepEqual(queued.body.sources, ['osv-npm']);
    assert.equal((await api(server, otherAdmin, 'GET', `/v1/jobs/${queued.body.id}`)).status, 404);
    const done = await finished(server, admin, queued.body.id);
    assert.equal(done.state, 'done', done.error);
    assert.deepEqual(done.result?.sources.map((s) => [s.name, s.status, s.counts?.inserted]), [['osv-npm', 'ok', 1]]);
    assert.equal((await server.advisories.get('SCOUT-NOW-1'))?.id, 'SCOUT-NOW-1');
    // What changed was re-matched: only the image with the affected version has the finding.
    const deadline = Date.now() + 30_000;
    while (!(await openFindings(server, 'CVE-2099-2001')).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await openFindings(server, 'CVE-2099-2001'), [hit]);

    // Upstream changes; the CLI asks for a sync and waits for it.
    const second = testOsv('SCOUT-NOW-2', 'CVE-2099-2002', '3.0.0', { modified: '2026-12-02T00:00:00Z' });
    writeFileSync(join(mirror, 'npm', 'all.zip'), makeZip([{ name: 'SCOUT-NOW-1.json', data: JSON.stringify(first) }, { name: 'SCOUT-NOW-2.json', data: JSON.stringify(second) }]));
    const cli = await scoutAsync(['server', 'db', 'sync'], { SCOUT_SERVER: server.url, SCOUT_TOKEN: admin });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^advisory sync [0-9a-f-]{36}: done\n {2}osv-npm: ok \(1 new, 0 updated, 0 deleted, 1 unchanged\)\n?$/);
    assert.equal((await server.advisories.get('SCOUT-NOW-2'))?.id, 'SCOUT-NOW-2');

    // A mirror that lost the feed: the job is done, the source failed, and the CLI says so (exit 1).
    writeFileSync(join(mirror, 'npm', 'all.zip'), 'not a zip');
    const broken = await scoutAsync(['server', 'db', 'sync', '--format', 'json'], { SCOUT_SERVER: server.url, SCOUT_TOKEN: admin });
    assert.equal(broken.code, 1, broken.stderr);
    const job = JSON.parse(broken.stdout) as Job;
    assert.equal(job.state, 'done');
    assert.equal(job.result?.sources[0].status, 'failed');
    assert.ok(job.result?.sources[0].reason, 'the failed source says why');
    // Still there: a failed sync deletes nothing.
    assert.equal((await server.advisories.get('SCOUT-NOW-2'))?.id, 'SCOUT-NOW-2');
  });
}

for (const backend of BACKENDS) {
  test(`${backend}: scout server --advisory-sync runs the first sync at start from --advisory-mirror and queues the next one an interval later`, async (t) => {
    const mirror = tempDir();
    mkdirSync(join(mirror, 'npm'));
    const record = testOsv('SCOUT-SCHED-1', 'CVE-2099-2101', '1.5.0', { modified: '2026-12-01T00:00:00Z' });
    writeFileSync(join(mirror, 'npm', 'all.zip'), makeZip([{ name: 'SCOUT-SCHED-1.json', data: JSON.stringify(record) }]));
    const started = Date.now();
    const server = await startTestServer(t, tempDir(), backend, { advisoryMirror: mirror, advisorySync: { intervalMs: 3_600_000 } });
    const syncs = () => server.platform.db.selectFrom('jobs' as never).select(['state' as never, 'run_at' as never]).where('name' as never, '=', 'advisory-sync' as never).orderBy('id' as never).execute() as Promise<{ state: string; run_at: number | string }[]>;
    const deadline = Date.now() + 60_000;
    while (!(await syncs()).some((s) => s.state === 'done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [first, next, ...more] = await syncs();
    assert.deepEqual([first?.state, next?.state, more.length], ['done', 'ready', 0], 'one sync done at start, the next one waiting');
    assert.ok(Number(next.run_at) >= started + 3_600_000, `the next sync is due an interval after the first (${Number(next.run_at) - started} ms after start)`);
    // From the mirror, not the public feeds (unreachable here): its one record is stored.
    assert.equal((await server.advisories.get('SCOUT-SCHED-1'))?.id, 'SCOUT-SCHED-1');
  });
}
