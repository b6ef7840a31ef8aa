import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { debianTrackerRecords } from '../../../src/advisories/import/debian-tracker.js';
import { ImportReport } from '../../../src/advisories/import/report.js';
import { validateOsvRecord } from '../../../src/advisories/validate.js';
import { fixture } from '../helpers.js';

const MODIFIED = '2024-06-01T00:00:00Z';
const doc = JSON.parse(readFileSync(fixture('debian-tracker.json'), 'utf8')) as unknown;

function run(input: unknown) {
  const report = new ImportReport('tracker.json');
  const records = [...debianTrackerRecords(input, 'debian-tracker', report, { modified: MODIFIED })];
  return { records, report };
}

test('one record per CVE, one affected entry per (package, numbered release)', () => {
  const { records, report } = run(doc);
  assert.deepEqual(records.map((r) => r.id), [
    'DEBIAN-CVE-2011-3374', 'DEBIAN-CVE-2022-48303', 'DEBIAN-CVE-2023-45853', 'DEBIAN-CVE-2023-4911',
    'DEBIAN-CVE-2023-5363', 'DEBIAN-CVE-2024-3094', 'DEBIAN-TEMP-0000000-1E2C3A',
  ]);
  const glibc = records.find((r) => r.id === 'DEBIAN-CVE-2023-4911')!;
  assert.deepEqual(glibc.upstream, ['CVE-2023-4911']);
  assert.equal(glibc.modified, MODIFIED);
  assert.match(glibc.details ?? '', /GLIBC_TUNABLES/);
  // bullseye has fixed_version "0" (never affected) and sid has no numbered ecosystem.
  assert.deepEqual(glibc.affected.map((a) => [a.package?.ecosystem, a.package?.name, a.ranges[0].events]), [
    ['Debian:12', 'glibc', [{ introduced: '0' }, { fixed: '2.36-9+deb12u3' }]],
    ['Debian:13', 'glibc', [{ introduced: '0' }, { fixed: '2.37-12' }]],
  ]);
  assert.equal(glibc.affected[0].package?.purl, 'pkg:deb/debian/glibc?arch=source');
  // xz-utils: bookworm never had the backdoor.
  const xz = records.find((r) => r.id === 'DEBIAN-CVE-2024-3094')!;
  assert.deepEqual(xz.affected.map((a) => a.package?.ecosystem), ['Debian:13']);
  assert.equal(report.notAffected, 3); // glibc and openssl in bullseye, xz-utils in bookworm
  assert.equal(report.seen, 7);
  assert.equal(report.accepted, 7);
  assert.equal(report.skipped, 0);
  assert.equal(report.notes['release-without-ecosystem:sid'], 4);
  // What we produce is itself a valid OSV record.
  for (const r of records) assert.equal(validateOsvRecord(r, 'debian-tracker').ok, true, r.id);
});

test('triage status (open, no-dsa, postponed, ignored, unimportant, end-of-life) is kept', () => {
  const { records } = run(doc);
  const tar = records.find((r) => r.id === 'DEBIAN-CVE-2022-48303')!;
  const byEco = Object.fromEntries(tar.affected.map((a) => [a.package!.ecosystem, a]));
  assert.deepEqual(byEco['Debian:12'].database_specific, { status: 'resolved', tags: [], urgency: 'low' });
  assert.deepEqual(byEco['Debian:11'].ranges[0].events, [{ introduced: '0' }]);
  assert.deepEqual(byEco['Debian:11'].database_specific, { status: 'open', tags: ['no-dsa', 'postponed'], urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'postponed' });
  assert.deepEqual(byEco['Debian:10'].database_specific, { status: 'open', tags: ['end-of-life'], urgency: 'end-of-life' });
  const zlib = records.find((r) => r.id === 'DEBIAN-CVE-2023-45853')!;
  assert.deepEqual(zlib.affected[0].database_specific?.tags, ['no-dsa', 'ignored', 'unimportant']);
  const apt = records.find((r) => r.id === 'DEBIAN-CVE-2011-3374')!;
  assert.deepEqual(apt.affected.map((a) => [a.package!.ecosystem, a.database_specific?.tags]), [['Debian:12', ['unimportant']], ['Debian:11', ['unimportant']]]);
  const temp = records.find((r) => r.id === 'DEBIAN-TEMP-0000000-1E2C3A')!;
  assert.deepEqual(temp.upstream, []);
  assert.equal(temp.affected[0].database_specific?.status, 'undetermined');
});

test('hostile tracker content is skipped item by item', () => {
  const { records, report } = run({
    'good-pkg': { 'CVE-2024-0001': { releases: { bookworm: { status: 'resolved', fixed_version: '1.0-1' } } } },
    'Bad Name': { 'CVE-2024-0002': { releases: {} } },
    'pkg2': {
      'not-a-cve': { releases: {} },
      'CVE-2024-0003': { releases: 'none' },
      'CVE-2024-0004': { releases: { bookworm: { status: 'exploded' } } },
      'CVE-2024-0005': { releases: { bookworm: { status: 'resolved', fixed_version: ['1.0'] } } },
      'CVE-2024-0006': { releases: { bookworm: { status: 'resolved', fixed_version: '1.0 ; rm -rf /' } } },
      'CVE-2024-0007': { releases: { narnia: { status: 'open' } } },
    },
    'pkg3': 'not an object',
  });
  assert.deepEqual(records.map((r) => r.id), ['DEBIAN-CVE-2024-0001']);
  assert.deepEqual(report.reasons, { 'bad-package-name': 1, 'bad-id': 1, 'bad-field': 2, 'bad-release': 3 });
  assert.equal(report.notes['unknown-release'], 1);
  assert.deepEqual(run([1, 2]).report.reasons, { 'bad-document': 1 });
});
