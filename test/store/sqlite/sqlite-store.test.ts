import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteAdvisoryStore, LOOKUP_KEYS_SQL, LOOKUP_SQL } from '../../../src/store/sqlite/sqlite-store.js';
import { decodedChunks } from '../../../src/advisories/import/input.js';
import { osvFromJsonLines } from '../../../src/advisories/import/osv.js';
import { ImportReport } from '../../../src/advisories/import/report.js';
import type { Advisory } from '../../../src/advisories/model.js';
import { ScoutError } from '../../../src/util/errors.js';
import { fixture, rawIdsFor, rawRecords, tempDir } from '../../advisories/helpers.js';

const SOURCES = ['pypi', 'go', 'rustsec', 'ghsa-npm-selected', 'maven-ghsa-sample', 'debian-selected', 'alpine-selected'];

async function collect(file: string, source: string): Promise<Advisory[]> {
  const out: Advisory[] = [];
  const report = new ImportReport(file);
  for await (const a of osvFromJsonLines(decodedChunks(fixture(file), file), source, report)) out.push(a);
  assert.equal(report.skipped, 0, `fixture ${file} should import cleanly: ${JSON.stringify(report.samples)}`);
  return out;
}

async function openLoaded(t: { after: (fn: () => void) => void }): Promise<{ store: SqliteAdvisoryStore; path: string }> {
  const path = join(tempDir(t), 'cache', 'advisories.db');
  const store = new SqliteAdvisoryStore(path);
  t.after(() => void store.close());
  for (const s of SOURCES) {
    const file = `${s}.osv.jsonl.gz`;
    await store.importBatch({ kind: 'advisories', source: { name: `osv:${s}`, kind: 'advisories', url: file }, mode: 'replace', records: await collect(file, `osv:${s}`) });
  }
  return { store, path };
}

const ids = (xs: Advisory[]) => xs.map((a) => a.id).sort();

test('lookup by (ecosystem, name) returns exactly the records that affect that package', async (t) => {
  const { store } = await openLoaded(t);
  const pypi = rawRecords('pypi.osv.jsonl.gz');
  const django = rawIdsFor(pypi, 'PyPI', 'django');
  assert.ok(django.length >= 2);
  assert.deepEqual(ids(await store.lookup('PyPI', 'django')), django);

  const deb = rawRecords('debian-selected.osv.jsonl.gz');
  const glibc12 = rawIdsFor(deb, 'Debian:12', 'glibc');
  assert.ok(glibc12.includes('DSA-5514-1'));
  assert.deepEqual(ids(await store.lookup('Debian:12', 'glibc')), glibc12);
  // xz-utils is not in Debian 12, only in 13 and 14.
  assert.deepEqual(await store.lookup('Debian:12', 'xz-utils'), []);
  assert.deepEqual(ids(await store.lookup('Debian:13', 'xz-utils')), rawIdsFor(deb, 'Debian:13', 'xz-utils'));

  const alp = rawRecords('alpine-selected.osv.jsonl.gz');
  assert.deepEqual(ids(await store.lookup('Alpine:v3.20', 'openssl')), rawIdsFor(alp, 'Alpine:v3.20', 'openssl'));
  assert.equal((await store.lookup('Alpine:v3.20', 'openssl')).length, 2);

  // A record with several packages is found under each of them (GHSA npm record that also lists other ecosystems).
  const go = rawRecords('go.osv.jsonl.gz');
  const first = go[0] as { id: string; affected: { package: { name: string } }[] };
  assert.ok((await store.lookup('Go', first.affected[0].package.name)).some((a) => a.id === first.id));
  // Ecosystems are exact: the same name in another ecosystem finds nothing.
  assert.deepEqual(await store.lookup('npm', 'django'), []);
});

