// What only the PostgreSQL store has: migrations under an advisory lock when several processes
// start at once, imports of several stores serialised, and passwords kept out of messages.
// Everything else a store must do is in the contract suite (test/store/advisory-store.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PgAdvisoryStore } from '../../../src/store/postgres/pg-store.js';
import { openAdvisoryStore } from '../../../src/store/open-advisory-store.js';
import type { Advisory } from '../../../src/advisories/model.js';
import { ScoutError } from '../../../src/util/errors.js';
import { pgSchema } from '../../helpers/pg.js';

function advisory(id: string, pkg: string): Advisory {
  return {
    id, source: 'x', modified: '2024-01-01T00:00:00Z', aliases: [], related: [], upstream: [], severity: [], references: [],
    affected: [{ package: { ecosystem: 'npm', name: pkg }, ranges: [], versions: ['1.0.0'] }],
  };
}

test('stores opened at the same moment on a new schema migrate it once, under the lock', async (t) => {
  const { url, schema } = await pgSchema(t);
  const stores = await Promise.all(Array.from({ length: 4 }, () => PgAdvisoryStore.open({ url, schema, maxConnections: 2 })));
  t.after(() => Promise.all(stores.map((s) => s.close())));
  for (const s of stores) assert.equal((await s.status()).schemaVersion, 1);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  t.after(() => c.end());
  const rows = await c.query(`SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`);
  assert.deepEqual(rows.rows, [{ version: 1, name: 'initial' }]);
});

test('imports from two stores on one database are serialised, and both commit whole', async (t) => {
  const { url, schema } = await pgSchema(t);
  const a = await PgAdvisoryStore.open({ url, schema });
  const b = await PgAdvisoryStore.open({ url, schema });
  t.after(() => Promise.all([a.close(), b.close()]));
  let aInside = false;
  let overlapped = false;
  async function* slow(prefix: string, flag: (v: boolean) => void): AsyncGenerator<Advisory> {
    flag(true);
    for (let i = 0; i < 30; i++) {
      await new Promise((r) => setTimeout(r, 2));
      yield advisory(`${prefix}-${i}`, `${prefix}-pkg`);
    }
    flag(false);
  }
  const r = await Promise.all([
    a.importBatch({ kind: 'advisories', source: { name: 'src-a', kind: 'advisories' }, mode: 'replace', records: slow('A', (v) => { aInside = v; }) }),
    // b starts once a holds the lock (its first chunk has not been written yet, but its transaction took it first).
    new Promise((r) => setTimeout(r, 20)).then(() => b.importBatch({ kind: 'advisories', source: { name: 'src-b', kind: 'advisories' }, mode: 'replace', records: slow('B', () => { if (aInside) overlapped = true; }) })),
  ]);
  assert.equal(overlapped, false, 'the second import read its stream only after the first committed');
  assert.deepEqual(r.map((x) => x.inserted), [30, 30]);
  const st = await a.status();
  assert.deepEqual(st.sources.map((s) => [s.name, s.count]), [['src-a', 30], ['src-b', 30]]);
  // Each store sees the other's import (the remembered answers give way).
  assert.equal((await b.lookup('npm', 'A-pkg')).length, 30);
  assert.equal((await a.lookup('npm', 'B-pkg')).length, 30);
});

test('a database that cannot be reached is a store-open error naming it without its password', async () => {
  await assert.rejects(
    openAdvisoryStore({ kind: 'postgres', url: 'postgres://scout:s3cret@127.0.0.1:1/advisories' }),
    (e: unknown) => e instanceof ScoutError && e.code === 'store-open' && /127\.0\.0\.1:1/.test(e.message) && !/s3cret/.test(e.message) && !/s3cret/.test(e.path ?? ''),
  );
  await assert.rejects(
    openAdvisoryStore({ kind: 'postgres', url: 'postgres://127.0.0.1/x', schema: 'bad; DROP TABLE x' }),
    (e: unknown) => e instanceof ScoutError && e.code === 'bad-option',
  );
});

test('a row the server refuses in the middle of an import (a NUL, which PostgreSQL text cannot hold) rolls all of it back, earlier chunks included; the store imports again after', async (t) => {
  const { url, schema } = await pgSchema(t);
  // One connection: the import after the failure runs on the very session the failed one used.
  const store = await PgAdvisoryStore.open({ url, schema, maxConnections: 1 });
  t.after(() => store.close());
  await store.importBatch({ kind: 'advisories', source: { name: 'src', kind: 'advisories' }, mode: 'replace', records: [advisory('GHSA-kept-0001', 'kept')] });
  const before = await store.status();
  // 6,000 good records (more than one chunk, so one was written before the refused row) and
  // then one whose package name holds a NUL.
  const records = [...Array.from({ length: 6000 }, (_, i) => advisory(`GHSA-new-${i}`, `new-${i}`)), advisory('GHSA-nul-0001', 'a\u0000b')];
  await assert.rejects(
    store.importBatch({ kind: 'advisories', source: { name: 'src', kind: 'advisories', url: 'next' }, mode: 'replace', records }),
    /invalid byte sequence|0x00/,
  );
  const after = await store.status();
  assert.equal(after.advisories, 1);
  assert.deepEqual(after.sources.map((s) => [s.name, s.count, s.importedAt, s.url]), before.sources.map((s) => [s.name, s.count, s.importedAt, s.url]));
  assert.deepEqual(await store.lookup('npm', 'new-0'), []);
  assert.equal((await store.lookup('npm', 'kept')).length, 1);
  // No staging table outlives the failed transaction on that connection.
  const again = await store.importBatch({ kind: 'advisories', source: { name: 'src', kind: 'advisories' }, mode: 'replace', records: records.slice(0, 6000) });
  assert.deepEqual(again, { inserted: 6000, updated: 0, unchanged: 0, deleted: 1 });
  assert.equal((await store.lookup('npm', 'new-5999')).length, 1);
});
