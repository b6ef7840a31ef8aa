import { test } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';
import { match } from '../../src/match/index.js';
import type { Advisory } from '../../src/advisories/model.js';
import { DEBIAN_12, deb, pkg, rawRecords, sbomOf, storeWith } from './helpers.js';

const DEBIAN = 'debian-selected.osv.jsonl.gz';
const NPM = 'match/ghsa-npm-lodash-marked.osv.jsonl.gz';

/** Expected GHSA ids for an npm package version, read from the raw records with node-semver. */
function npmExpected(records: Advisory[], name: string, version: string): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (r.withdrawn) continue;
    const hit = r.affected.some((a) => a.package?.ecosystem === 'npm' && a.package.name === name && (a.ranges ?? []).some((rg) => {
      let lo = '0.0.0-0';
      let inRange = false;
      for (const e of rg.events) {
        if ('introduced' in e) lo = e.introduced === '0' ? '0.0.0-0' : e.introduced;
        if ('fixed' in e) inRange ||= semver.gte(version, lo) && semver.lt(version, e.fixed);
        if ('last_affected' in e) inRange ||= semver.gte(version, lo) && semver.lte(version, e.last_affected);
      }
      // An open-ended range (introduced without a closing event).
      const last = rg.events.at(-1)!;
      if ('introduced' in last) inRange ||= semver.gte(version, lo);
      return inRange;
    }));
    if (hit) out.push(r.id);
  }
  return out.sort();
}

test('Debian 12: glibc, openssh and apt by source package; fix versions, unfixed triage and trace', async (t) => {
  const store = await storeWith(t, [DEBIAN]);
  const sbom = sbomOf([
    deb('libc6', '2.36-9+deb12u1', 'glibc'),
    deb('libc-bin', '2.36-9+deb12u1', 'glibc'),
    deb('openssh-client', '1:9.2p1-2', 'openssh'),
    deb('apt', '2.6.1'),
    deb('liblzma5', '5.4.1-0.2', 'xz-utils'),
  ], DEBIAN_12);
  const r = await match(sbom, store);
  const by = (name: string, id: string) => r.findings.find((f) => f.package.name === name && f.id === id);

  const glibc = by('libc6', 'CVE-2023-4911');
  assert.ok(glibc, 'libc6 has CVE-2023-4911');
  assert.equal(glibc.status, 'fixed');
  assert.deepEqual(glibc.fixedVersions, ['2.36-9+deb12u3']);
  assert.equal(glibc.ecosystem, 'Debian:12');
  assert.equal(glibc.queriedName, 'glibc');
  // DSA-5514-1 and DEBIAN-CVE-2023-4911 are one vulnerability.
  assert.ok(glibc.ids.includes('DSA-5514-1') && glibc.ids.includes('DEBIAN-CVE-2023-4911'));
  assert.equal(r.findings.filter((f) => f.package.name === 'libc6' && f.ids.includes('DSA-5514-1')).length, 1);
  assert.equal(glibc.package.locations[0].layer?.index, 1);
  assert.ok(by('libc-bin', 'CVE-2023-4911'), 'every binary of the source package is reported');
  // Trace: the fixed event compared lower than the installed version.
  const fixedEvent = glibc.trace.find((e) => e.event === 'fixed' && e.eventVersion === '2.36-9+deb12u3');
  assert.equal(fixedEvent?.comparison, -1);
  assert.equal(fixedEvent?.affectedAfter, true);

  const ssh = by('openssh-client', 'CVE-2024-6387');
  assert.ok(ssh);
  assert.deepEqual(ssh.fixedVersions, ['1:9.2p1-2+deb12u3']);

  const apt = by('apt', 'CVE-2011-3374');
  assert.ok(apt);
  assert.equal(apt.status, 'unfixed');
  assert.deepEqual(apt.fixedVersions, []);
  assert.equal(apt.statusText, 'unimportant');

  // xz-utils CVE-2024-3094 is recorded for Debian 13 and 14 only.
  assert.equal(r.findings.filter((f) => f.package.name === 'liblzma5').length, 0);
  assert.equal(r.stats.matchable, 5);
});

test('Debian: a version past the fix does not match; the same record matches in Debian 11 only by its own range', async (t) => {
  const store = await storeWith(t, [DEBIAN]);
  const r = await match(sbomOf([deb('libc6', '2.36-9+deb12u3', 'glibc'), deb('libc6', '2.31-13+deb11u6', 'glibc', 'debian-11')]), store);
  const ids12 = r.findings.filter((f) => f.queriedVersion === '2.36-9+deb12u3').map((f) => f.id);
  assert.ok(!ids12.includes('CVE-2023-4911'));
  assert.ok(ids12.includes('CVE-2024-2961'), 'still below the CVE-2024-2961 fix 2.36-9+deb12u6');
  const f11 = r.findings.find((f) => f.queriedVersion === '2.31-13+deb11u6' && f.id === 'CVE-2023-4911');
  assert.equal(f11?.ecosystem, 'Debian:11');
  assert.deepEqual(f11?.fixedVersions, ['2.31-13+deb11u7']);
});

