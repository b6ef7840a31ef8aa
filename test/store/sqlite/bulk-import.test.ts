// The store's bulk-import paths: first import of a source (insert first), index rows written in
// multi-row statements, and the page size of new and existing files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PAGE_SIZE, SqliteAdvisoryStore } from '../../../src/store/sqlite/sqlite-store.js';
import { decodedChunks } from '../../../src/advisories/import/input.js';
import { osvFromJsonLines } from '../../../src/advisories/import/osv.js';
import { ImportReport } from '../../../src/advisories/import/report.js';
import type { Advisory } from '../../../src/advisories/model.js';
import { tempDir } from '../../advisories/helpers.js';

function record(id: string, packages: string[], aliases: string[], summary = 's'): Record<string, unknown> {
  return {
    id, modified: '2024-01-01T00:00:00Z', summary, aliases,
    affected: packages.map((name) => ({ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] })),
  };
}

/** Through the real importer, so records carry their source text as in `db import`. */
async function advisories(records: Record<string, unknown>[], source: string): Promise<Advisory[]> {
  const out: Advisory[] = [];
  const report = new ImportReport('test');
  for await (const a of osvFromJsonLines(decodedChunks(Buffer.from(records.map((r) => JSON.stringify(r)).join('\n')), 'test'), source, report)) out.push(a);
  assert.equal(report.skipped, 0);
  return out;
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const ids = (xs: Advisory[]) => xs.map((a) => a.id).sort();

function openStore(t: { after: (fn: () => void) => void }, file = 'advisories.db'): { store: SqliteAdvisoryStore; path: string } {
  const path = join(tempDir(t), file);
  const store = new SqliteAdvisoryStore(path);
  t.after(() => void store.close());
  return { store, path };
}

test('a record with more index rows than one multi-row statement holds is found under every package and alias', async (t) => {
  const { store } = openStore(t);
  const pkgs = names('pkg-', 203);
  const als = names('CVE-2024-', 131);
  const recs = await advisories([record('GHSA-many-0001', pkgs, als), record('GHSA-many-0002', ['pkg-7'], [])], 'osv:test');
  const counts = await store.importBatch({ kind: 'advisories', source: { name: 'osv:test', kind: 'advisories' }, mode: 'replace', records: recs });
  assert.deepEqual(counts, { inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
  for (const p of pkgs) assert.deepEqual(ids(await store.lookup('npm', p)), p === 'pkg-7' ? ['GHSA-many-0001', 'GHSA-many-0002'] : ['GHSA-many-0001'], p);
  for (const a of als) assert.deepEqual(ids(await store.byAlias(a)), ['GHSA-many-0001'], a);
  assert.deepEqual(await store.lookup('npm', 'pkg-203'), []);
});

test('an id that comes twice in one stream: the later record wins and only its packages and aliases stay indexed', async (t) => {
  const { store } = openStore(t);
  // The first version has enough index rows to fill whole multi-row statements and leave some
  // buffered when the second version replaces it.
  const first = record('GHSA-twice-0001', names('old-', 150), names('CVE-2020-', 70), 'first');
  const second = record('GHSA-twice-0001', ['new-a', 'new-b'], ['CVE-2021-1'], 'second');
  const recs = await advisories([first, record('GHSA-other-0001', ['old-3'], []), second], 'osv:dup');
  const counts = await store.importBatch({ kind: 'advisories', source: { name: 'osv:dup', kind: 'advisories' }, mode: 'replace', records: recs });
  assert.deepEqual(counts, { inserted: 2, updated: 1, unchanged: 0, deleted: 0 });
  assert.equal((await store.get('GHSA-twice-0001'))?.summary, 'second');
  for (const p of names('old-', 150)) assert.deepEqual(ids(await store.lookup('npm', p)), p === 'old-3' ? ['GHSA-other-0001'] : [], p);
  for (const a of names('CVE-2020-', 70)) assert.deepEqual(await store.byAlias(a), [], a);
  assert.deepEqual(ids(await store.lookup('npm', 'new-b')), ['GHSA-twice-0001']);
  assert.deepEqual(ids(await store.byAlias('CVE-2021-1')), ['GHSA-twice-0001']);
});

test("a source's first import meets ids another source already has: they move to it, counted as updated", async (t) => {
  const { store } = openStore(t);
  const a = await advisories([record('GHSA-shared-0001', ['x'], ['CVE-2024-1']), record('GHSA-onlya-0001', ['y'], [])], 'src-a');
  await store.importBatch({ kind: 'advisories', source: { name: 'src-a', kind: 'advisories' }, mode: 'replace', records: a });
  const b = await advisories([record('GHSA-shared-0001', ['x'], ['CVE-2024-1']), record('GHSA-onlyb-0001', ['z'], [])], 'src-b');
  const counts = await store.importBatch({ kind: 'advisories', source: { name: 'src-b', kind: 'advisories' }, mode: 'replace', records: b });
  assert.deepEqual(counts, { inserted: 1, updated: 1, unchanged: 0, deleted: 0 });
  assert.equal((await store.get('GHSA-shared-0001'))?.source, 'src-b');
  const st = await store.status();
  assert.deepEqual(st.sources.map((s) => [s.name, s.count]), [['src-a', 1], ['src-b', 2]]);
  assert.deepEqual(ids(await store.lookup('npm', 'x')), ['GHSA-shared-0001']);
  assert.deepEqual(ids(await store.byAlias('CVE-2024-1')), ['GHSA-shared-0001']);
  // The same feed again is a re-import (lookup first): nothing changes.
  const again = await store.importBatch({ kind: 'advisories', source: { name: 'src-b', kind: 'advisories' }, mode: 'replace', records: b });
  assert.deepEqual(again, { inserted: 0, updated: 0, unchanged: 2, deleted: 0 });
});

test("a first import whose stream fails leaves nothing of that source, buffered index rows included", async (t) => {
  const { store, path } = openStore(t);
  const keep = await advisories([record('GHSA-keep-0001', ['kept'], ['CVE-2023-1'])], 'src-keep');
  await store.importBatch({ kind: 'advisories', source: { name: 'src-keep', kind: 'advisories' }, mode: 'replace', records: keep });
  const before = await store.status();
  const many = await advisories(names('GHSA-fail-', 100).map((id) => record(id, [`f-${id}`, 'kept'], [`ALIAS-${id}`])), 'src-new');
  async function* failing(): AsyncGenerator<Advisory> {
    yield* many;
    throw new Error('truncated feed');
  }
  await assert.rejects(store.importBatch({ kind: 'advisories', source: { name: 'src-new', kind: 'advisories' }, mode: 'replace', records: failing() }), /truncated feed/);
  const after = await store.status();
  assert.equal(after.advisories, before.advisories);
  assert.deepEqual(after.sources.map((s) => s.name), ['src-keep']);
  assert.deepEqual(ids(await store.lookup('npm', 'kept')), ['GHSA-keep-0001']);
  assert.deepEqual(await store.lookup('npm', 'f-GHSA-fail-0'), []);
  assert.deepEqual(await store.byAlias('ALIAS-GHSA-fail-99'), []);
  // The next import of that source is a first import again and works.
  const ok = await store.importBatch({ kind: 'advisories', source: { name: 'src-new', kind: 'advisories' }, mode: 'replace', records: many });
  assert.deepEqual(ok, { inserted: 100, updated: 0, unchanged: 0, deleted: 0 });
  await store.close();
  const reopened = new SqliteAdvisoryStore(path);
  t.after(() => void reopened.close());
  assert.equal((await reopened.status()).advisories, 101);
});

test('a new database file gets 64 KB pages; an existing file keeps its page size and still imports', async (t) => {
  const { store, path } = openStore(t, 'new.db');
  await store.importBatch({ kind: 'advisories', source: { name: 's', kind: 'advisories' }, mode: 'replace', records: await advisories([record('GHSA-page-0001', ['p'], [])], 's') });
  await store.close();
  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('page_size', { simple: true }), PAGE_SIZE);
  assert.equal(PAGE_SIZE, 65536);
  check.close();

  // A database written by an earlier version, with SQLite's default 4 KB pages.
  const oldPath = join(tempDir(t), 'old.db');
  const old = new Database(oldPath);
  old.pragma('page_size = 4096');
  old.pragma('journal_mode = WAL');
  old.exec('CREATE TABLE scratch (x)');
  old.close();
  const reopened = new SqliteAdvisoryStore(oldPath);
  t.after(() => void reopened.close());
  const recs = await advisories(names('GHSA-old-', 300).map((id) => record(id, [`o-${id}`], [`A-${id}`])), 's');
  assert.deepEqual(await reopened.importBatch({ kind: 'advisories', source: { name: 's', kind: 'advisories' }, mode: 'replace', records: recs }), { inserted: 300, updated: 0, unchanged: 0, deleted: 0 });
  assert.deepEqual(ids(await reopened.lookup('npm', 'o-GHSA-old-299')), ['GHSA-old-299']);
  await reopened.close();
  const check4k = new Database(oldPath, { readonly: true });
  assert.equal(check4k.pragma('page_size', { simple: true }), 4096);
  check4k.close();
});

test('the JSON column holds TEXT equal to the original line, and never bytes that are not UTF-8', async (t) => {
  const { store, path } = openStore(t);
  const nonAscii = JSON.stringify(record('GHSA-utf8-0001', ['naïve'], [], 'Überlauf in 日本語 parser 😀'));
  // 0xFF is not UTF-8: the decoded text carries U+FFFD there, and that is what must be stored.
  const invalid = Buffer.concat([Buffer.from('{"id":"GHSA-bad8-0001","modified":"2024-01-01T00:00:00Z","summary":"a'), Buffer.from([0xff]), Buffer.from('b","affected":[{"package":{"ecosystem":"npm","name":"q"}}]}')]);
  const report = new ImportReport('utf8');
  const recs: Advisory[] = [];
  const input = Buffer.concat([Buffer.from(nonAscii + '\n'), invalid, Buffer.from('\n')]);
  for await (const a of osvFromJsonLines(decodedChunks(input, 'utf8'), 'src', report)) recs.push(a);
  assert.equal(recs.length, 2);
  await store.importBatch({ kind: 'advisories', source: { name: 'src', kind: 'advisories' }, mode: 'replace', records: recs });
  assert.equal((await store.get('GHSA-utf8-0001'))?.summary, 'Überlauf in 日本語 parser 😀');
  assert.equal((await store.get('GHSA-bad8-0001'))?.summary, 'a\uFFFDb');
  await store.close();
  const db = new Database(path, { readonly: true });
  t.after(() => db.close());
  type Row = { id: string; type: string; json: string; raw: Buffer };
  const rows = db.prepare('SELECT id, typeof(json) AS type, json, CAST(json AS BLOB) AS raw FROM advisories ORDER BY id').all() as Row[];
  assert.deepEqual(rows.map((r) => [r.id, r.type]), [['GHSA-bad8-0001', 'text'], ['GHSA-utf8-0001', 'text']]);
  assert.equal(rows[1].json, nonAscii);
  assert.ok(rows[1].raw.equals(Buffer.from(nonAscii)));
  assert.ok(!rows[0].raw.includes(0xff), 'stored bytes are UTF-8');
  assert.ok(rows[0].raw.equals(Buffer.from(invalid.toString('utf8'))));
});

test('a re-import finds identical records unchanged, stored verbatim or re-serialised, non-ASCII too; a changed one is rewritten as TEXT', async (t) => {
  const { store, path } = openStore(t);
  const source = { name: 'osv:bytes', kind: 'advisories' as const };
  const verbatim = () => advisories([record('GHSA-byte-0001', ['café'], ['CVE-2024-1'], 'naïve 🐛 summary'), record('GHSA-byte-0002', ['b'], [])], 'osv:bytes');
  // A copy (spread) carries no source text: the store writes JSON.stringify's.
  const [reserialised] = await advisories([record('GHSA-byte-0003', ['c'], [], 'ünïcode')], 'osv:bytes');
  const plain = (summary: string): Advisory => ({ ...reserialised, summary });

  assert.deepEqual(await store.importBatch({ kind: 'advisories', source, mode: 'merge', records: [...await verbatim(), plain('ünïcode')] }), { inserted: 3, updated: 0, unchanged: 0, deleted: 0 });
  assert.deepEqual(await store.importBatch({ kind: 'advisories', source, mode: 'merge', records: [...await verbatim(), plain('ünïcode')] }), { inserted: 0, updated: 0, unchanged: 3, deleted: 0 });
  assert.deepEqual(await store.importBatch({ kind: 'advisories', source, mode: 'merge', records: [plain('ünïcode, changed')] }), { inserted: 0, updated: 1, unchanged: 0, deleted: 0 });

  assert.equal((await store.get('GHSA-byte-0003'))?.summary, 'ünïcode, changed');
  assert.equal((await store.get('GHSA-byte-0001'))?.summary, 'naïve 🐛 summary');
  await store.close();
  const db = new Database(path, { readonly: true });
  t.after(() => db.close());
  assert.deepEqual(db.prepare('SELECT DISTINCT typeof(json) AS t FROM advisories').all(), [{ t: 'text' }]);
});

test('index rows are removed through the stored record\'s own keys; a damaged stored record has them found by a scan', async (t) => {
  const { store, path } = openStore(t, 'unindex.db');
  const src = { name: 'osv:keys', kind: 'advisories' as const };
  const v1 = await advisories([record('GHSA-keys-0001', ['a-1', 'a-2'], ['CVE-2020-1']), record('GHSA-keys-0002', ['b-1'], ['CVE-2020-2'])], src.name);
  await store.importBatch({ kind: 'advisories', source: src, mode: 'replace', records: v1 });
  // Damage the second record's stored JSON behind the store's back (a tampered cache file).
  const raw = new Database(path);
  raw.prepare("UPDATE advisories SET json = '{not json' WHERE id = 'GHSA-keys-0002'").run();
  // And the first's into JSON of the wrong shape (an alias that is not a string).
  raw.prepare(`UPDATE advisories SET json = '{"id":"GHSA-keys-0001","aliases":[{"x":1}],"affected":[{"package":{"ecosystem":"npm","name":"a-1"}}]}' WHERE id = 'GHSA-keys-0001'`).run();
  raw.close();
  const v2 = await advisories([record('GHSA-keys-0001', ['a-3'], ['CVE-2021-1'], 'changed'), record('GHSA-keys-0002', ['b-2'], ['CVE-2021-2'], 'changed')], src.name);
  const r = await store.importBatch({ kind: 'advisories', source: src, mode: 'replace', records: v2 });
  assert.deepEqual(r, { inserted: 0, updated: 2, unchanged: 0, deleted: 0 });
  for (const p of ['a-1', 'a-2', 'b-1']) assert.deepEqual(await store.lookup('npm', p), [], p);
  for (const a of ['CVE-2020-1', 'CVE-2020-2']) assert.deepEqual(await store.byAlias(a), [], a);
  assert.deepEqual(ids(await store.lookup('npm', 'a-3')), ['GHSA-keys-0001']);
  assert.deepEqual(ids(await store.lookup('npm', 'b-2')), ['GHSA-keys-0002']);
  // Gone from the snapshot: its rows go too.
  const v3 = await advisories([record('GHSA-keys-0002', ['b-2'], ['CVE-2021-2'], 'changed')], src.name);
  assert.equal((await store.importBatch({ kind: 'advisories', source: src, mode: 'replace', records: v3 })).deleted, 1);
  assert.deepEqual(await store.lookup('npm', 'a-3'), []);
  assert.deepEqual(await store.byAlias('CVE-2021-1'), []);
  await store.close();
  // Nothing left behind in either table for the deleted id.
  const check = new Database(path, { readonly: true });
  t.after(() => check.close());
  assert.equal(check.prepare("SELECT COUNT(*) FROM affected WHERE advisory_id = 'GHSA-keys-0001'").pluck().get(), 0);
  assert.equal(check.prepare("SELECT COUNT(*) FROM aliases WHERE advisory_id = 'GHSA-keys-0001'").pluck().get(), 0);
});

test('a database made before migration 2 loses its reverse indexes and imports on', async (t) => {
  const path = join(tempDir(t), 'v1.db');
  // Schema version 1, as the previous release left it.
  const old = new Database(path);
  const { SQLITE_MIGRATIONS } = await import('../../../src/store/migrations/sqlite/index.js');
  old.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  old.exec(SQLITE_MIGRATIONS[0].sql);
  old.prepare('INSERT INTO schema_migrations VALUES (1, ?, ?)').run(SQLITE_MIGRATIONS[0].name, new Date().toISOString());
  const indexes = () => (old.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%_by_advisory'").pluck().all() as string[]).sort();
  assert.deepEqual(indexes(), ['affected_by_advisory', 'aliases_by_advisory']);
  old.close();
  const store = new SqliteAdvisoryStore(path);
  t.after(() => void store.close());
  assert.equal((await store.status()).schemaVersion, 2);
  const check = new Database(path, { readonly: true });
  const left = check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%_by_advisory'").pluck().all();
  check.close();
  assert.deepEqual(left, []);
  await store.importBatch({ kind: 'advisories', source: { name: 'osv:m', kind: 'advisories' }, mode: 'replace', records: await advisories([record('GHSA-mig-0001', ['m-1'], [])], 'osv:m') });
  assert.deepEqual(ids(await store.lookup('npm', 'm-1')), ['GHSA-mig-0001']);
});
