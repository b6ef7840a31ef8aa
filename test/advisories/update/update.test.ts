import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SqliteAdvisoryStore } from '../../../src/store/sqlite/sqlite-store.js';
import { resolveSources, type SourceSpec } from '../../../src/advisories/update/sources.js';
import { updateDatabase, type UpdateOptions } from '../../../src/advisories/update/update.js';
import { Warnings } from '../../../src/util/errors.js';
import { makeZip } from '../../helpers/zip-writer.js';
import { FeedServer } from './feed-server.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'advisories-update');

type Raw = { id: string; modified: string; summary?: string; affected: { package: { ecosystem: string; name: string } }[] };

/** The fixture records, read with plain JSON.parse (independently of the importers). */
function npmRecords(): { raw: Raw; text: string }[] {
  return readFileSync(join(FIXTURES, 'npm.osv.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((text) => ({ raw: JSON.parse(text) as Raw, text }));
}

function allZip(records: { raw: Raw; text: string }[]): Buffer {
  return makeZip(records.map((r) => ({ name: `${r.raw.id}.json`, data: r.text })));
}

function newest(records: { raw: Raw }[]): string {
  return records.map((r) => r.raw.modified).sort().at(-1)!;
}

interface Env {
  server: FeedServer;
  store: SqliteAdvisoryStore;
  sources: SourceSpec[];
  opts: UpdateOptions;
  dir: string;
  pick: (...names: string[]) => SourceSpec[];
}

async function setup(t: { after: (fn: () => Promise<void> | void) => void }): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'scout-update-'));
  const server = await new FeedServer().start();
  const store = new SqliteAdvisoryStore(join(dir, 'advisories.db'));
  t.after(async () => {
    await store.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  // The default sources, pointed at the local server the way an air-gapped mirror is.
  const sources = resolveSources({ env: { SCOUT_ADVISORY_MIRROR: server.origin, SCOUT_CONFIG_DIR: join(dir, 'no-config') } });
  const opts: UpdateOptions = { workDir: join(dir, 'work'), fetch: { retries: 2, retryDelayMs: 1, idleTimeoutMs: 5000 } };
  const pick = (...names: string[]) => names.map((n) => sources.find((s) => s.name === n)!);
  return { server, store, sources, opts, dir, pick };
}

const KEV_PATH = '/sites/default/files/feeds/known_exploited_vulnerabilities.json';

test('full import from all.zip through the mirror: every record stored as published, cursor = newest modified', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const recs = npmRecords().slice(0, 5);
  server.files.set('/npm/all.zip', { body: allZip(recs), etag: '"zip-1"' });

  const result = await updateDatabase(store, pick('osv-npm'), opts);

  assert.equal(result.ok, true);
  const [r] = result.sources;
  assert.equal(r.status, 'ok', r.reason);
  assert.equal(r.mode, 'replace');
  assert.deepEqual(r.counts, { inserted: 5, updated: 0, unchanged: 0, deleted: 0 });
  assert.equal(r.bytes, server.files.get('/npm/all.zip')!.body.length);
  assert.deepEqual(server.takePaths(), ['/npm/all.zip']);
  for (const { raw } of recs) {
    const got = await store.get(raw.id);
    assert.ok(got, raw.id);
    assert.equal(got.modified, raw.modified);
    assert.equal(got.source, 'osv-npm');
    const pkg = raw.affected[0].package;
    assert.ok((await store.lookup(pkg.ecosystem, pkg.name)).some((a) => a.id === raw.id), `${raw.id} found by ${pkg.name}`);
  }
  const st = (await store.status()).sources.find((s) => s.name === 'osv-npm');
  assert.equal(st?.lastModified, newest(recs));
  assert.equal(st?.count, 5);
  assert.equal(r.lastModified, newest(recs));
});

