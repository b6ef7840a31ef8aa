import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodedChunks } from '../../../src/advisories/import/input.js';
import { epssFromCsv, type EpssMeta } from '../../../src/advisories/import/epss.js';
import { kevCatalog } from '../../../src/advisories/import/kev.js';
import { ImportReport } from '../../../src/advisories/import/report.js';
import type { EpssScore } from '../../../src/advisories/model.js';
import { fixture } from '../helpers.js';

type RawKev = { vulnerabilities: { cveID: string; dateAdded: string; dueDate: string; knownRansomwareCampaignUse: string; cwes: string[]; product: string }[] };

test('CISA KEV entries from the real catalog slice', () => {
  const raw = JSON.parse(readFileSync(fixture('cisa-kev.json'), 'utf8')) as RawKev & { catalogVersion: string; dateReleased: string };
  const report = new ImportReport('cisa-kev.json');
  const cat = kevCatalog(raw, report);
  assert.equal(cat.catalogVersion, '2025.08.25');
  assert.equal(cat.dateReleased, raw.dateReleased);
  assert.equal(cat.entries.length, raw.vulnerabilities.length);
  assert.equal(report.skipped, 0);
  cat.entries.forEach((e, i) => {
    const r = raw.vulnerabilities[i];
    assert.equal(e.cve, r.cveID);
    assert.equal(e.dateAdded, r.dateAdded);
    assert.equal(e.dueDate, r.dueDate);
    assert.equal(e.product, r.product);
    assert.deepEqual(e.cwes, r.cwes);
    assert.equal(e.knownRansomwareUse, r.knownRansomwareCampaignUse === 'Known');
  });
  assert.ok(cat.entries.some((e) => e.knownRansomwareUse === true));
});

test('bad KEV entries are skipped with reasons', () => {
  const report = new ImportReport('kev');
  const cat = kevCatalog({ vulnerabilities: [
    { cveID: 'CVE-2024-0001', dateAdded: '2024-01-01', knownRansomwareCampaignUse: 'Maybe', cwes: ['CWE-79', 7] },
    { cveID: 'CVE-2024-0001', dateAdded: '2024-01-02' },
    { cveID: 'cve-bad', dateAdded: '2024-01-01' },
    { cveID: 'CVE-2024-0002', dateAdded: 'yesterday' },
    null,
  ] }, report);
  assert.deepEqual(cat.entries, [{ cve: 'CVE-2024-0001', dateAdded: '2024-01-01', cwes: ['CWE-79'] }]);
  assert.deepEqual(report.reasons, { duplicate: 1, 'bad-id': 1, 'bad-date': 1, 'bad-entry': 1 });
  const none = new ImportReport('kev');
  assert.deepEqual(kevCatalog({ title: 'x' }, none).entries, []);
  assert.deepEqual(none.reasons, { 'bad-document': 1 });
});

async function scores(input: Buffer | string, report: ImportReport, meta: EpssMeta = {}): Promise<EpssScore[]> {
  const out: EpssScore[] = [];
  for await (const s of epssFromCsv(decodedChunks(input, 'epss'), report, meta)) out.push(s);
  return out;
}

test('EPSS CSV, gzipped or not, with the score date and model from the comment line', async () => {
  for (const f of ['epss-scores.csv', 'epss-scores.csv.gz']) {
    const meta: EpssMeta = {};
    const report = new ImportReport(f);
    const got = await scores(fixture(f), report, meta);
    assert.deepEqual(meta, { modelVersion: 'v2023.03.01', date: '2024-05-01' });
    const rows = readFileSync(fixture('epss-scores.csv'), 'utf8').trim().split('\n').slice(2).map((l) => l.split(','));
    assert.deepEqual(got, rows.map(([cve, s, p]) => ({ cve, score: Number(s), percentile: Number(p), date: '2024-05-01', modelVersion: 'v2023.03.01' })));
    assert.equal(report.skipped, 0);
  }
});

test('bad EPSS rows are skipped; a file without the header yields nothing', async () => {
  const report = new ImportReport('epss');
  const csv = 'cve,epss,percentile\nCVE-2024-0001,0.5,0.9\nCVE-2024-0002,1.5,0.9\nCVE-2024-0003,NaN,0.1\nnot-a-cve,0.1,0.1\nCVE-2024-0004,,\nCVE-2024-0005,4.3e-4,0.01\n';
  const got = await scores(Buffer.from(csv), report);
  assert.deepEqual(got.map((s) => [s.cve, s.score]), [['CVE-2024-0001', 0.5], ['CVE-2024-0005', 0.00043]]);
  assert.deepEqual(report.reasons, { 'bad-score': 3, 'bad-id': 1 });
  const noHeader = new ImportReport('epss');
  assert.deepEqual(await scores(Buffer.from('CVE-2024-0001,0.5,0.9\n'), noHeader), []);
  assert.deepEqual(noHeader.reasons, { 'bad-header': 1 });
});