test('PyPI names are PEP 503 normalised on write and read; npm and Go stay exact', async (t) => {
  const { store } = await openLoaded(t);
  assert.deepEqual(ids(await store.lookup('PyPI', 'JW_Util')), ['PYSEC-2020-341']);
  assert.deepEqual(ids(await store.lookup('PyPI', 'jw-util')), ['PYSEC-2020-341']);
  assert.deepEqual(ids(await store.lookup('PyPI', 'Django')), ids(await store.lookup('PyPI', 'django')));
  const npm = rawRecords('ghsa-npm-selected.osv.jsonl.gz');
  const name = (npm[0] as { affected: { package: { name: string } }[] }).affected[0].package.name;
  assert.ok((await store.lookup('npm', name)).length > 0);
  assert.deepEqual(await store.lookup('npm', name.toUpperCase()), []);
  // A record listing the same package several times (one entry per range) comes back once.
  const first = npm[0] as { id: string; affected: { package: { name: string } }[] };
  assert.ok(first.affected.filter((a) => a.package.name === name).length > 1);
  assert.deepEqual(ids(await store.lookup('npm', name)), rawIdsFor(npm, 'npm', name));
});

test('the lookup query is an index search, never a table scan', async (t) => {
  const { store, path } = await openLoaded(t);
  await store.close();
  const db = new Database(path, { readonly: true });
  t.after(() => db.close());
  for (const sql of [LOOKUP_SQL, LOOKUP_KEYS_SQL]) {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('PyPI', 'django') as { detail: string }[]).map((r) => r.detail);
    assert.ok(plan.some((d) => /SEARCH f USING PRIMARY KEY \(ecosystem=\? AND name=\?\)/.test(d)), plan.join('\n'));
    assert.ok(!plan.some((d) => /^SCAN/.test(d)), plan.join('\n'));
  }
});

test('lookups answered from parsed advisories equal fresh ones, also when only some were parsed before', async (t) => {
  const { store, path } = await openLoaded(t);
  const names = ['accesscontrol', 'admesh', 'agenta', 'django', 'aamiles'];
  // Fresh answers from a second store that has parsed nothing yet, one package per store open.
  const fresh = new Map<string, string[]>();
  for (const n of names) {
    const other = new SqliteAdvisoryStore(path, { readonly: true });
    fresh.set(n, (await other.lookup('PyPI', n)).map((a) => JSON.stringify(a)));
    await other.close();
  }
  assert.ok([...fresh.values()].some((v) => v.length >= 3), 'some package has several advisories');
  // One of accesscontrol's advisories parsed, the others not: a lookup that is partly cached.
  const one = JSON.parse(fresh.get('accesscontrol')![1]) as Advisory;
  assert.equal((await store.get(one.id))?.id, one.id);
  for (const round of [1, 2]) {
    for (const n of names) assert.deepEqual((await store.lookup('PyPI', n)).map((a) => JSON.stringify(a)), fresh.get(n), `${n}, round ${round}`);
  }
});

test('aliases and upstream ids resolve to their advisories', async (t) => {
  const { store } = await openLoaded(t);
  const go1 = await store.byAlias('CVE-2020-36567');
  assert.ok(go1.some((a) => a.id === 'GO-2020-0001'));
  assert.ok((await store.byAlias('GHSA-6vm3-jj99-7229')).some((a) => a.id === 'GO-2020-0001'));
  // By its own id too.
  assert.deepEqual(ids(await store.byAlias('GO-2020-0001')), ['GO-2020-0001']);
  // Debian records name the CVE in `upstream`, not `aliases`.
  const deb = rawRecords('debian-selected.osv.jsonl.gz').filter((r) => ((r.upstream as string[] | undefined) ?? []).includes('CVE-2023-4911'));
  assert.ok(deb.length >= 2);
  assert.deepEqual(ids(await store.byAlias('CVE-2023-4911')), deb.map((r) => r.id as string).sort());
  assert.deepEqual(await store.byAlias('CVE-1999-0000'), []);
});