test('incremental update: only records listed after the cursor in modified_id.csv are fetched and merged', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const all = npmRecords();
  const initial = all.slice(0, 5);
  server.files.set('/npm/all.zip', { body: allZip(initial) });
  assert.equal((await updateDatabase(store, pick('osv-npm'), opts)).sources[0].status, 'ok');
  server.takePaths();
  const cursor = newest(initial);

  // Upstream changes one record and publishes a new one, both after the cursor.
  const changedRaw = { ...initial[1].raw, modified: '2026-09-11T08:00:00.123456789Z', summary: 'Summary revised upstream' };
  const added = all[5];
  const addedRaw = { ...added.raw, modified: '2026-09-11T09:30:00.5Z' };
  const csv = [
    `${addedRaw.modified},${addedRaw.id}`,
    `${changedRaw.modified},${changedRaw.id}`,
    ...initial.map((r) => `${r.raw.modified},${r.raw.id}`).sort().reverse(),
  ].join('\n') + '\n';
  server.files.set('/npm/modified_id.csv', { body: Buffer.from(csv), etag: '"csv-1"' });
  // Every record is served, so fetching too much would be possible (and seen).
  for (const r of [...initial, added]) server.files.set(`/npm/${r.raw.id}.json`, { body: Buffer.from(r.text) });
  server.files.set(`/npm/${changedRaw.id}.json`, { body: Buffer.from(JSON.stringify(changedRaw)) });
  server.files.set(`/npm/${addedRaw.id}.json`, { body: Buffer.from(JSON.stringify(addedRaw)) });

  const result = await updateDatabase(store, pick('osv-npm'), opts);
  const [r] = result.sources;
  assert.equal(r.status, 'ok', r.reason);
  assert.equal(r.mode, 'merge');
  assert.equal(r.fetched, 2);
  assert.deepEqual(r.counts, { inserted: 1, updated: 1, unchanged: 0, deleted: 0 });
  assert.deepEqual(server.takePaths().sort(), ['/npm/modified_id.csv', `/npm/${addedRaw.id}.json`, `/npm/${changedRaw.id}.json`].sort());
  assert.equal((await store.get(changedRaw.id))?.summary, 'Summary revised upstream');
  assert.equal((await store.get(addedRaw.id))?.modified, addedRaw.modified);
  // Untouched records are still there (merge deletes nothing).
  for (const x of initial) assert.ok(await store.get(x.raw.id), x.raw.id);
  const st = (await store.status()).sources.find((s) => s.name === 'osv-npm');
  assert.equal(st?.count, 6);
  assert.ok(cursor < addedRaw.modified);
  assert.equal(st?.lastModified, addedRaw.modified);

  // Same list again, but the server does not support ETags this time: nothing is newer than the cursor.
  server.files.set('/npm/modified_id.csv', { body: Buffer.from(csv) });
  const again = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(again.sources[0].status, 'unchanged');
  assert.match(again.sources[0].reason ?? '', /no record modified after/);
  assert.deepEqual(server.takePaths(), ['/npm/modified_id.csv']);
});

