import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { detectAndImport, detectFormat } from '../../../src/advisories/import/detect.js';
import { SqliteAdvisoryStore } from '../../../src/store/sqlite/sqlite-store.js';
import { Warnings } from '../../../src/util/errors.js';
import { fixture, makeZip, rawRecords, tempDir } from '../helpers.js';

function decoded(name: string): Buffer {
  const b = readFileSync(fixture(name));
  return b[0] === 0x1f ? gunzipSync(b) : b;
}

test('formats are told apart by content', () => {
  const cases: [string, string][] = [
    ['pypi.osv.jsonl.gz', 'osv-jsonl'],
    ['debian-selected.osv.jsonl.gz', 'osv-jsonl'],
    ['alpine-secdb.jsonl.gz', 'alpine-secdb'],
    ['cisa-kev.json', 'cisa-kev'],
    ['debian-tracker.json', 'debian-tracker'],
    ['epss-scores.csv', 'epss-csv'],
  ];
  for (const [f, fmt] of cases) assert.equal(detectFormat(decoded(f).subarray(0, 65536)), fmt, f);
  const rec = rawRecords('go.osv.jsonl.gz')[0];
  assert.equal(detectFormat(Buffer.from(JSON.stringify(rec, null, 2))), 'osv-json');
  assert.equal(detectFormat(Buffer.from(JSON.stringify(rec))), 'osv-json');
  assert.equal(detectFormat(Buffer.from(JSON.stringify({ vulns: [rec] }))), 'osv-json');
  assert.equal(detectFormat(Buffer.from(`[${JSON.stringify(rec)}]`)), 'osv-json');
  // The minified KEV catalog and tracker JSON are one long line each.
  assert.equal(detectFormat(Buffer.from(JSON.stringify(JSON.parse(decoded('cisa-kev.json').toString())))), 'cisa-kev');
  assert.equal(detectFormat(Buffer.from(JSON.stringify(JSON.parse(decoded('debian-tracker.json').toString())))), 'debian-tracker');
  assert.equal(detectFormat(makeZip([{ name: 'a.json', data: '{}' }])), 'osv-zip');
  assert.equal(detectFormat(Buffer.from('<?xml version="1.0"?>\n<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5">')), 'debian-oval');
  assert.equal(detectFormat(Buffer.from('hello world')), undefined);
  assert.equal(detectFormat(Buffer.from('{"some": "object"}')), undefined);
  assert.equal(detectFormat(Buffer.alloc(0)), undefined);
});

test('detectAndImport loads every fixture kind into one store', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteAdvisoryStore(join(dir, 'db', 'advisories.db'));
  t.after(() => void store.close());
  const expectations: [string, string, string][] = [
    ['go.osv.jsonl.gz', 'osv-jsonl', 'osv-go'],
    ['alpine-secdb.jsonl.gz', 'alpine-secdb', 'alpine-secdb'],
    ['debian-tracker.json', 'debian-tracker', 'debian-tracker'],
    ['cisa-kev.json', 'cisa-kev', 'cisa-kev'],
    ['epss-scores.csv.gz', 'epss-csv', 'epss'],
  ];
  for (const [f, fmt, src] of expectations) {
    const o = await detectAndImport(store, fixture(f));
    assert.equal(o.ok, true, `${f}: ${JSON.stringify(o.error)}`);
    assert.equal(o.format, fmt);
    assert.equal(o.source?.name, src);
    assert.equal(o.report.skipped, 0, f);
    assert.equal(o.store!.inserted, o.report.accepted, f);
  }
  assert.deepEqual((await store.lookup('Debian:12', 'glibc')).map((a) => a.id), ['DEBIAN-CVE-2023-4911', 'DEBIAN-TEMP-0000000-1E2C3A']);
  assert.ok((await store.lookup('Alpine:v3.20', 'openssl')).some((a) => a.id === 'ALPINE-SECDB-CVE-2024-5535-v3.20-openssl'));
  assert.deepEqual([...(await store.kev(['CVE-2025-48384'])).keys()], ['CVE-2025-48384']);
  assert.equal((await store.epss(['CVE-2024-3094'])).get('CVE-2024-3094')?.score, 0.8547);
  const st = await store.status();
  assert.equal(st.sources.find((s) => s.name === 'epss')?.lastModified, '2024-05-01');
  assert.equal(st.sources.find((s) => s.name === 'cisa-kev')?.count, 10);
  assert.equal(st.sources.find((s) => s.name === 'debian-tracker')?.count, 7);

  // Re-importing the same file changes nothing (the tracker's `modified` is the file's mtime).
  const again = await detectAndImport(store, fixture('debian-tracker.json'));
  assert.deepEqual(again.store, { inserted: 0, updated: 0, unchanged: 7, deleted: 0 });
});

