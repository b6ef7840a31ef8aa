// The cves filters at their edges, on findings matched from the real Debian and GHSA slices:
// words in any case, bounds that are equal to a score, purls with and without a version or
// namespace, the source-package name, and filters that combine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterFindings, match } from '../../src/match/index.js';
import type { Finding } from '../../src/match/types.js';
import { DEBIAN_12, deb, pkg, sbomOf, storeWith } from './helpers.js';

const FEEDS = ['debian-selected.osv.jsonl.gz', 'match/ghsa-npm-lodash-marked.osv.jsonl.gz', 'cisa-kev.json', 'epss-scores.csv'];

async function findings(t: Parameters<typeof storeWith>[0]): Promise<Finding[]> {
  const store = await storeWith(t, FEEDS);
  const sbom = sbomOf([
    deb('libc6', '2.36-9+deb12u1', 'glibc'),
    deb('apt', '2.6.1'),
    pkg({ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' }),
    pkg({ name: 'core', version: '4.17.15', purl: 'pkg:npm/%40other/core@4.17.15' }),
  ], DEBIAN_12);
  return (await match(sbom, store)).findings;
}

const ids = (fs: Finding[]) => fs.map((f) => `${f.package.name}/${f.id}`).sort();

test('severity and package type words in any case; an empty list filters nothing', async (t) => {
  const all = await findings(t);
  assert.ok(all.some((f) => f.package.type === 'deb') && all.some((f) => f.package.type === 'npm'), 'findings of both types');
  assert.deepEqual(ids(filterFindings(all, { severities: ['NEGLIGIBLE'] as never[] })), ['apt/CVE-2011-3374']);
  assert.deepEqual(ids(filterFindings(all, { packageTypes: ['DEB'] })), ids(all.filter((f) => f.package.purl.startsWith('pkg:deb/'))));
  assert.deepEqual(filterFindings(all, { severities: [], packageTypes: [], packages: [], cveIds: [] }), all);
  assert.deepEqual(filterFindings(all, { onlyFixed: false, onlyUnfixed: false, onlyCisaKev: false, onlyVexAffected: false }), all);
});

test('packages by the installed name, the source package queried, or a purl', async (t) => {
  const all = await findings(t);
  const glibc = ids(all.filter((f) => f.package.name === 'libc6'));
  assert.ok(glibc.length > 0);
  // The advisories name glibc, the image has libc6: either name finds it.
  assert.deepEqual(ids(filterFindings(all, { packages: ['glibc'] })), glibc);
  assert.deepEqual(ids(filterFindings(all, { packages: ['pkg:deb/debian/libc6'] })), glibc);
  // A purl's version must be the installed one; another version matches nothing.
  const lodash = ids(all.filter((f) => f.package.name === 'lodash'));
  assert.ok(lodash.length > 0);
  assert.deepEqual(ids(filterFindings(all, { packages: ['pkg:npm/lodash@4.17.15'] })), lodash);
  assert.deepEqual(filterFindings(all, { packages: ['pkg:npm/lodash@4.17.21'] }), []);
  // Namespace and type are part of a purl's name: @other/core is not lodash, and not a deb.
  assert.deepEqual(filterFindings(all, { packages: ['pkg:npm/%40other/lodash'] }), []);
  assert.deepEqual(filterFindings(all, { packages: ['pkg:deb/debian/lodash'] }), []);
  // A purl that cannot be read is no filter word either.
  assert.deepEqual(filterFindings(all, { packages: ['pkg:'] }), []);
  // Names and purls together: either matches.
  assert.deepEqual(ids(filterFindings(all, { packages: ['apt', 'pkg:npm/lodash'] })), [...ids(all.filter((f) => f.package.name === 'apt')), ...lodash].sort());
});

test('ids in any case, KEV, EPSS bounds equal to a score, and filters together', async (t) => {
  const all = await findings(t);
  assert.deepEqual(ids(filterFindings(all, { cveIds: ['cve-2023-4911'] })), ids(all.filter((f) => f.ids.includes('CVE-2023-4911'))));
  // A distribution's own id finds the finding too.
  assert.deepEqual(ids(filterFindings(all, { cveIds: ['dsa-5514-1'] })), ids(all.filter((f) => f.ids.includes('DSA-5514-1'))));
  // The KEV fixture (ten CVEs of 2024-2025) lists none of these findings' CVEs.
  assert.deepEqual(filterFindings(all, { onlyCisaKev: true }), []);
  // EPSS fixture: CVE-2023-4911 0.42136 / 0.97312, CVE-2011-3374 0.00215 / 0.59504: a bound
  // equal to the score keeps the finding.
  assert.deepEqual(ids(filterFindings(all, { epssScore: 0.42136 })), ['libc6/CVE-2023-4911']);
  assert.deepEqual(ids(filterFindings(all, { epssPercentile: 0.59504 })), ['apt/CVE-2011-3374', 'libc6/CVE-2023-4911']);
  // A bound of 0 still drops findings without EPSS data.
  assert.deepEqual(ids(filterFindings(all, { epssScore: 0 })), ids(all.filter((f) => f.epss !== undefined)));
  assert.deepEqual(ids(filterFindings(all, { epssPercentile: 0 })), ids(all.filter((f) => f.epss !== undefined)));
  assert.ok(all.some((f) => f.epss === undefined), 'some findings have no EPSS data');
  // Every filter given must hold.
  assert.deepEqual(filterFindings(all, { onlyUnfixed: true, onlyFixed: true }), []);
  assert.deepEqual(ids(filterFindings(all, { packageTypes: ['deb'], cveIds: ['GHSA-29MW-WPGM-HMR9'] })), []);
  assert.deepEqual(ids(filterFindings(all, { onlyFixed: true, packages: ['apt'] })), []);
});