test('ETag: an unchanged change list and an unchanged KEV catalog cost one 304 each; a fresh database asks unconditionally', async (t) => {
  const { server, store, opts, pick, dir } = await setup(t);
  const recs = npmRecords().slice(0, 3);
  server.files.set('/npm/all.zip', { body: allZip(recs) });
  server.files.set('/npm/modified_id.csv', { body: Buffer.from(recs.map((r) => `${r.raw.modified},${r.raw.id}`).join('\n')), etag: '"csv-7"' });
  const kev = readFileSync(join(FIXTURES, 'cisa-kev.json'));
  server.files.set(KEV_PATH, { body: kev, etag: '"kev-2025.08.25"', lastModified: 'Mon, 25 Aug 2025 17:05:00 GMT' });

  const first = await updateDatabase(store, pick('osv-npm', 'cisa-kev'), opts);
  assert.deepEqual(first.sources.map((s) => s.status), ['ok', 'ok']);
  assert.equal(first.sources[1].counts?.inserted, 3);
  assert.equal((await store.kev(['CVE-2021-44228'])).get('CVE-2021-44228')?.dateAdded, '2021-12-10');
  server.takePaths();

  // Second run: the change list is fetched (a cursor exists; all.zip was imported without it)
  // and lists nothing newer; the KEV catalog is not modified.
  const second = await updateDatabase(store, pick('osv-npm', 'cisa-kev'), opts);
  assert.deepEqual(second.sources.map((s) => s.status), ['unchanged', 'unchanged']);
  assert.match(second.sources[0].reason ?? '', /no record modified after/);
  assert.deepEqual(server.seen.map((s) => [s.path, s.status]), [['/npm/modified_id.csv', 200], [KEV_PATH, 304]]);
  assert.equal(server.seen[0].headers['if-none-match'], undefined);
  assert.equal(server.seen[1].headers['if-none-match'], '"kev-2025.08.25"');
  assert.equal(server.seen[1].headers['if-modified-since'], 'Mon, 25 Aug 2025 17:05:00 GMT');
  assert.equal((await store.status()).kev, 3);
  server.takePaths();

  // Third run: now the change list's ETag is known too.
  const third = await updateDatabase(store, pick('osv-npm', 'cisa-kev'), opts);
  assert.deepEqual(third.sources.map((s) => s.status), ['unchanged', 'unchanged']);
  assert.match(third.sources[0].reason ?? '', /modified_id\.csv not modified/);
  assert.deepEqual(server.seen.map((s) => [s.path, s.status]), [['/npm/modified_id.csv', 304], [KEV_PATH, 304]]);
  assert.equal(server.seen[0].headers['if-none-match'], '"csv-7"');
  assert.equal((await store.status()).advisories, 3);
  server.takePaths();

  // A new, empty database with the same work dir: the saved ETag must not be sent (a 304
  // would leave the new database without KEV data).
  const fresh = new SqliteAdvisoryStore(join(dir, 'other.db'));
  t.after(() => fresh.close());
  const other = await updateDatabase(fresh, pick('cisa-kev'), opts);
  assert.equal(other.sources[0].status, 'ok');
  assert.equal(server.seen[0].headers['if-none-match'], undefined);
  assert.equal((await fresh.status()).kev, 3);
});

test('connection cut mid-body on every attempt: the source fails, the database keeps its data; the next run succeeds', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const all = npmRecords();
  const before = all.slice(0, 4);
  server.files.set('/npm/all.zip', { body: allZip(before) });
  assert.equal((await updateDatabase(store, pick('osv-npm'), opts)).sources[0].status, 'ok');
  server.takePaths();

  // A new snapshot without before[0] and with changes; no validator, so no resumption.
  const changed = { ...before[1].raw, summary: 'changed in the new snapshot' };
  const next = [before[1], before[2], before[3], all[4], all[5]].map((r) => (r === before[1] ? { raw: changed, text: JSON.stringify(changed) } : r));
  const body = allZip(next);
  server.files.set('/npm/all.zip', { body, cutAfter: { bytes: Math.floor(body.length / 2), times: 3 } });

  const failed = await updateDatabase(store, pick('osv-npm'), { ...opts, full: true });
  const [f] = failed.sources;
  assert.equal(failed.ok, false);
  assert.equal(f.status, 'failed');
  assert.equal(f.error?.code, 'download-network');
  assert.match(f.reason ?? '', /connection failed after \d+ bytes/);
  assert.equal(server.takePaths().length, 3, 'first attempt and two retries');
  // Previous contents intact: the record missing from the new snapshot, the old summary.
  assert.ok(await store.get(before[0].raw.id));
  assert.equal((await store.get(before[1].raw.id))?.summary, before[1].raw.summary);
  assert.equal(await store.get(all[5].raw.id), undefined);
  assert.equal((await store.status()).sources.find((s) => s.name === 'osv-npm')?.count, 4);

  const ok = await updateDatabase(store, pick('osv-npm'), { ...opts, full: true });
  assert.equal(ok.sources[0].status, 'ok', ok.sources[0].reason);
  assert.deepEqual(ok.sources[0].counts, { inserted: 2, updated: 1, unchanged: 2, deleted: 1 });
  assert.equal(await store.get(before[0].raw.id), undefined);
  assert.equal((await store.get(before[1].raw.id))?.summary, 'changed in the new snapshot');
});