test('directories, zips and buffers are detected too', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteAdvisoryStore(':memory:');
  t.after(() => void store.close());
  const raw = rawRecords('rustsec.osv.jsonl.gz');
  const osvDir = join(dir, 'osv');
  mkdirSync(osvDir);
  for (const r of raw.slice(0, 4)) writeFileSync(join(osvDir, `${r.id}.json`), JSON.stringify(r));
  const d = await detectAndImport(store, osvDir, { source: 'osv:rust-dir' });
  assert.equal(d.format, 'osv-dir');
  assert.equal(d.store?.inserted, 4);

  // osv.dev's layout: <ecosystem>/all.zip; each zip is its own source, so replacing one
  // ecosystem's snapshot leaves the other's records alone.
  mkdirSync(join(dir, 'crates.io'));
  mkdirSync(join(dir, 'Go'));
  const zipPath = join(dir, 'crates.io', 'all.zip');
  writeFileSync(zipPath, makeZip(raw.slice(4, 9).map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) }))));
  const goZip = join(dir, 'Go', 'all.zip');
  writeFileSync(goZip, makeZip(rawRecords('go.osv.jsonl.gz').slice(0, 2).map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) }))));
  const z = await detectAndImport(store, zipPath);
  assert.equal(z.format, 'osv-zip');
  assert.equal(z.source?.name, 'osv-crates.io');
  assert.equal(z.store?.inserted, 5);
  const g = await detectAndImport(store, goZip);
  assert.equal(g.source?.name, 'osv-go');
  assert.deepEqual(g.store, { inserted: 2, updated: 0, unchanged: 0, deleted: 0 });

  const b = await detectAndImport(store, gzipSync(raw.slice(9, 12).map((r) => JSON.stringify(r)).join('\n')), { source: 'osv:buf' });
  assert.equal(b.format, 'osv-jsonl');
  assert.equal(b.store?.inserted, 3);
  assert.equal((await store.status()).advisories, 14);
});

test('unreadable feeds fail cleanly and leave the store as it was', async (t) => {
  const dir = tempDir(t);
  const store = new SqliteAdvisoryStore(join(dir, 'a.db'));
  t.after(() => void store.close());
  const first = await detectAndImport(store, fixture('pypi.osv.jsonl.gz'), { source: 'osv:pypi' });
  assert.equal(first.ok, true);
  const before = await store.status();

  // A bigger feed of the same source (each record also copied under new ids, the originals
  // changed), truncated part way through the gzip stream: records flow into the store before
  // the stream breaks.
  const raw = rawRecords('pypi.osv.jsonl.gz');
  const big: string[] = raw.map((r) => JSON.stringify({ ...r, summary: 'changed' }));
  for (let i = 0; i < 20; i++) for (const r of raw) big.push(JSON.stringify({ ...r, id: `${r.id as string}-${i}` }));
  const gz = gzipSync(big.join('\n'));
  const cut = join(dir, 'pypi-cut.jsonl.gz');
  writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const warnings = new Warnings();
  const o = await detectAndImport(store, cut, { source: 'osv:pypi', warnings });
  assert.equal(o.ok, false);
  assert.equal(o.error?.code, 'feed-corrupt');
  assert.ok(o.report.accepted > 0, 'records were read before the failure');
  assert.ok(warnings.items.some((w) => w.code === 'feed-corrupt' && w.path === cut));
  const after = await store.status();
  assert.equal(after.advisories, before.advisories);
  assert.deepEqual(after.sources.map((s) => [s.name, s.count, s.importedAt]), before.sources.map((s) => [s.name, s.count, s.importedAt]));

  const junk = join(dir, 'junk.bin');
  writeFileSync(junk, 'definitely not a feed');
  assert.equal((await detectAndImport(store, junk)).error?.code, 'feed-unknown-format');
  const oval = join(dir, 'oval.xml');
  writeFileSync(oval, '<?xml version="1.0"?><oval_definitions></oval_definitions>');
  assert.equal((await detectAndImport(store, oval)).error?.code, 'feed-unsupported');
  const missing = await detectAndImport(store, join(dir, 'nope.json'));
  assert.equal(missing.ok, false);
  assert.match(missing.error?.message ?? '', /ENOENT/);
  const badJson = join(dir, 'kev.json');
  writeFileSync(badJson, '{\n  "catalogVersion": "1", "vulnerabilities": [ {');
  assert.equal((await detectAndImport(store, badJson)).error?.code, 'feed-malformed');
  assert.equal((await store.status()).advisories, before.advisories);
  assert.equal((await store.get(raw[0].id as string))?.summary, raw[0].summary);
  assert.equal(await store.get(`${raw[0].id as string}-0`), undefined);
});

test('an all.zip with a damaged entry imports nothing and keeps what the store had', async (t) => {
  const { makeZip: forge } = await import('../../helpers/zip-writer.js');
  const dir = join(tempDir(t), 'osv', 'PyPI');
  mkdirSync(dir, { recursive: true });
  const store = new SqliteAdvisoryStore(join(tempDir(t), 'db.sqlite'));
  t.after(() => void store.close());
  const records = rawRecords('pypi.osv.jsonl.gz');
  const good = forge(records.slice(0, 5).map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })));
  writeFileSync(join(dir, 'all.zip'), good);
  assert.equal((await detectAndImport(store, join(dir, 'all.zip'))).ok, true);
  const before = await store.status();
  const bad = forge([
    ...records.slice(5, 8).map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })),
    { name: 'BOMB.json', data: Buffer.alloc(200 * 1024 * 1024, 0x20) },
  ]);
  writeFileSync(join(dir, 'all.zip'), bad);
  const o = await detectAndImport(store, join(dir, 'all.zip'));
  assert.equal(o.ok, false);
  assert.match(o.error?.message ?? '', /damaged or hostile archive entry BOMB\.json/);
  const view = (st: typeof before) => st.sources.map((s) => ({ name: s.name, count: s.count, importedAt: s.importedAt }));
  assert.deepEqual(view(await store.status()), view(before));
  assert.equal(before.advisories, 5);
  assert.equal((await store.status()).advisories, 5);
});
