/**
 * The scheduled advisory sync: the server's advisory database follows the `scout db update`
 * sources from a mirror, an HTTP one or a directory (air-gapped), as a job of the queue, and
 * every change re-matches the stored images: a first snapshot (all.zip) opens findings, an
 * incremental update (modified_id.csv + <ID>.json) adds and withdraws them. On PostgreSQL two
 * job runners (two servers, or workers) state the schedule: one sync job, run once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openPlatformJobs, type PlatformJobs } from '../../src/jobs/platform-jobs.js';
import { mirrorBase, mirrorUrl, osvSource } from '../../src/advisories/update/sources.js';
import { BACKENDS } from '../helpers/platform-db.js';
import { testServerStores } from '../helpers/platform-app.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { testOsv } from '../helpers/osv-record.js';
import { makeZip } from '../helpers/zip-writer.js';
import { tempDir } from '../helpers/tmp.js';

/** A directory laid out as osv.dev is (npm/all.zip, npm/modified_id.csv, npm/<ID>.json). */
function writeMirror(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, 'npm'), { recursive: true });
    writeFileSync(join(dir, 'npm', name), data);
  }
}

/** The same directory over HTTP: what a site-internal mirror serves. */
async function serveDirectory(dir: string, t: { after: (fn: () => Promise<void>) => void }): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    try {
      const body = readFileSync(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/mirror\//, '')));
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`, paths };
}

async function waitForSyncs(jobs: PlatformJobs, done: number): Promise<void> {
  const db = jobs.queue as unknown as { db: import('kysely').Kysely<import('../../src/jobs/schema.js').JobsDatabase> };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await db.db.selectFrom('jobs').select('state').where('name', '=', 'advisory-sync').where('state', 'in', ['done', 'failed']).execute();
    if (rows.length >= done) {
      assert.deepEqual(rows.map((r) => r.state), Array(done).fill('done'));
      break;
    }
    if (Date.now() > deadline) throw new Error(`${rows.length} of ${done} advisory syncs finished`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await jobs.queue.idle(['rematch', 'deliver-webhook'], 60_000);
}

const cases = BACKENDS.flatMap((backend) => (['http', 'directory'] as const).map((mirror) => ({ backend, mirror })));

for (const { backend, mirror } of cases) {
  test(`${backend}, ${mirror} mirror: a scheduled sync imports the snapshot, then the changes, and each re-matches the stored images`, async (t) => {
    const { location, dataDir, platform, advisories } = await testServerStores(backend, t);
    const acme = await platform.ensureOrg('acme');
    const org = platform.forOrg(acme);
    const digests: string[] = [];
    for (let i = 0; i < 4; i++) {
      const purl = i < 2 ? 'pkg:npm/scout-test-pkg@1.0.0' : i === 2 ? 'pkg:npm/scout-test-pkg@2.0.0' : 'pkg:npm/other@1.0.0';
      digests.push((await org.putImage(uploadOf({ layers: [`sync-${i}`], purls: [purl], repository: `shop/s${i}`, tags: ['1'] }))).image.digest);
    }
    const affected = digests.slice(0, 2).sort();

    const dir = tempDir();
    const first = testOsv('SCOUT-SYNC-1', 'CVE-2099-1001', '1.5.0', { modified: '2026-12-01T00:00:00Z' });
    writeMirror(dir, { 'all.zip': makeZip([{ name: 'SCOUT-SYNC-1.json', data: JSON.stringify(first) }]) });
    const served = mirror === 'http' ? await serveDirectory(dir, t) : undefined;
    const base = served ? served.url : mirrorBase(dir)!;
    assert.equal(mirror === 'directory' ? base : undefined, mirror === 'directory' ? pathToFileURL(dir).toString() : undefined);
    const sources = [{ ...osvSource('npm'), url: mirrorUrl(osvSource('npm').url, base) }];

    // Two runners state the same schedule (two servers, or a server and a worker): one job waits.
    const runners: PlatformJobs[] = [];
    for (let i = 0; i < (backend === 'postgres' ? 2 : 1); i++) {
      const lines: string[] = [];
      const jobs = await openPlatformJobs({ db: platform.db, location, advisories, feedsDir: join(dataDir, `feeds-${i}`), queue: { pollMs: 20 }, log: (l) => lines.push(l) });
      runners.push(jobs);
      t.after(() => jobs.stop());
      await jobs.scheduleAdvisorySync({ sources, intervalMs: 3_600_000 });
    }
    const scheduled = () => platform.db.selectFrom('jobs' as never).select(['id' as never, 'run_at' as never]).where('name' as never, '=', 'advisory-sync' as never).where('state' as never, '=', 'ready' as never).execute() as Promise<{ id: string; run_at: number | string }[]>;
    assert.equal((await scheduled()).length, 1);
    for (const r of runners) await r.start();

    // The first sync: no cursor yet, so the whole snapshot; every npm package is re-matched.
    await waitForSyncs(runners[0], 1);
    const events = async (kind: string) => (await platform.db.selectFrom('events').select(['image_digest', 'vulnerability_id']).where('kind', '=', kind).orderBy('image_digest').execute()).map((e) => `${e.image_digest} ${e.vulnerability_id}`);
    assert.deepEqual(await events('vulnerability.new'), affected.map((d) => `${d} CVE-2099-1001`));
    assert.equal((await advisories.get('SCOUT-SYNC-1'))?.id, 'SCOUT-SYNC-1');
    // The next run waits an interval later, once.
    const next = await scheduled();
    assert.equal(next.length, 1);
    assert.ok(Number(next[0].run_at) > Date.now() + 3_500_000);

    // Upstream: a new record, and the first one withdrawn; a change list names both.
    const second = testOsv('SCOUT-SYNC-2', 'CVE-2099-1002', '3.0.0', { modified: '2026-12-03T00:00:00Z' });
    const withdrawn = { ...first, modified: '2026-12-04T00:00:00Z', withdrawn: '2026-12-04T00:00:00Z' };
    writeMirror(dir, {
      'modified_id.csv': '2026-12-04T00:00:00Z,SCOUT-SYNC-1\n2026-12-03T00:00:00Z,SCOUT-SYNC-2\n',
      'SCOUT-SYNC-1.json': JSON.stringify(withdrawn),
      'SCOUT-SYNC-2.json': JSON.stringify(second),
    });
    await runners[0].queue.runNow(next[0].id);
    await waitForSyncs(runners[0], 2);
    // The incremental path: the change list and the two records, no snapshot again.
    if (served) assert.deepEqual(served.paths.slice(-3).sort(), ['/mirror/npm/SCOUT-SYNC-1.json', '/mirror/npm/SCOUT-SYNC-2.json', '/mirror/npm/modified_id.csv']);
    assert.deepEqual(await events('vulnerability.new'), [...affected.map((d) => `${d} CVE-2099-1001`), ...digests.slice(0, 3).map((d) => `${d} CVE-2099-1002`)].sort());
    assert.deepEqual(await events('vulnerability.withdrawn'), affected.map((d) => `${d} CVE-2099-1001`));
    for (const d of affected) {
      const f = (await org.imageFindings(d, {}))!.items;
      assert.deepEqual(f.map((x) => [x.vulnerabilityId, Boolean(x.withdrawnAt)]).sort(), [['CVE-2099-1001', true], ['CVE-2099-1002', false]]);
    }

    // A third run with nothing new upstream changes nothing and queues no re-match.
    const rematches = async () => (await platform.db.selectFrom('jobs' as never).select('id' as never).where('name' as never, '=', 'rematch' as never).execute()).length;
    const before = await rematches();
    await runners[0].queue.runNow((await scheduled())[0].id);
    await waitForSyncs(runners[0], 3);
    assert.equal(await rematches(), before);
    // One sync job at a time, each run once: three done, one waiting.
    const all = await platform.db.selectFrom('jobs' as never).select(['state' as never, 'attempts' as never]).where('name' as never, '=', 'advisory-sync' as never).orderBy('id' as never).execute();
    assert.deepEqual(all, [...Array(3).fill({ state: 'done', attempts: 1 }), { state: 'ready', attempts: 0 }]);

    // A server started without --advisory-sync removes the schedule.
    await runners[0].scheduleAdvisorySync(undefined);
    assert.equal((await scheduled()).length, 0);
  });
}