test('an interrupted download with an ETag resumes with Range on the retry', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const recs = npmRecords();
  const body = allZip(recs);
  const cut = Math.floor(body.length / 3);
  server.files.set('/npm/all.zip', { body, etag: '"zip-r"', cutAfter: { bytes: cut, times: 1 } });

  const progress: { bytes: number; total?: number }[] = [];
  const result = await updateDatabase(store, pick('osv-npm'), { ...opts, onProgress: (e) => e.phase === 'download' && progress.push({ bytes: e.bytes, total: e.total }) });
  assert.equal(result.sources[0].status, 'ok', result.sources[0].reason);
  assert.equal(result.sources[0].counts?.inserted, recs.length);
  assert.equal(server.seen.length, 2);
  assert.equal(server.seen[0].headers.range, undefined);
  const range = /^bytes=(\d+)-$/.exec(server.seen[1].headers.range ?? '');
  assert.ok(range, 'second request asks for the rest');
  assert.ok(Number(range[1]) > 0 && Number(range[1]) <= cut);
  assert.equal(server.seen[1].headers['if-range'], '"zip-r"');
  assert.equal(server.seen[1].status, 206);
  assert.equal(progress.at(-1)?.bytes, body.length);
  assert.equal(progress.at(-1)?.total, body.length);
});

test('HTTP 500 twice, then success: retried within the run', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const recs = npmRecords().slice(0, 2);
  server.files.set('/npm/all.zip', { body: allZip(recs), failWith: { status: 500, times: 2 } });
  const result = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(result.sources[0].status, 'ok', result.sources[0].reason);
  assert.deepEqual(server.seen.map((s) => s.status), [500, 500, 200]);
  assert.equal((await store.status()).advisories, 2);

  // A 404 is not retried and fails the source.
  server.takePaths();
  server.files.delete('/npm/all.zip');
  const gone = await updateDatabase(store, pick('osv-npm'), { ...opts, full: true });
  assert.equal(gone.sources[0].status, 'failed');
  assert.match(gone.sources[0].reason ?? '', /HTTP 404/);
  assert.equal(server.seen.length, 1);
  assert.equal((await store.status()).advisories, 2);
});

test('hostile all.zip: bomb entries, garbage and non-OSV content fail the source with a reason and import nothing', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const recs = npmRecords();
  server.files.set('/npm/all.zip', { body: allZip(recs.slice(0, 3)) });
  assert.equal((await updateDatabase(store, pick('osv-npm'), opts)).sources[0].status, 'ok');
  const snapshot = async () => (await Promise.all(recs.map((r) => store.get(r.raw.id)))).map((a) => a && JSON.stringify(a));
  const before = await snapshot();
  const full = { ...opts, full: true };
  const zeros = Buffer.alloc(64 * 1024 * 1024);

  const cases: [string, Buffer, RegExp][] = [
    // Good records around an entry that honestly declares 64 MiB.
    ['declared bomb', makeZip([...recs.slice(3).map((r) => ({ name: `${r.raw.id}.json`, data: r.text })), { name: 'GHSA-bomb-bomb-bomb.json', data: zeros }]), /declares 67108864 bytes.*zip bomb/],
    // An entry that claims 100 bytes but inflates to 64 MiB: caught while reading, after good records were streamed.
    ['lying bomb', makeZip([...recs.slice(3).map((r) => ({ name: `${r.raw.id}.json`, data: r.text })), { name: 'GHSA-lies-lies-lies.json', data: zeros, declaredSize: 100 }]), /damaged or hostile archive entry GHSA-lies-lies-lies\.json/],
    ['html error page', Buffer.from('<!doctype html><title>Service Unavailable</title>'), /not a zip archive/],
    ['truncated zip', allZip(recs).subarray(0, 700), /truncated or not a zip/],
    ['zip of other JSON', makeZip([{ name: 'a.json', data: '{"hello":"world"}' }, { name: 'b.json', data: '[1,2,3]' }]), /no valid advisory/],
  ];
  for (const [what, body, reason] of cases) {
    server.files.set('/npm/all.zip', { body });
    const result = await updateDatabase(store, pick('osv-npm'), full);
    const [r] = result.sources;
    assert.equal(r.status, 'failed', what);
    assert.match(r.reason ?? '', reason, what);
    assert.deepEqual(await snapshot(), before, `${what}: database unchanged`);
    assert.equal((await store.status()).advisories, 3, what);
  }
});

