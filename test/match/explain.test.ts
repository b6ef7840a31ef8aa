import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explain, filterFindings, match } from '../../src/match/index.js';
import { DEBIAN_12, deb, pkg, sbomOf, storeWith } from './helpers.js';

const FEEDS = ['debian-selected.osv.jsonl.gz', 'match/ghsa-npm-lodash-marked.osv.jsonl.gz', 'cisa-kev.json', 'epss-scores.csv'];

test('explain: an affected package shows its mapping, every event compared, the source and its import date', async (t) => {
  const store = await storeWith(t, FEEDS);
  const sbom = sbomOf([deb('libc6', '2.36-9+deb12u1', 'glibc'), deb('apt', '2.6.1')], DEBIAN_12);
  const e = await explain(sbom, store, 'CVE-2023-4911');
  assert.ok(e.ids.includes('DSA-5514-1') && e.ids.includes('DEBIAN-CVE-2023-4911'));
  assert.equal(e.packages.length, 1);
  const p = e.packages[0];
  assert.equal(p.verdict, 'affected');
  assert.ok(p.mapping.ok && p.mapping.ecosystems[0] === 'Debian:12' && p.mapping.name === 'glibc');
  assert.ok(p.mapping.ok && p.mapping.derivation.some((d) => d.includes('source package glibc')));
  // Both records were evaluated against Debian:12 with the same two events.
  assert.deepEqual(p.evaluations.map((x) => x.advisory).sort(), ['DEBIAN-CVE-2023-4911', 'DSA-5514-1']);
  for (const ev of p.evaluations) {
    assert.equal(ev.ecosystem, 'Debian:12');
    const events = ev.trace.filter((x) => x.kind === 'event').map((x) => [x.event, x.eventVersion, x.comparison]);
    assert.deepEqual(events, [['introduced', '0', 1], ['fixed', '2.36-9+deb12u3', -1]]);
    assert.ok(ev.importedAt);
  }
  assert.deepEqual(p.finding?.fixedVersions, ['2.36-9+deb12u3']);
  assert.match(e.summary, /affects libc6 2\.36-9\+deb12u1/);
});

test('explain: why nothing matched — another release, a version past the fix, an unknown id', async (t) => {
  const store = await storeWith(t, FEEDS);
  const sbom = sbomOf([deb('liblzma5', '5.4.1-0.2', 'xz-utils'), deb('openssh-client', '1:9.2p1-2+deb12u3', 'openssh')], DEBIAN_12);

  const xz = await explain(sbom, store, 'CVE-2024-3094');
  assert.equal(xz.packages[0].verdict, 'not-matched');
  assert.match(xz.packages[0].reason, /Debian:13, Debian:14 only/);

  const ssh = await explain(sbom, store, 'CVE-2024-6387', 'openssh-client');
  assert.equal(ssh.packages[0].verdict, 'not-matched');
  assert.match(ssh.packages[0].reason, /outside every range/);
  const fixed = ssh.packages[0].evaluations[0].trace.find((x) => x.event === 'fixed');
  assert.equal(fixed?.comparison, 0);
  assert.equal(fixed?.affectedAfter, false);

  const none = await explain(sbom, store, 'CVE-1999-0001');
  assert.equal(none.packages.length, 0);
  assert.match(none.summary, /no advisory in the store/);
});

test('explain: by GHSA id for an npm package; an OS-owned package is explained as such', async (t) => {
  const store = await storeWith(t, FEEDS);
  const owner = deb('node-lodash', '4.17.15+dfsg-1');
  const owned = pkg({ id: 'owned', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', ownedBy: owner.id });
  const app = pkg({ id: 'app', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' });
  const e = await explain(sbomOf([owner, owned, app], DEBIAN_12), store, 'GHSA-29mw-wpgm-hmr9', 'lodash');
  const byId = new Map(e.packages.map((p) => [p.package.id, p]));
  assert.equal(byId.get('owned')?.verdict, 'os-owned');
  assert.equal(byId.get('app')?.verdict, 'affected');
  assert.equal(byId.get('app')?.finding?.id, 'CVE-2020-28500');
  const ranges = byId.get('app')!.evaluations[0].trace.filter((x) => x.kind === 'range-result').map((x) => x.note);
  assert.deepEqual(ranges, ['>=4.0.0, <4.17.21: includes 4.17.15']);
});

test('filterFindings implements the Docker Scout filters', async (t) => {
  const store = await storeWith(t, FEEDS);
  const sbom = sbomOf([deb('libc6', '2.36-9+deb12u1', 'glibc'), deb('apt', '2.6.1'), pkg({ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' })], DEBIAN_12);
  const all = (await match(sbom, store)).findings;
  const ids = (fs: typeof all) => fs.map((f) => `${f.package.name}/${f.id}`).sort();
  assert.deepEqual(filterFindings(all, {}), all);
  assert.ok(filterFindings(all, { onlyFixed: true }).every((f) => f.fixedVersions.length > 0));
  assert.deepEqual(ids(filterFindings(all, { onlyUnfixed: true })), ['apt/CVE-2011-3374']);
  assert.deepEqual(ids(filterFindings(all, { severities: ['negligible'] })), ['apt/CVE-2011-3374']);
  assert.ok(filterFindings(all, { packageTypes: ['npm'] }).every((f) => f.package.type === 'npm'));
  assert.equal(filterFindings(all, { packageTypes: ['npm'] }).length, all.filter((f) => f.package.purl.startsWith('pkg:npm/')).length);
  assert.deepEqual(ids(filterFindings(all, { packages: ['libc6'] })), ids(all.filter((f) => f.package.name === 'libc6')));
  assert.deepEqual(ids(filterFindings(all, { packages: ['pkg:npm/lodash'] })), ids(all.filter((f) => f.package.name === 'lodash')));
  assert.deepEqual(ids(filterFindings(all, { cveIds: ['ghsa-29mw-wpgm-hmr9'] })), ['lodash/CVE-2020-28500']);
  assert.deepEqual(ids(filterFindings(all, { onlyCisaKev: true })), ids(all.filter((f) => f.kev)));
  // EPSS fixture: CVE-2023-4911 0.42136 / 0.97312, CVE-2011-3374 0.00215 / 0.59504.
  assert.deepEqual(ids(filterFindings(all, { epssScore: 0.4 })), ['libc6/CVE-2023-4911']);
  assert.deepEqual(ids(filterFindings(all, { epssPercentile: 0.5 })), ['apt/CVE-2011-3374', 'libc6/CVE-2023-4911']);
  assert.deepEqual(ids(filterFindings(all, { epssPercentile: 0.5, severities: ['high'] })), ['libc6/CVE-2023-4911']);
});