test('npm lodash 4.17.15: exactly the GHSAs whose ranges include it, by node-semver', async (t) => {
  const store = await storeWith(t, [NPM]);
  const expected = npmExpected(rawRecords(NPM), 'lodash', '4.17.15');
  assert.ok(expected.length >= 3, 'the fixture has several lodash advisories for 4.17.15');
  const r = await match(sbomOf([pkg({ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' })]), store);
  const got = r.findings.flatMap((f) => f.advisories.map((a) => a.id)).sort();
  assert.deepEqual(got, expected);
  // One finding per advisory here, each primary id a CVE listed with its GHSA.
  for (const f of r.findings) {
    assert.match(f.id, /^CVE-/);
    assert.ok(f.ids.some((i) => i.startsWith('GHSA-')));
  }
});

test('withdrawn advisories never match (marked 0.3.5)', async (t) => {
  const store = await storeWith(t, [NPM]);
  const raw = rawRecords(NPM);
  const withdrawnIds = raw.filter((r) => r.withdrawn).map((r) => r.id);
  const expected = npmExpected(raw, 'marked', '0.3.5');
  const r = await match(sbomOf([pkg({ name: 'marked', version: '0.3.5', purl: 'pkg:npm/marked@0.3.5' })]), store);
  const got = r.findings.flatMap((f) => f.advisories.map((a) => a.id)).sort();
  assert.deepEqual(got, expected);
  assert.ok(!got.some((id) => withdrawnIds.includes(id)));
  // Withdrawn records whose ranges include 0.3.5 exist, so the test can fail.
  assert.ok(raw.some((x) => x.withdrawn && x.affected.some((a) => a.package?.name === 'marked' && a.ranges?.[0]?.events.some((e) => 'fixed' in e && semver.gt(e.fixed, '0.3.5')))));
  assert.ok(r.stats.withdrawnIgnored > 0);
});

test('a language package installed by an OS package gets no upstream findings', async (t) => {
  const store = await storeWith(t, [NPM]);
  const owner = deb('node-lodash', '4.17.15+dfsg-1');
  const owned = pkg({ id: 'npm-owned', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', ownedBy: owner.id });
  const free = pkg({ id: 'npm-free', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', locations: [{ path: '/app/node_modules/lodash/package.json' }] });
  const r = await match(sbomOf([owner, owned, free], DEBIAN_12), store);
  assert.equal(r.findings.filter((f) => f.package.id === 'npm-owned').length, 0);
  assert.ok(r.findings.some((f) => f.package.id === 'npm-free'));
  const nm = r.notMatchable.find((n) => n.packageId === 'npm-owned');
  assert.equal(nm?.code, 'os-owned');
  assert.match(nm!.reason, /node-lodash/);
});

test('aliases merge: a GHSA with two CVE aliases is one finding; DEBIAN-CVE/DSA merge with their CVE', async (t) => {
  const store = await storeWith(t, [NPM]);
  const r = await match(sbomOf([pkg({ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' })]), store);
  const f = r.findings.find((x) => x.ids.includes('GHSA-35jh-r3h4-6jhm'));
  assert.ok(f);
  // Both CVEs and the second GHSA alias are listed on the one finding.
  for (const id of ['CVE-2021-23337', 'CVE-2026-4800', 'GHSA-r5fr-rjxr-66jc']) assert.ok(f.ids.includes(id), id);
  assert.equal(f.id, 'CVE-2021-23337');
  assert.equal(r.findings.filter((x) => x.ids.includes('CVE-2026-4800')).length, 1);
});

test('severity: Debian urgency wins, then the advisory CVSS (scored), then GHSA labels', async (t) => {
  const store = await storeWith(t, [DEBIAN, NPM, 'maven-ghsa-sample.osv.jsonl.gz']);
  const maven = rawRecords('maven-ghsa-sample.osv.jsonl.gz').find((r) => r.database_specific?.severity === 'MODERATE' && !r.withdrawn && r.affected[0]?.ranges?.[0]?.events.some((e) => 'introduced' in e && e.introduced === '0'))!;
  const mavenName = maven.affected[0].package!.name;
  const [group, artifact] = mavenName.split(':');
  const lowest = maven.affected[0].versions?.[0] ?? '0.0.1';
  const r = await match(sbomOf([
    deb('apt', '2.6.1'),
    deb('libc6', '2.36-9+deb12u1', 'glibc'),
    pkg({ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' }),
    pkg({ name: artifact, namespace: group, version: lowest, purl: `pkg:maven/${group}/${artifact}@${lowest}` }),
  ], DEBIAN_12), store);

  const apt = r.findings.find((f) => f.id === 'CVE-2011-3374')!;
  assert.equal(apt.severity.source, 'distro');
  assert.equal(apt.severity.level, 'negligible');
  // The record's own CVSS 3.1 vector is still shown, marked as coming from the advisory.
  assert.equal(apt.severity.vector, 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N');
  assert.equal(apt.severity.score, 3.7);
  assert.equal(apt.severity.scoreSource, 'advisory');

  // 'not yet assigned' is no rating: the advisory's CVSS decides (7.8 → high).
  const glibc = r.findings.find((f) => f.id === 'CVE-2023-4911' && f.package.name === 'libc6')!;
  assert.equal(glibc.severity.source, 'advisory');
  assert.equal(glibc.severity.score, 7.8);
  assert.equal(glibc.severity.level, 'high');
  assert.equal(glibc.severity.cvssVersion, '3.1');

  const ghsa = r.findings.find((f) => f.ids.includes('GHSA-29mw-wpgm-hmr9'))!;
  assert.equal(ghsa.severity.source, 'advisory');
  assert.equal(ghsa.severity.score, 5.3);
  assert.equal(ghsa.severity.level, 'medium');

  const mv = r.findings.find((f) => f.ids.includes(maven.id));
  assert.ok(mv, `${mavenName} ${lowest} matches ${maven.id}`);
  assert.equal(mv.severity.level, 'medium');
  assert.match(mv.severity.from ?? '', /database_specific\.severity MODERATE/);
  assert.equal(mv.ecosystem, 'Maven');
});

test('KEV and EPSS enrichment by CVE; data source and import date', async (t) => {
  const store = await storeWith(t, [DEBIAN, 'cisa-kev.json', 'epss-scores.csv']);
  const r = await match(sbomOf([deb('libc6', '2.36-9+deb12u1', 'glibc'), deb('apt', '2.6.1')], DEBIAN_12), store);
  const glibc = r.findings.find((f) => f.id === 'CVE-2023-4911')!;
  // Values as the fixtures state them.
  const epssLine = (await import('node:fs')).readFileSync(new URL('../fixtures/advisories/epss-scores.csv', import.meta.url), 'utf8').split('\n').find((l) => l.startsWith('CVE-2023-4911,'))!;
  const [, score, pct] = epssLine.split(',');
  assert.deepEqual({ score: glibc.epss?.score, percentile: glibc.epss?.percentile }, { score: Number(score), percentile: Number(pct) });
  const kevDoc = JSON.parse((await import('node:fs')).readFileSync(new URL('../fixtures/advisories/cisa-kev.json', import.meta.url), 'utf8')) as { vulnerabilities: { cveID: string; dateAdded: string; knownRansomwareCampaignUse: string }[] };
  const kevCves = new Set(kevDoc.vulnerabilities.map((v) => v.cveID));
  for (const f of r.findings) assert.equal(f.kev !== undefined, f.ids.some((i) => kevCves.has(i)), f.id);
  const stored = await store.get('DEBIAN-CVE-2023-4911');
  assert.equal(glibc.dataSource.name, stored?.source);
  const status = (await store.status()).sources.find((s) => s.name === stored?.source);
  assert.ok(status);
  assert.equal(glibc.dataSource.importedAt, status.importedAt);
});

test('KEV entry with ransomware flag reaches the finding', async (t) => {
  const store = await storeWith(t, ['cisa-kev.json']);
  const kevDoc = JSON.parse((await import('node:fs')).readFileSync(new URL('../fixtures/advisories/cisa-kev.json', import.meta.url), 'utf8')) as { vulnerabilities: { cveID: string; dateAdded: string; knownRansomwareCampaignUse: string }[] };
  const known = kevDoc.vulnerabilities.find((v) => v.knownRansomwareCampaignUse === 'Known')!;
  // A real OSV-shaped record for that CVE, as an importer would store it.
  await store.importBatch({ kind: 'advisories', source: { name: 'test-npm', kind: 'advisories' }, mode: 'merge', records: [{
    id: 'TEST-KEV-1', source: 'test-npm', modified: '2024-01-01T00:00:00Z', aliases: [known.cveID], related: [], upstream: [], severity: [], references: [],
    affected: [{ package: { ecosystem: 'npm', name: 'kev-demo' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }], versions: [] }],
  }] });
  const r = await match(sbomOf([pkg({ name: 'kev-demo', version: '1.0.0', purl: 'pkg:npm/kev-demo@1.0.0' })]), store);
  assert.equal(r.findings[0].kev?.dateAdded, known.dateAdded);
  assert.equal(r.findings[0].kev?.knownRansomwareUse, true);
  assert.equal(r.findings[0].status, 'unfixed');
});

test('Alpine by origin and branch; PyPI normalised names; Go stdlib', async (t) => {
  const store = await storeWith(t, ['alpine-secdb.jsonl.gz', 'pypi.osv.jsonl.gz', 'go.osv.jsonl.gz']);
  // GO-2021-0067: stdlib introduced 1.16.0-0, fixed 1.16.1; GO-2021-0069 ends at 1.15.5.
  const stdlibIds = rawRecords('go.osv.jsonl.gz').filter((r) => r.affected.some((a) => a.package?.name === 'stdlib')).map((r) => r.id).sort();
  assert.deepEqual(stdlibIds, ['GO-2021-0067', 'GO-2021-0069']);
  const django = rawRecords('pypi.osv.jsonl.gz').filter((r) => !r.withdrawn && r.affected.some((a) => a.package?.name === 'django'));
  const r = await match(sbomOf([
    pkg({ name: 'libcrypto3', version: '3.0.0-r0', purl: 'pkg:apk/alpine/libcrypto3@3.0.0-r0?arch=x86_64&distro=alpine-3.20.3&upstream=openssl', source: { name: 'openssl', version: '3.0.0-r0' } }),
    pkg({ name: 'Django', version: '1.0', purl: 'pkg:pypi/django@1.0' }),
    pkg({ name: 'stdlib', version: 'v1.16.0', purl: 'pkg:golang/stdlib@v1.16.0' }),
  ]), store);
  const alpine = r.findings.filter((f) => f.package.name === 'libcrypto3');
  assert.ok(alpine.length > 0);
  assert.ok(alpine.every((f) => f.ecosystem === 'Alpine:v3.20' && f.queriedName === 'openssl' && f.status === 'fixed'));
  const dj = r.findings.filter((f) => f.ecosystem === 'PyPI');
  assert.deepEqual(dj.flatMap((f) => f.advisories.map((a) => a.id)).sort(), django.map((d) => d.id).sort());
  assert.deepEqual(r.findings.filter((f) => f.ecosystem === 'Go').flatMap((f) => f.advisories.map((a) => a.id)), ['GO-2021-0067']);
});

test('hostile advisories are skipped with counted reasons; unknown package types are not matchable', async (t) => {
  const store = await storeWith(t, []);
  const base = { source: 'hostile', modified: '2024-01-01T00:00:00Z', aliases: [], related: [], upstream: [], severity: [], references: [] };
  const entry = (events: unknown[], extra: Record<string, unknown> = {}) => ({ package: { ecosystem: 'npm', name: 'victim' }, ranges: [{ type: 'SEMVER', events }], versions: [], ...extra });
  const tenK = Array.from({ length: 5000 }, (_, i) => (i % 2 ? { fixed: `1.${i}.0` } : { introduced: `1.${i}.0` }));
  const records = [
    { ...base, id: 'H-INVALID', affected: [entry([{ introduced: '0' }, { fixed: 'not.a.version' }])] },
    { ...base, id: 'H-HUGE', affected: [entry(tenK)] },
    { ...base, id: 'H-NOEVENT', affected: [entry([{ bogus: '1' }])] },
    { ...base, id: 'H-BADVERSIONS', affected: [{ package: { ecosystem: 'npm', name: 'victim' }, ranges: [], versions: ['x'.repeat(5000), '1.0.0'] }] },
    { ...base, id: 'H-GOOD', severity: [{ type: 'CVSS_V3', score: 'garbage' }], affected: [entry([{ introduced: '0' }, { fixed: '2.0.0' }])] },
  ];
  await store.importBatch({ kind: 'advisories', source: { name: 'hostile', kind: 'advisories' }, mode: 'merge', records: records as never });
  const r = await match(sbomOf([
    pkg({ name: 'victim', version: '1.0.0', purl: 'pkg:npm/victim@1.0.0' }),
    pkg({ name: 'thing', version: '1', purl: 'pkg:generic/thing@1' }),
    pkg({ name: 'bad', version: 'not-semver', purl: 'pkg:npm/bad@not-semver' }),
  ]), store);
  assert.deepEqual(r.findings.map((f) => f.id).sort(), ['H-BADVERSIONS', 'H-GOOD']);
  assert.equal(r.findings.find((f) => f.id === 'H-GOOD')!.severity.level, 'unknown');
  assert.deepEqual(r.skipped.map((s) => s.advisory).sort(), ['H-HUGE', 'H-INVALID', 'H-NOEVENT']);
  assert.deepEqual(r.skippedByReason, { 'invalid-version': 1, 'too-large': 1, 'bad-range': 1 });
  assert.ok(r.warnings.some((w) => w.code === 'match-advisories-skipped'));
  assert.deepEqual(r.notMatchable.map((n) => [n.name, n.code]).sort(), [['bad', 'invalid-version'], ['thing', 'unsupported-type']]);
});