test('one failing source does not stop the others; warnings name it', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  server.files.set('/npm/all.zip', { body: Buffer.from('garbage') });
  server.files.set(KEV_PATH, { body: readFileSync(join(FIXTURES, 'cisa-kev.json')) });
  const warnings = new Warnings();
  const result = await updateDatabase(store, pick('osv-npm', 'cisa-kev'), { ...opts, warnings });
  assert.equal(result.ok, false);
  assert.deepEqual(result.sources.map((s) => [s.name, s.status]), [['osv-npm', 'failed'], ['cisa-kev', 'ok']]);
  assert.equal(result.sources[1].lastModified, '2025-08-25T17:04:19.9796Z');
  assert.ok(warnings.items.some((w) => w.message.startsWith('osv-npm:') && /not a zip/.test(w.message)));
  assert.equal((await store.status()).kev, 3);
});

test('EPSS: a gzip cut short without Content-Length is refused by the integrity check; previous scores kept', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  // Illustrative rows in FIRST's format (scores are not FIRST's published values).
  const rows = ['#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z', 'cve,epss,percentile'];
  for (let i = 0; i < 2000; i++) rows.push(`CVE-2024-${String(10000 + i)},0.${String(i).padStart(5, '0')},0.5`);
  const gz = gzipSync(rows.join('\n') + '\n');
  server.files.set('/epss_scores-current.csv.gz', { body: gz });
  const first = await updateDatabase(store, pick('epss'), opts);
  assert.equal(first.sources[0].status, 'ok', first.sources[0].reason);
  assert.equal(first.sources[0].counts?.inserted, 2000);
  assert.equal(first.sources[0].lastModified, '2025-08-25');

  const next = gzipSync(rows.map((r) => r.replace(',0.5', ',0.6')).join('\n') + '\n');
  // Chunked and ended cleanly, but the gzip stream stops half way: only the importer can tell.
  server.files.set('/epss_scores-current.csv.gz', { body: next.subarray(0, Math.floor(next.length / 2)), chunked: true });
  const cut = await updateDatabase(store, pick('epss'), opts);
  assert.equal(cut.sources[0].status, 'failed');
  assert.equal(cut.sources[0].error?.code, 'feed-corrupt');
  const kept = await store.epss(['CVE-2024-10001']);
  assert.equal(kept.get('CVE-2024-10001')?.percentile, 0.5);
  assert.equal((await store.status()).epss, 2000);
});

