// What only the SQLite file has: its page size, and its migration 2 applied to an older file.
// Everything else a store must do is in the contract suite (test/store/advisory-store.test.ts).
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