test('withdrawn records are kept and flagged; status counts them per source', async (t) => {
  const { store } = await openLoaded(t);
  const w = await store.get('GO-2022-0617');
  assert.ok(w);
  assert.equal(typeof w.withdrawn, 'string');
  assert.equal(w.source, 'osv:go');
  const st = await store.status();
  assert.equal(st.schemaVersion, 2);
  let total = 0;
  for (const s of SOURCES) {
    const raw = rawRecords(`${s}.osv.jsonl.gz`);
    const row = st.sources.find((x) => x.name === `osv:${s}`);
    assert.ok(row, s);
    // Ids are unique within a fixture, but a GHSA id may appear in two fixtures: the later import owns it.
    const owned = new Set(raw.map((r) => r.id as string));
    assert.ok(row.count <= owned.size && row.count > 0, `${s}: ${row.count} vs ${owned.size}`);
    assert.equal(row.url, `${s}.osv.jsonl.gz`);
    assert.ok(row.ageSeconds >= 0 && row.ageSeconds < 600);
    total += row.count;
  }
  assert.equal(st.advisories, total);
  const goRow = st.sources.find((x) => x.name === 'osv:go');
  const goRaw = rawRecords('go.osv.jsonl.gz');
  assert.equal(goRow?.count, goRaw.length);
  assert.equal(goRow?.withdrawn, goRaw.filter((r) => typeof r.withdrawn === 'string').length);
  assert.ok((goRow?.withdrawn ?? 0) >= 1);
});

test('re-importing a modified record updates it in place; identical records are unchanged', async (t) => {
  const { store } = await openLoaded(t);
  const before = await store.status();
  const rust = await collect('rustsec.osv.jsonl.gz', 'osv:rustsec');
  const again = await store.importBatch({ kind: 'advisories', source: { name: 'osv:rustsec', kind: 'advisories' }, mode: 'merge', records: rust });
  assert.deepEqual(again, { inserted: 0, updated: 0, unchanged: rust.length, deleted: 0 });

  const target = rust[0];
  const oldName = target.affected[0].package!.name;
  const changed: Advisory = {
    ...target,
    modified: '2030-01-01T00:00:00Z',
    summary: 'changed summary',
    aliases: ['CVE-2099-0001'],
    affected: [{ ...target.affected[0], package: { ecosystem: 'crates.io', name: 'renamed-crate' } }],
  };
  const r = await store.importBatch({ kind: 'advisories', source: { name: 'osv:rustsec', kind: 'advisories' }, mode: 'merge', records: [changed] });
  assert.deepEqual(r, { inserted: 0, updated: 1, unchanged: 0, deleted: 0 });
  const got = await store.get(target.id);
  assert.equal(got?.summary, 'changed summary');
  assert.equal(got?.modified, '2030-01-01T00:00:00Z');
  // Index rows follow the new content: the old package and old aliases no longer point at it.
  assert.ok(!(await store.lookup('crates.io', oldName)).some((a) => a.id === target.id));
  assert.deepEqual(ids(await store.lookup('crates.io', 'renamed-crate')), [target.id]);
  assert.deepEqual(ids(await store.byAlias('CVE-2099-0001')), [target.id]);
  for (const alias of target.aliases) assert.ok(!(await store.byAlias(alias)).some((a) => a.id === target.id));
  const after = await store.status();
  assert.equal(after.advisories, before.advisories);
  assert.equal(after.sources.find((s) => s.name === 'osv:rustsec')?.lastModified, '2030-01-01T00:00:00Z');
});

test('replace mode deletes records of that source that the new snapshot no longer has', async (t) => {
  const { store } = await openLoaded(t);
  const rust = await collect('rustsec.osv.jsonl.gz', 'osv:rustsec');
  const r = await store.importBatch({ kind: 'advisories', source: { name: 'osv:rustsec', kind: 'advisories' }, mode: 'replace', records: rust.slice(5) });
  assert.deepEqual(r, { inserted: 0, updated: 0, unchanged: rust.length - 5, deleted: 5 });
  assert.equal(await store.get(rust[0].id), undefined);
  assert.deepEqual(await store.byAlias(rust[0].aliases[0]), []);
  const st = await store.status();
  assert.equal(st.sources.find((s) => s.name === 'osv:rustsec')?.count, rust.length - 5);
  // Other sources untouched.
  assert.equal(st.sources.find((s) => s.name === 'osv:go')?.count, rawRecords('go.osv.jsonl.gz').length);
});