test('incremental edge cases: fallbacks to all.zip, a record gone upstream, a record that keeps failing, a hostile change list', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const all = npmRecords();
  const initial = all.slice(0, 3);
  server.files.set('/npm/all.zip', { body: allZip(initial) });
  assert.equal((await updateDatabase(store, pick('osv-npm'), opts)).sources[0].status, 'ok');
  server.takePaths();
  const cursorBefore = newest(initial);
  const cursor = async () => (await store.status()).sources.find((s) => s.name === 'osv-npm')?.lastModified;

  // No change list on the mirror: the snapshot is downloaded instead.
  server.files.set('/npm/all.zip', { body: allZip(all.slice(0, 4)) });
  const noList = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(noList.sources[0].mode, 'replace');
  assert.deepEqual(noList.sources[0].counts, { inserted: 1, updated: 0, unchanged: 3, deleted: 0 });
  assert.deepEqual(server.takePaths(), ['/npm/modified_id.csv', '/npm/all.zip']);

  // More changes than maxIncremental: one archive beats many small requests.
  const bumped = all.map((r, i) => ({ ...r.raw, modified: `2026-10-01T00:00:0${i}Z` }));
  server.files.set('/npm/modified_id.csv', { body: Buffer.from(bumped.map((r) => `${r.modified},${r.id}`).reverse().join('\n')) });
  server.files.set('/npm/all.zip', { body: makeZip(bumped.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) }))) });
  const many = await updateDatabase(store, pick('osv-npm'), { ...opts, maxIncremental: 3 });
  assert.equal(many.sources[0].mode, 'replace');
  assert.equal(many.sources[0].counts?.inserted, 3);
  assert.deepEqual(server.takePaths(), ['/npm/modified_id.csv', '/npm/all.zip']);
  assert.equal(await cursor(), '2026-10-01T00:00:06Z');
  assert.ok(cursorBefore < '2026-10-01');

  // Two new changes; one record file is gone (404): the other is merged and the cursor moves past both.
  const a = { ...all[0].raw, modified: '2026-10-02T00:00:00Z', summary: 'second revision' };
  const gone = 'GHSA-0000-0000-0000';
  server.files.set('/npm/modified_id.csv', { body: Buffer.from(`2026-10-02T00:00:01Z,${gone}\n${a.modified},${a.id}\n`) });
  server.files.set(`/npm/${a.id}.json`, { body: Buffer.from(JSON.stringify(a)) });
  const partial = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(partial.sources[0].status, 'ok', partial.sources[0].reason);
  assert.deepEqual(partial.sources[0].counts, { inserted: 0, updated: 1, unchanged: 0, deleted: 0 });
  assert.equal(partial.sources[0].report?.reasons['record-missing'], 1);
  assert.equal(await cursor(), '2026-10-02T00:00:01Z');
  server.takePaths();

  // A record that fails on every attempt fails the source: nothing merged, cursor kept.
  const b = { ...all[1].raw, modified: '2026-10-03T00:00:00Z', summary: 'never arrives' };
  const c = { ...all[2].raw, modified: '2026-10-03T00:00:01Z', summary: 'arrives' };
  server.files.set('/npm/modified_id.csv', { body: Buffer.from(`${c.modified},${c.id}\n${b.modified},${b.id}\n`) });
  server.files.set(`/npm/${b.id}.json`, { body: Buffer.from(JSON.stringify(b)), failWith: { status: 502, times: 100 } });
  server.files.set(`/npm/${c.id}.json`, { body: Buffer.from(JSON.stringify(c)) });
  const stuck = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(stuck.sources[0].status, 'failed');
  assert.match(stuck.sources[0].reason ?? '', /HTTP 502/);
  assert.notEqual((await store.get(c.id))?.summary, 'arrives');
  assert.equal(await cursor(), '2026-10-02T00:00:01Z');
  server.takePaths();

  // A record file holding another id is not imported under the listed one.
  server.files.set(`/npm/${b.id}.json`, { body: Buffer.from(JSON.stringify(c)) });
  const swapped = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(swapped.sources[0].report?.reasons['id-mismatch'], 1);
  assert.equal((await store.get(b.id))?.summary, all[1].raw.summary);
  server.takePaths();

  // A change list of garbage, and ids that try to leave the directory.
  server.files.set('/npm/modified_id.csv', { body: Buffer.from('<html>\n<body>maintenance</body>\n') });
  const junk = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(junk.sources[0].status, 'failed');
  assert.match(junk.sources[0].reason ?? '', /not a modified_id\.csv/);
  server.takePaths();
  server.files.set('/npm/modified_id.csv', { body: Buffer.from('2026-11-01T00:00:00Z,..\n2026-11-01T00:00:00Z,%2e%2e%2fetc\n2026-11-01T00:00:00Z,a b\n') });
  const sneaky = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(sneaky.sources[0].status, 'failed');
  assert.deepEqual(server.takePaths(), ['/npm/modified_id.csv']);
});

