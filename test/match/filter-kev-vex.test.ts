// The filters that need data the other filter tests lack: a KEV catalogue that lists one of the
// findings (CISA added CVE-2023-4911, Looney Tunables, on 2023-11-21), a VEX statement that
// suppresses one, an EPSS percentile between two findings', and several purls at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectAndImport } from '../../src/advisories/import/detect.js';
import { filterFindings, match, parseVex } from '../../src/match/index.js';
import type { Finding } from '../../src/match/types.js';
import { ADVISORY_FIXTURES, DEBIAN_12, deb, pkg, sbomOf, storeWith } from './helpers.js';

const ids = (fs: Finding[]) => fs.map((f) => `${f.package.name}/${f.id}`).sort();

/** The KEV fixture with CISA's real entry for CVE-2023-4911 added to its list. */
function kevWithLooneyTunables(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'scout-kev-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kev = JSON.parse(readFileSync(join(ADVISORY_FIXTURES, 'cisa-kev.json'), 'utf8')) as { count: number; vulnerabilities: object[] };
  kev.vulnerabilities.push({
    cveID: 'CVE-2023-4911',
    vendorProject: 'GNU',
    product: 'GNU C Library',
    vulnerabilityName: 'GNU C Library Buffer Overflow Vulnerability',
    dateAdded: '2023-11-21',
    shortDescription: "GNU C Library's dynamic loader ld.so contains a buffer overflow vulnerability when processing the GLIBC_TUNABLES environment variable, allowing a local attacker to execute code with elevated privileges.",
    requiredAction: 'Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.',
    dueDate: '2023-12-12',
    knownRansomwareCampaignUse: 'Unknown',
    notes: 'https://sourceware.org/git/?p=glibc.git;a=commit;h=1056e5b4c3f2d90ed2b4a55f96add28da2f4c8fa; https://nvd.nist.gov/vuln/detail/CVE-2023-4911',
    cwes: ['CWE-122'],
  });
  const file = join(dir, 'known_exploited_vulnerabilities.json');
  writeFileSync(file, JSON.stringify(kev));
  return file;
}

async function findings(t: Parameters<typeof storeWith>[0] & { after: (fn: () => void) => void }): Promise<Finding[]> {
  const store = await storeWith(t, ['debian-selected.osv.jsonl.gz', 'match/ghsa-npm-lodash-marked.osv.jsonl.gz', 'epss-scores.csv']);
  const imported = await detectAndImport(store, kevWithLooneyTunables(t));
  assert.ok(imported.ok, imported.error?.message);
  const vex = parseVex(JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.test/vex/apt',
    author: 'Example Security',
    timestamp: '2024-05-01T00:00:00Z',
    version: 1,
    statements: [{ vulnerability: { name: 'CVE-2011-3374' }, products: [{ '@id': 'pkg:deb/debian/apt' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
  }), 'apt.vex.json');
  assert.ok(vex);
  const sbom = sbomOf([deb('libc6', '2.36-9+deb12u1', 'glibc'), deb('apt', '2.6.1'), pkg({ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' })], DEBIAN_12);
  return (await match(sbom, store, { vex: [vex] })).findings;
}

test('KEV, VEX, fixed and unfixed filters each keep exactly their findings', async (t) => {
  const all = await findings(t);
  assert.deepEqual(ids(filterFindings(all, { onlyCisaKev: true })), ['libc6/CVE-2023-4911']);
  assert.equal(filterFindings(all, { onlyCisaKev: true })[0].kev?.dateAdded, '2023-11-21');
  // The suppressed apt finding is kept unless asked otherwise.
  assert.ok(all.some((f) => f.suppressed), 'the VEX statement suppresses apt');
  assert.deepEqual(filterFindings(all, {}), all);
  assert.deepEqual(ids(filterFindings(all, { onlyVexAffected: true })), ids(all.filter((f) => f.package.name !== 'apt' || f.id !== 'CVE-2011-3374')));
  const fixed = filterFindings(all, { onlyFixed: true });
  assert.ok(fixed.length > 0);
  assert.deepEqual(ids(fixed), ids(all.filter((f) => f.fixedVersions.length > 0)));
  assert.deepEqual(ids(filterFindings(all, { onlyUnfixed: true })), ['apt/CVE-2011-3374']);
});

test('an EPSS percentile between two findings keeps the higher one', async (t) => {
  const all = await findings(t);
  // EPSS fixture percentiles: CVE-2023-4911 0.97312, CVE-2011-3374 0.59504.
  assert.deepEqual(ids(filterFindings(all, { epssPercentile: 0.6 })), ['libc6/CVE-2023-4911']);
});

test('several purls: a finding matching any of them is kept; the type is part of the name', async (t) => {
  const all = await findings(t);
  const lodash = ids(all.filter((f) => f.package.name === 'lodash'));
  const apt = ids(all.filter((f) => f.package.name === 'apt'));
  assert.ok(lodash.length > 0 && apt.length > 0);
  assert.deepEqual(ids(filterFindings(all, { packages: ['pkg:npm/lodash', 'pkg:deb/debian/apt'] })), [...apt, ...lodash].sort());
  // The scheme in capitals is still a purl (purl-spec: the scheme is case-insensitive).
  assert.deepEqual(ids(filterFindings(all, { packages: ['PKG:npm/lodash'] })), lodash);
  // A gem named lodash is not the npm package.
  assert.deepEqual(filterFindings(all, { packages: ['pkg:gem/lodash'] }), []);
});