test('an import whose stream fails half way leaves the previous database intact', async (t) => {
  const { store, path } = await openLoaded(t);
  const before = await store.status();
  const djangoBefore = ids(await store.lookup('PyPI', 'django'));
  const pypi = await collect('pypi.osv.jsonl.gz', 'osv:pypi');
  async function* failing(): AsyncGenerator<Advisory> {
    // Updates, a new record and a deletion-by-replace would all happen if this committed.
    yield { ...pypi[0], summary: 'should not persist' };
    yield { ...pypi[1], id: 'PYSEC-9999-1' };
    await new Promise((r) => setTimeout(r, 1));
    throw new Error('connection reset half way');
  }
  await assert.rejects(
    store.importBatch({ kind: 'advisories', source: { name: 'osv:pypi', kind: 'advisories', url: 'new' }, mode: 'replace', records: failing() }),
    /connection reset half way/,
  );
  const after = await store.status();
  assert.deepEqual(after.sources, before.sources.map((s) => ({ ...s, ageSeconds: after.sources.find((x) => x.name === s.name)!.ageSeconds })));
  assert.equal(after.advisories, before.advisories);
  assert.equal(await store.get('PYSEC-9999-1'), undefined);
  assert.equal((await store.get(pypi[0].id))?.summary, pypi[0].summary);
  assert.deepEqual(ids(await store.lookup('PyPI', 'django')), djangoBefore);
  // The store stays usable, and the file on disk has the old content.
  const next = await store.importBatch({ kind: 'advisories', source: { name: 'osv:pypi', kind: 'advisories' }, mode: 'merge', records: [pypi[0]] });
  assert.equal(next.unchanged, 1);
  await store.close();
  const reopened = new SqliteAdvisoryStore(path);
  t.after(() => void reopened.close());
  assert.equal((await reopened.status()).advisories, before.advisories);
  assert.equal(await reopened.get('PYSEC-9999-1'), undefined);
});

test('KEV and EPSS tables answer by CVE id and replace on re-import', async (t) => {
  const store = new SqliteAdvisoryStore(':memory:');
  t.after(() => void store.close());
  const kev = [
    { cve: 'CVE-2024-0001', dateAdded: '2024-01-02', dueDate: '2024-01-23', knownRansomwareUse: true, cwes: ['CWE-79'] },
    { cve: 'CVE-2024-0002', dateAdded: '2024-02-02', cwes: [] },
  ];
  assert.deepEqual(await store.importBatch({ kind: 'kev', source: { name: 'cisa-kev', kind: 'kev' }, entries: kev }), { inserted: 2, updated: 0, unchanged: 0, deleted: 0 });
  const got = await store.kev(['CVE-2024-0001', 'CVE-2024-0003']);
  assert.deepEqual([...got.keys()], ['CVE-2024-0001']);
  assert.deepEqual(got.get('CVE-2024-0001'), kev[0]);
  const r = await store.importBatch({ kind: 'kev', source: { name: 'cisa-kev', kind: 'kev' }, entries: [kev[0]] });
  assert.deepEqual(r, { inserted: 0, updated: 0, unchanged: 1, deleted: 1 });
  // The catalogue read for the first question is not used past a re-import.
  assert.deepEqual([...(await store.kev(['CVE-2024-0001', 'CVE-2024-0002'])).keys()], ['CVE-2024-0001']);

  const epss = [
    { cve: 'CVE-2024-0001', score: 0.97, percentile: 0.999, date: '2024-05-01', modelVersion: 'v2023.03.01' },
    { cve: 'CVE-2024-0002', score: 0.0004, percentile: 0.05 },
  ];
  await store.importBatch({ kind: 'epss', source: { name: 'epss', kind: 'epss' }, entries: epss });
  const e = await store.epss(['CVE-2024-0002', 'CVE-2024-0001']);
  assert.deepEqual(e.get('CVE-2024-0001'), epss[0]);
  assert.deepEqual(e.get('CVE-2024-0002'), epss[1]);
  // More ids than one IN list holds.
  const many = Array.from({ length: 1200 }, (_, i) => `CVE-2000-${i}`).concat('CVE-2024-0002');
  assert.equal((await store.epss(many)).size, 1);
  const st = await store.status();
  assert.deepEqual(st.sources.map((s) => [s.name, s.kind, s.count]), [['cisa-kev', 'kev', 1], ['epss', 'epss', 2]]);
  assert.equal(st.kev, 1);
  assert.equal(st.epss, 2);
  // KEV and EPSS rows are not advisories: nothing to match packages against yet.
  assert.equal(await store.hasAdvisories(), false);
  const records = await collect('go.osv.jsonl.gz', 'osv-go');
  await store.importBatch({ kind: 'advisories', source: { name: 'osv-go', kind: 'advisories' }, mode: 'merge', records: records.slice(0, 1) });
  assert.equal(await store.hasAdvisories(), true);
});