test('whole documents: an Alpine secdb branch and the Debian tracker, stamped with the server Last-Modified; a broken next version keeps them', async (t) => {
  const { server, store, opts } = await setup(t);
  const secdb = JSON.parse(readFileSync(join(FIXTURES, 'alpine-secdb-community.json'), 'utf8')) as { distroversion: string; packages: { pkg: { name: string; secfixes: Record<string, string[]> } }[] };
  // secdb.alpinelinux.org serves pretty-printed documents.
  server.files.set('/v3.4/community.json', { body: Buffer.from(JSON.stringify(secdb, null, 4)), lastModified: 'Fri, 27 Dec 2024 10:00:00 GMT' });
  // Tracker shape with the openssh/curl fixes Debian published (see the shared debian-selected records).
  const tracker = {
    openssh: { 'CVE-2024-6387': { description: 'regreSSHion', releases: { bookworm: { status: 'resolved', repositories: { bookworm: '1:9.2p1-2+deb12u3' }, fixed_version: '1:9.2p1-2+deb12u3', urgency: 'not yet assigned' } } } },
    curl: { 'CVE-2023-38545': { description: 'SOCKS5 heap overflow', releases: { bullseye: { status: 'resolved', repositories: { bullseye: '7.74.0-1.3+deb11u10' }, fixed_version: '7.74.0-1.3+deb11u10', urgency: 'not yet assigned' }, bookworm: { status: 'resolved', repositories: { bookworm: '7.88.1-10+deb12u4' }, fixed_version: '7.88.1-10+deb12u4', urgency: 'not yet assigned' } } } },
  };
  server.files.set('/tracker/data/json', { body: Buffer.from(JSON.stringify(tracker)), lastModified: 'Sat, 05 Sep 2026 06:00:00 GMT', etag: '"trk"' });
  const sources: SourceSpec[] = [
    { name: 'alpine-secdb-v3.4-community', type: 'alpine-secdb', url: `${server.origin}/v3.4/community.json`, enabled: true },
    { name: 'debian-tracker', type: 'debian-tracker', url: `${server.origin}/tracker/data/json`, enabled: true },
  ];

  const result = await updateDatabase(store, sources, opts);
  assert.deepEqual(result.sources.map((s) => s.status), ['ok', 'ok'], JSON.stringify(result.sources.map((s) => s.reason)));
  const pairs = secdb.packages.reduce((n, p) => n + Object.values(p.pkg.secfixes).flat().length, 0);
  assert.equal(result.sources[0].counts?.inserted, pairs);
  const webkit = await store.lookup('Alpine:v3.4', 'webkit2gtk');
  assert.deepEqual(webkit.map((a) => a.aliases.concat(a.upstream).find((x) => x.startsWith('CVE-'))).sort(), secdb.packages.find((p) => p.pkg.name === 'webkit2gtk')!.pkg.secfixes['2.12.5-r0'].slice().sort());
  assert.ok(webkit.every((a) => a.modified === '2024-12-27T10:00:00.000Z'));
  const ssh = await store.lookup('Debian:12', 'openssh');
  assert.equal(ssh.length, 1);
  assert.deepEqual(ssh[0].affected.find((a) => a.package?.ecosystem === 'Debian:12')?.ranges[0].events, [{ introduced: '0' }, { fixed: '1:9.2p1-2+deb12u3' }]);
  assert.equal((await store.lookup('Debian:11', 'curl')).length, 1);
  assert.equal(result.sources[1].lastModified, '2026-09-05T06:00:00.000Z');

  // Next versions are broken: a secdb without packages, a tracker cut off mid-document.
  server.files.set('/v3.4/community.json', { body: Buffer.from('{"distroversion":"v3.4","reponame":"community"}') });
  server.files.set('/tracker/data/json', { body: Buffer.from(JSON.stringify(tracker).slice(0, 100)), etag: '"trk2"' });
  const broken = await updateDatabase(store, sources, opts);
  assert.deepEqual(broken.sources.map((s) => [s.status, s.error?.code]), [['failed', 'feed-empty'], ['failed', 'feed-malformed']]);
  assert.equal((await store.lookup('Alpine:v3.4', 'webkit2gtk')).length, webkit.length);
  assert.equal((await store.lookup('Debian:12', 'openssh')).length, 1);
});

test('one update per work dir: a live lock holder makes the run fail without touching anything; a stale lock is taken over', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  server.files.set('/npm/all.zip', { body: allZip(npmRecords().slice(0, 2)) });
  mkdirSync(opts.workDir!, { recursive: true });
  const lock = join(opts.workDir!, 'update.lock');
  writeFileSync(lock, String(process.pid));
  const locked = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(locked.ok, false);
  assert.equal(locked.sources[0].error?.code, 'update-locked');
  assert.equal(server.seen.length, 0);
  assert.ok(existsSync(lock), 'the other holder keeps its lock');

  // A pid that no longer runs: an exited child's.
  const child = spawnSync(process.execPath, ['-e', '0']);
  writeFileSync(lock, String(child.pid));
  const taken = await updateDatabase(store, pick('osv-npm'), opts);
  assert.equal(taken.sources[0].status, 'ok', taken.sources[0].reason);
  assert.equal(existsSync(lock), false, 'released after the run');
});

