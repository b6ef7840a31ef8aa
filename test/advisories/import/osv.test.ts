import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodedChunks } from '../../../src/advisories/import/input.js';
import { osvFromDirectory, osvFromDocument, osvFromJsonLines, osvFromZip } from '../../../src/advisories/import/osv.js';
import { ImportReport } from '../../../src/advisories/import/report.js';
import type { Advisory } from '../../../src/advisories/model.js';
import { Warnings } from '../../../src/util/errors.js';
import { fixture, makeZip, rawRecords, tempDir } from '../helpers.js';

async function all<T>(it: AsyncIterable<T> | Iterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const good = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  modified: '2024-01-01T00:00:00Z',
  aliases: [`CVE-2024-${id.length}000`],
  affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] }] }],
  ...extra,
});

test('every record of the real fixtures imports unchanged apart from the added source', async () => {
  for (const file of ['pypi.osv.jsonl.gz', 'go.osv.jsonl.gz', 'maven-ghsa-sample.osv.jsonl.gz', 'debian-selected.osv.jsonl.gz', 'alpine-selected.osv.jsonl.gz']) {
    const report = new ImportReport(file);
    const got = await all(osvFromJsonLines(decodedChunks(fixture(file), file), 'src', report));
    const raw = rawRecords(file);
    assert.equal(report.skipped, 0, file);
    assert.equal(got.length, raw.length, file);
    assert.equal(report.seen, raw.length);
    assert.equal(report.accepted, raw.length);
    for (let i = 0; i < raw.length; i++) {
      const r = raw[i] as Record<string, unknown>;
      const a = got[i];
      assert.equal(a.id, r.id);
      assert.equal(a.source, 'src');
      assert.equal(a.modified, r.modified);
      assert.equal(a.withdrawn, r.withdrawn);
      assert.deepEqual(a.aliases, r.aliases ?? []);
      // Affected entries, ranges and versions are kept exactly (absent arrays become []).
      const ra = r.affected as Record<string, unknown>[];
      assert.equal(a.affected.length, ra.length);
      ra.forEach((x, j) => {
        assert.deepEqual(a.affected[j].package, x.package);
        assert.deepEqual(a.affected[j].ranges, x.ranges ?? []);
        assert.deepEqual(a.affected[j].versions, x.versions ?? []);
        assert.deepEqual(a.affected[j].ecosystem_specific, x.ecosystem_specific);
      });
      assert.deepEqual(a.severity, r.severity ?? []);
      assert.deepEqual(a.references, r.references ?? []);
    }
  }
});