test('opening a file that is not a database, or a newer schema, fails with a named error', async (t) => {
  const dir = tempDir(t);
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'this is not sqlite, just text that is long enough to be read as a header...'.repeat(20));
  assert.throws(() => new SqliteAdvisoryStore(junk), (e: unknown) => e instanceof ScoutError && e.code === 'store-open' && e.path === junk);

  const newer = join(dir, 'newer.db');
  const s = new SqliteAdvisoryStore(newer);
  await s.close();
  const db = new Database(newer);
  db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')").run();
  db.close();
  assert.throws(() => new SqliteAdvisoryStore(newer), (e: unknown) => e instanceof ScoutError && e.code === 'store-schema-newer');
});

test('records read back equal what the importer produced, stored verbatim or re-serialised', async (t) => {
  const store = new SqliteAdvisoryStore(':memory:');
  t.after(() => void store.close());
  const go = await collect('go.osv.jsonl.gz', 'osv:go');
  await store.importBatch({ kind: 'advisories', source: { name: 'osv:go', kind: 'advisories' }, mode: 'merge', records: go });
  for (const a of go) assert.deepEqual(await store.get(a.id), a);

  // Nulls where OSV allows them, and a record that claims another source.
  const line = JSON.stringify({
    id: 'GHSA-null-0001', modified: '2024-01-01T00:00:00Z', aliases: null, summary: null, source: 'evil',
    affected: [{ package: { ecosystem: 'npm', name: 'x' }, versions: null, ranges: null, database_specific: null }],
  });
  const report = new ImportReport('nulls');
  const recs: Advisory[] = [];
  for await (const a of osvFromJsonLines(decodedChunks(Buffer.from(line), 'nulls'), 'test', report)) recs.push(a);
  assert.equal(recs.length, 1);
  await store.importBatch({ kind: 'advisories', source: { name: 'test', kind: 'advisories' }, mode: 'merge', records: recs });
  const got = await store.get('GHSA-null-0001');
  assert.deepEqual(got, recs[0]);
  assert.deepEqual(got, {
    id: 'GHSA-null-0001', source: 'test', modified: '2024-01-01T00:00:00Z', aliases: [], related: [], upstream: [], severity: [], references: [],
    affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [], versions: [] }],
  });
});

test('a merge that brings nothing newer keeps the source cursor (an empty incremental update must not reset it)', async (t) => {
  const store = new SqliteAdvisoryStore(join(tempDir(t), 'cursor.db'));
  t.after(() => void store.close());
  const records = await collect('pypi.osv.jsonl.gz', 'osv-pypi');
  const newest = records.map((r) => r.modified).sort().at(-1);
  await store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records });
  const before = (await store.status()).sources.find((s) => s.name === 'osv-pypi');
  assert.equal(before?.lastModified, newest);
  await store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: [] });
  const after = (await store.status()).sources.find((s) => s.name === 'osv-pypi');
  assert.equal(after?.lastModified, newest);
  assert.equal(after?.count, before?.count);
});

test('sources() lists what was imported and when, agreeing with status()', async (t) => {
  const { store } = await openLoaded(t);
  const cheap = await store.sources();
  const full = (await store.status()).sources;
  assert.deepEqual(cheap.map((s) => [s.name, s.kind, s.importedAt]), full.map((s) => [s.name, s.kind, s.importedAt]));
  assert.equal(cheap.length, SOURCES.length);
});