test('merge mode skips an invalid changed record with a warning instead of blocking the feed', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const all = npmRecords();
  server.files.set('/npm/all.zip', { body: allZip(all.slice(0, 2)) });
  assert.equal((await updateDatabase(store, pick('osv-npm'), opts)).sources[0].status, 'ok');
  const good = { ...all[2].raw, modified: '2026-12-01T00:00:00Z' };
  const bad = { id: all[3].raw.id, modified: '2026-12-01T00:00:01Z', affected: 'not a list' };
  server.files.set('/npm/modified_id.csv', { body: Buffer.from(`${bad.modified},${bad.id}\n${good.modified},${good.id}\n`) });
  server.files.set(`/npm/${good.id}.json`, { body: Buffer.from(JSON.stringify(good)) });
  server.files.set(`/npm/${bad.id}.json`, { body: Buffer.from(JSON.stringify(bad)) });
  const warnings = new Warnings();
  const r = await updateDatabase(store, pick('osv-npm'), { ...opts, warnings });
  assert.equal(r.sources[0].status, 'ok', r.sources[0].reason);
  assert.deepEqual(r.sources[0].counts, { inserted: 1, updated: 0, unchanged: 0, deleted: 0 });
  assert.equal(r.sources[0].report?.skipped, 1);
  assert.ok(warnings.items.some((w) => w.code === 'advisory-skipped' && w.message.includes(bad.id)));
  assert.equal(await store.get(bad.id), undefined);
  assert.equal(r.sources[0].lastModified, bad.modified);
});

test('a snapshot that would delete half or more of its source fails and keeps the data, unless allowShrink (as db import)', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const all = npmRecords();
  server.files.set('/npm/all.zip', { body: allZip(all) });
  assert.equal((await updateDatabase(store, pick('osv-npm'), opts)).sources[0].status, 'ok');
  // A truncated mirror now serves two of the seven records.
  server.files.set('/npm/all.zip', { body: allZip(all.slice(0, 2)) });
  const shrunk = await updateDatabase(store, pick('osv-npm'), { ...opts, full: true });
  assert.equal(shrunk.ok, false);
  assert.equal(shrunk.sources[0].status, 'failed');
  assert.equal(shrunk.sources[0].error?.code, 'feed-shrink');
  assert.match(shrunk.sources[0].reason ?? '', /all\.zip: 2 valid records where osv-npm has 7: importing it would delete at least 5 of them.*--allow-shrink/);
  assert.equal((await store.status()).sources.find((s) => s.name === 'osv-npm')?.count, all.length);
  for (const r of all) assert.ok(await store.get(r.raw.id), r.raw.id);

  // Half or more kept is an ordinary update; allowShrink takes the small snapshot too.
  server.files.set('/npm/all.zip', { body: allZip(all.slice(0, 4)) });
  assert.equal((await updateDatabase(store, pick('osv-npm'), { ...opts, full: true })).sources[0].status, 'ok');
  server.files.set('/npm/all.zip', { body: allZip(all.slice(0, 1)) });
  const allowed = await updateDatabase(store, pick('osv-npm'), { ...opts, full: true, allowShrink: true });
  assert.equal(allowed.sources[0].status, 'ok', allowed.sources[0].reason);
  assert.equal((await store.status()).sources.find((s) => s.name === 'osv-npm')?.count, 1);
});

test('an EPSS snapshot follows the same rule: 100 rows where 2,000 were stored keep the 2,000', async (t) => {
  const { server, store, opts, pick } = await setup(t);
  const csv = (n: number) => {
    const rows = ['#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z', 'cve,epss,percentile'];
    for (let i = 0; i < n; i++) rows.push(`CVE-2024-${String(10000 + i)},0.${String(i).padStart(5, '0')},0.5`);
    return gzipSync(rows.join('\n') + '\n');
  };
  server.files.set('/epss_scores-current.csv.gz', { body: csv(2000) });
  assert.equal((await updateDatabase(store, pick('epss'), opts)).sources[0].status, 'ok');
  server.files.set('/epss_scores-current.csv.gz', { body: csv(100) });
  const shrunk = await updateDatabase(store, pick('epss'), opts);
  assert.equal(shrunk.sources[0].status, 'failed');
  assert.equal(shrunk.sources[0].error?.code, 'feed-shrink');
  assert.equal((await store.status()).epss, 2000);
});
