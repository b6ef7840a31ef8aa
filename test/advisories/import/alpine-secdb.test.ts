import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alpineSecdbDocument, alpineSecdbFromLines } from '../../../src/advisories/import/alpine-secdb.js';
import { decodedChunks } from '../../../src/advisories/import/input.js';
import { ImportReport } from '../../../src/advisories/import/report.js';
import type { Advisory } from '../../../src/advisories/model.js';
import { validateOsvRecord } from '../../../src/advisories/validate.js';
import { fixture, rawRecords } from '../helpers.js';

const MODIFIED = '2024-12-28T00:00:00Z';

type SecdbDoc = { distroversion: string; reponame: string; packages: { pkg: { name: string; secfixes?: Record<string, string[] | null> } }[] };

async function importFixture() {
  const report = new ImportReport('alpine-secdb.jsonl.gz');
  const out: Advisory[] = [];
  for await (const a of alpineSecdbFromLines(decodedChunks(fixture('alpine-secdb.jsonl.gz'), 'secdb'), 'alpine-secdb', report, { modified: MODIFIED })) out.push(a);
  return { out, report };
}

test('records per (issue, branch, package) with the fixed version from the real secdb slice', async () => {
  const { out, report } = await importFixture();
  const docs = rawRecords('alpine-secdb.jsonl.gz') as unknown as SecdbDoc[];
  // Expected (branch, package, CVE) → fixed versions, straight from the documents.
  const expected = new Map<string, string[]>();
  let zero = 0;
  for (const d of docs) {
    for (const { pkg } of d.packages) {
      for (const [ver, ids] of Object.entries(pkg.secfixes ?? {})) {
        for (const id of (ids ?? []).flatMap((s) => s.split(/\s+/)).filter((s) => /^CVE-\d{4}-\d+$/.test(s))) {
          if (ver === '0') {
            zero++;
            continue;
          }
          const k = `${d.distroversion}|${pkg.name}|${id}`;
          expected.set(k, [...(expected.get(k) ?? []), ver]);
        }
      }
    }
  }
  assert.ok(zero > 0, 'the fixture has a "0" (not affected) entry');
  const cves = out.filter((a) => a.aliases[0].startsWith('CVE-'));
  assert.equal(cves.length, expected.size);
  for (const a of cves) {
    const p = a.affected[0].package!;
    const branch = p.ecosystem.replace('Alpine:', '');
    const fixes = expected.get(`${branch}|${p.name}|${a.aliases[0]}`);
    assert.ok(fixes, a.id);
    assert.deepEqual(a.affected[0].ranges.map((r) => r.events), fixes.map((f) => [{ introduced: '0' }, { fixed: f }]));
    assert.equal(a.id, `ALPINE-SECDB-${a.aliases[0]}-${branch}-${p.name}`);
    assert.equal(a.modified, MODIFIED);
    assert.equal(validateOsvRecord(a, 'alpine-secdb').ok, true);
  }
  assert.ok(report.notAffected >= zero);
  assert.equal(report.skipped, 0);
  assert.equal(report.accepted, out.length);

  // A known fact of the real data: openssl in v3.20 lists CVE-2024-5535 as fixed in 3.3.1-r1.
  const ssl = out.find((a) => a.id === 'ALPINE-SECDB-CVE-2024-5535-v3.20-openssl');
  assert.ok(ssl);
  assert.equal(ssl.affected[0].package?.ecosystem, 'Alpine:v3.20');
  assert.deepEqual(ssl.affected[0].ranges[0].events, [{ introduced: '0' }, { fixed: '3.3.1-r1' }]);
  assert.deepEqual(ssl.affected[0].database_specific, { repo: 'main' });
});

test('free-text issue lists: non-CVE ids are kept, junk tokens ignored, "0" means not affected', () => {
  const report = new ImportReport('x');
  const doc = {
    distroversion: 'v3.19', reponame: 'main',
    packages: [
      { pkg: { name: 'xen', secfixes: { '4.18.0-r2': ['CVE-2023-46837 XSA-447', '(BGP)', 'CVE-????-?????'], '0': ['CVE-2020-0001'] } } },
      { pkg: { name: 'dup', secfixes: { '1.0-r1': ['CVE-2024-1111'], '1.2-r0': ['CVE-2024-1111'] } } },
      { pkg: { name: 'nofixes' } },
      { pkg: { name: '../evil', secfixes: { '1.0': ['CVE-2024-2222'] } } },
      { pkg: { name: 'badver', secfixes: { '1.0 r1; echo': ['CVE-2024-3333'], '2.0-r0': 'CVE-2024-4444' } } },
      'not a package',
    ],
  };
  const out = [...alpineSecdbDocument(doc, 'doc', 'alpine-secdb', report, { modified: MODIFIED })];
  assert.deepEqual(out.map((a) => a.id), [
    'ALPINE-SECDB-CVE-2023-46837-v3.19-xen', 'ALPINE-SECDB-XSA-447-v3.19-xen', 'ALPINE-SECDB-CVE-2024-1111-v3.19-dup',
  ]);
  // Fixed in two versions: two ranges, so only versions past the later fix count as fixed.
  assert.equal(out[2].affected[0].ranges.length, 2);
  assert.equal(report.notAffected, 1);
  assert.equal(report.notes['ignored-issue-token'], 2);
  assert.deepEqual(report.reasons, { 'bad-package': 2, 'bad-version': 1, 'bad-field': 1 });
  const bad = new ImportReport('x');
  assert.deepEqual([...alpineSecdbDocument({ distroversion: '../../etc', packages: [] }, 'doc', 's', bad, { modified: MODIFIED })], []);
  assert.deepEqual(bad.reasons, { 'bad-branch': 1 });
});