/** A store at `path` holding the first PyPI record, and where to look it up. */
async function storeWithOnePypiRecord(path: string): Promise<{ store: SqliteAdvisoryStore; first: Advisory; eco: string; name: string }> {
  const store = new SqliteAdvisoryStore(path);
  const first = (await collect('pypi.osv.jsonl.gz', 'osv-pypi'))[0];
  await store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: [first] });
  return { store, first, eco: first.affected[0].package!.ecosystem, name: first.affected[0].package!.name };
}

test('lookups after a re-import see the new record, not a cached parse of the old one', async (t) => {
  const { store, first, eco, name } = await storeWithOnePypiRecord(join(tempDir(t), 'reparse.db'));
  t.after(() => void store.close());
  assert.equal((await store.lookup(eco, name)).find((a) => a.id === first.id)?.summary, first.summary);
  const changed = { ...first, summary: 'changed summary', modified: first.modified };
  await store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: [changed] });
  assert.equal((await store.lookup(eco, name)).find((a) => a.id === first.id)?.summary, 'changed summary');
});

test('remembered lookup answers give way to another connection\'s import', async (t) => {
  const path = join(tempDir(t), 'answers.db');
  const { store: reader, first, eco, name } = await storeWithOnePypiRecord(path);
  t.after(() => void reader.close());
  const before = await reader.lookup(eco, name);
  assert.equal(before.find((a) => a.id === first.id)?.summary, first.summary);
  // Answered again from memory: the same advisory objects, in a fresh array the caller may change.
  const again = await reader.lookup(eco, name);
  assert.notEqual(again, before);
  assert.equal(again.find((a) => a.id === first.id), before.find((a) => a.id === first.id));
  again.length = 0;
  assert.equal((await reader.lookup(eco, name)).length, before.length);
  // A second connection (as another process's `scout db update` would) changes the record.
  assert.equal((await reader.kev(['CVE-2024-0009'])).size, 0);
  const writer = new SqliteAdvisoryStore(path);
  await writer.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: [{ ...first, summary: 'changed elsewhere', modified: '2099-01-01T00:00:00Z' }] });
  await writer.importBatch({ kind: 'kev', source: { name: 'cisa-kev', kind: 'kev' }, entries: [{ cve: 'CVE-2024-0009', dateAdded: '2024-03-01', cwes: [] }] });
  await writer.close();
  assert.equal((await reader.lookup(eco, name)).find((a) => a.id === first.id)?.summary, 'changed elsewhere');
  // The KEV catalogue read before is not used past the other connection's import either.
  assert.equal((await reader.kev(['CVE-2024-0009'])).get('CVE-2024-0009')?.dateAdded, '2024-03-01');
});

test('a lookup made while an import runs is not remembered past it', async (t) => {
  const { store, first, eco, name } = await storeWithOnePypiRecord(join(tempDir(t), 'during.db'));
  t.after(() => void store.close());
  let seenDuring: string | undefined;
  async function* broken(): AsyncGenerator<Advisory> {
    yield { ...first, summary: 'never committed', modified: '2099-01-01T00:00:00Z' };
    // Enough other records that the buffered index rows are written.
    for (let i = 0; i < 70; i++) yield { ...first, id: `PYSEC-0000-${i}`, modified: '2099-01-01T00:00:00Z' };
    // This connection sees its own uncommitted rows; then the feed breaks and all is rolled back.
    seenDuring = (await store.lookup(eco, name)).find((a) => a.id === first.id)?.summary;
    throw new Error('feed broke');
  }
  await assert.rejects(store.importBatch({ kind: 'advisories', source: { name: 'osv-pypi', kind: 'advisories' }, mode: 'merge', records: broken() }), /feed broke/);
  assert.equal(seenDuring, 'never committed');
  assert.equal((await store.lookup(eco, name)).find((a) => a.id === first.id)?.summary, first.summary);
});