test('hostile JSON lines are skipped with counted reasons, good lines still import', async () => {
  const tenK = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? { fixed: `1.${i}` } : { introduced: `1.${i}` }));
  const lines = [
    JSON.stringify(good('GHSA-good-0001')),
    '{"id": "GHSA-broken", "affected": [',
    '[1, 2, 3]',
    JSON.stringify({ modified: '2024-01-01T00:00:00Z', affected: [] }),
    JSON.stringify(good('GHSA-noeco', { affected: [{ package: { ecosystem: 'NotAnEcosystem', name: 'x' } }] })),
    JSON.stringify(good('GHSA-10k', { affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: tenK }] }] })),
    JSON.stringify(good('GHSA-nonstr', { affected: [{ package: { ecosystem: 'npm', name: 'x' }, versions: ['1.0.0', 2, null] }] })),
    JSON.stringify(good('GHSA-event', { affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0', fixed: '1' }] }] }] })),
    JSON.stringify(good('GHSA-idtype', { id: 12345 })),
    JSON.stringify(good('bad id with spaces')),
    JSON.stringify(good('GHSA-aff', { affected: 'everything' })),
    JSON.stringify(good('GHSA-deep', { database_specific: JSON.parse('{"a":'.repeat(100) + '1' + '}'.repeat(100)) })),
    JSON.stringify(good('GHSA-mixed', {
      affected: [
        { package: { ecosystem: 'NotAnEcosystem', name: 'x' } },
        { package: { ecosystem: 'PyPI', name: 'requests' }, ranges: [{ type: 'WEIRD', events: [{ introduced: '0' }] }, { type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] },
      ],
    })),
    '',
    '   ',
    JSON.stringify(good('GHSA-good-0002')),
  ];
  const warnings = new Warnings();
  const report = new ImportReport('hostile.jsonl.gz', warnings);
  const got = await all(osvFromJsonLines(decodedChunks(gzipSync(lines.join('\r\n')), 'hostile'), 'test', report));
  assert.deepEqual(got.map((a) => a.id), ['GHSA-good-0001', 'GHSA-mixed', 'GHSA-good-0002']);
  assert.equal(report.seen, 14);
  assert.equal(report.skipped, 11);
  assert.deepEqual(report.reasons, {
    'malformed-json': 1,
    'not-an-object': 1,
    'missing-id': 1,
    'unknown-ecosystem': 1,
    'too-many-events': 1,
    'bad-version': 1,
    'bad-event': 1,
    'bad-field': 1,
    'bad-id': 1,
    'bad-affected': 1,
    'too-large': 1,
  });
  // The mixed record keeps only what we understand, and says what it dropped.
  const mixed = got[1];
  assert.deepEqual(mixed.affected.map((a) => a.package?.ecosystem), ['PyPI']);
  assert.deepEqual(mixed.affected[0].ranges.map((r) => r.type), ['ECOSYSTEM']);
  assert.deepEqual(report.notes, { 'dropped-affected:unknown-ecosystem': 1, 'dropped-range:unknown-type': 1 });
  // Every skip is a warning naming the file and the line.
  assert.equal(warnings.items.length, 11);
  assert.ok(warnings.items.every((w) => w.path === 'hostile.jsonl.gz' && /^line \d+/.test(w.message)));
  assert.ok(warnings.items.some((w) => w.message.startsWith('line 6 (GHSA-10k): too-many-events')));
});

test('a line over the size cap is skipped and reading resumes at the next line', async () => {
  const huge = JSON.stringify(good('GHSA-huge', { details: 'x'.repeat(300_000) }));
  const report = new ImportReport('big');
  const input = [JSON.stringify(good('GHSA-a')), huge, JSON.stringify(good('GHSA-b'))].join('\n');
  const { lines } = await import('../../../src/advisories/import/input.js');
  const got: string[] = [];
  for await (const l of lines(decodedChunks(Buffer.from(input), 'big'), 200_000)) got.push(l.tooLong ? `TOO LONG ${l.no}` : JSON.parse(l.text).id);
  assert.deepEqual(got, ['GHSA-a', 'TOO LONG 2', 'GHSA-b']);
  // And at the record level: details over the text cap reject the record.
  const r = await all(osvFromJsonLines(decodedChunks(Buffer.from(input), 'big'), 's', report));
  assert.deepEqual(r.map((a) => a.id), ['GHSA-a', 'GHSA-b']);
  assert.deepEqual(report.reasons, { 'too-large': 1 });
});

test('a byte order mark before the first line does not cost the first record', async () => {
  const text = '\uFEFF' + [JSON.stringify(good('GHSA-bom-1')), JSON.stringify(good('GHSA-bom-2'))].join('\n');
  const report = new ImportReport('bom');
  const got = await all(osvFromJsonLines(decodedChunks(Buffer.from(text, 'utf8'), 'bom'), 's', report));
  assert.deepEqual(got.map((a) => a.id), ['GHSA-bom-1', 'GHSA-bom-2']);
  assert.equal(report.skipped, 0);
  // Also when the file is one line with no newline at the end.
  const one = await all(osvFromJsonLines(decodedChunks(Buffer.from('\uFEFF' + JSON.stringify(good('GHSA-bom-3')), 'utf8'), 'bom'), 's', new ImportReport('bom')));
  assert.deepEqual(one.map((a) => a.id), ['GHSA-bom-3']);
});

test('a truncated gzip stream fails the iteration instead of ending quietly', async () => {
  const gz = gzipSync(Buffer.from(Array.from({ length: 500 }, (_, i) => JSON.stringify(good(`GHSA-t${i}`))).join('\n')));
  const report = new ImportReport('cut.gz');
  await assert.rejects(all(osvFromJsonLines(decodedChunks(gz.subarray(0, Math.floor(gz.length / 2)), 'cut.gz'), 's', report)), /cut\.gz/);
});

test('single documents: one record, an array, and the API form {"vulns": [...]}', async () => {
  const rec = good('GHSA-one');
  const one = await all(osvFromDocument(JSON.stringify(rec, null, 2), 's', new ImportReport('x')));
  assert.deepEqual(one.map((a) => a.id), ['GHSA-one']);
  const arr = await all(osvFromDocument(JSON.stringify([rec, good('GHSA-two'), 'junk']), 's', new ImportReport('x')));
  assert.deepEqual(arr.map((a) => a.id), ['GHSA-one', 'GHSA-two']);
  const report = new ImportReport('x');
  const vulns = await all(osvFromDocument(JSON.stringify({ vulns: [rec, { id: 5 }] }), 's', report));
  assert.deepEqual(vulns.map((a) => a.id), ['GHSA-one']);
  assert.deepEqual(report.reasons, { 'bad-field': 1 });
  const bad = new ImportReport('x');
  assert.deepEqual(await all(osvFromDocument('{not json', 's', bad)), []);
  assert.deepEqual(bad.reasons, { 'malformed-json': 1 });
});

test('a directory tree of OSV JSON files imports every .json file and ignores the rest', async (t) => {
  const dir = tempDir(t);
  const raw = rawRecords('rustsec.osv.jsonl.gz').slice(0, 6);
  mkdirSync(join(dir, 'crates', 'deep'), { recursive: true });
  raw.forEach((r, i) => writeFileSync(join(dir, i % 2 ? 'crates' : join('crates', 'deep'), `${r.id}.json`), JSON.stringify(r, null, 2)));
  writeFileSync(join(dir, 'README.md'), '# not a record');
  writeFileSync(join(dir, 'broken.json'), '{"id": ');
  symlinkSync('/etc/passwd', join(dir, 'crates', 'link.json'));
  const report = new ImportReport(dir);
  const got = await all(osvFromDirectory(dir, 's', report));
  assert.deepEqual(got.map((a) => a.id).sort(), raw.map((r) => r.id as string).sort());
  assert.equal(report.skipped, 1);
  assert.deepEqual(report.samples.map((s) => [s.where, s.reason]), [['broken.json', 'malformed-json']]);
});

test('an osv.dev all.zip imports each JSON entry; bad entries are skipped', async () => {
  const raw = rawRecords('go.osv.jsonl.gz').slice(0, 5);
  const zip = makeZip([
    ...raw.map((r) => ({ name: `${r.id}.json`, data: JSON.stringify(r) })),
    { name: 'notes.txt', data: 'ignored' },
    { name: 'GO-broken.json', data: '{"id": "GO-broken", "modified": 5}' },
  ]);
  const report = new ImportReport('all.zip');
  const got: Advisory[] = await all(osvFromZip(zip, 'all.zip', 's', report));
  assert.deepEqual(got.map((a) => a.id), raw.map((r) => r.id));
  assert.deepEqual(report.samples.map((s) => [s.where, s.reason]), [['GO-broken.json', 'bad-field']]);
  // A zip that is not a zip at all is an error of the whole feed.
  assert.throws(() => [...osvFromZip(Buffer.from('PK\x03\x04 not really'), 'bad.zip', 's', new ImportReport('bad.zip'))], /bad\.zip/);
});
