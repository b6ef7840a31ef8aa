import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { bundleRecords, DEMO, importedCache, npmAffected } from '../report/helpers.js';

const cache = importedCache();
const env = { SCOUT_CACHE_DIR: cache };
const sources = (JSON.parse(scout(['db', 'status', '--format', 'json'], env).stdout) as { sources: { name: string; importedAt: string }[] }).sources;
const importedAt = (name: RegExp) => sources.find((s) => name.test(s.name))!.importedAt;

test('a matching id: package, ecosystem mapping, each comparison, data source with import date, KEV', () => {
  // What the Debian record says for bookworm, read from the bundle itself.
  const dsa = bundleRecords('debian-selected.osv.jsonl.gz').find((r) => r.id === 'DSA-5514-1')!;
  const entry = dsa.affected!.find((a) => a.package?.ecosystem === 'Debian:12' && a.package.name === 'glibc')!;
  const fixed = entry.ranges![0].events.find((e) => e.fixed !== undefined)!.fixed;

  const r = scout(['explain', 'cve-2023-4911', DEMO], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^CVE-2023-4911$/m);
  assert.match(r.stdout, /^libc6 2\.36-9\+deb12u1 \(deb\)/m);
  assert.match(r.stdout, /^ {2}verdict: affected/m);
  assert.match(r.stdout, /^ {2}ecosystem: Debian:12; queried as glibc 2\.36-9\+deb12u1/m);
  assert.ok(r.stdout.includes(`fixed ${fixed}: 2.36-9+deb12u1 < ${fixed} → affected`), r.stdout);
  assert.ok(r.stdout.includes(`DSA-5514-1 — source ${sources.find((s) => /debian-selected/.test(s.name))!.name} (imported ${importedAt(/debian-selected/)})`));
  assert.match(r.stdout, /^ {2}CISA KEV: added \d{4}-\d{2}-\d{2}/m);
  assert.match(r.stdout, /^ {2}VEX: none applied$/m);
  assert.match(r.stdout, /^Summary: CVE-2023-4911 affects libc6 2\.36-9\+deb12u1$/m);
});

test('a lodash advisory whose range ends below the installed version: not matched, with the comparison', () => {
  const records = bundleRecords('ghsa-npm-demo.osv.jsonl.gz');
  const outside = records.find((r) => !r.withdrawn && r.affected!.some((a) => a.package?.ecosystem === 'npm' && a.package.name === 'lodash') && !npmAffected(r, 'lodash', '4.17.15'))!;
  assert.ok(outside, 'the bundle has a lodash advisory that does not apply to 4.17.15');
  const fixed = outside.affected!.find((a) => a.package?.name === 'lodash')!.ranges![0].events.find((e) => e.fixed !== undefined)!.fixed;

  const r = scout(['explain', outside.id, DEMO], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^lodash 4\.17\.15 \(npm\)/m);
  assert.match(r.stdout, /^ {2}verdict: not-matched — 4\.17\.15 is outside every range/m);
  assert.ok(r.stdout.includes(`fixed ${fixed}: 4.17.15 > ${fixed} → not affected`), r.stdout);
  assert.doesNotMatch(r.stdout, /^ {2}finding:/m);

  const json = JSON.parse(scout(['explain', outside.id, DEMO, '--format', 'json'], env).stdout) as { packages: { package: { name: string }; verdict: string }[] };
  assert.deepEqual(json.packages.map((p) => [p.package.name, p.verdict]), [['lodash', 'not-matched']]);
});

test('an id whose advisories name only other releases: no candidate package, said plainly', () => {
  const xz = bundleRecords('debian-selected.osv.jsonl.gz').find((r) => r.id === 'DEBIAN-CVE-2024-3094')!;
  const ecosystems = xz.affected!.map((a) => a.package!.ecosystem);
  assert.ok(!ecosystems.includes('Debian:12'));
  const r = scout(['explain', 'CVE-2024-3094', DEMO], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Summary: the SBOM has no package that the \d+ advisories for CVE-2024-3094 name/m);
  for (const e of ecosystems) assert.ok(r.stdout.includes(`${e}/xz-utils`), e);

  const unknown = scout(['explain', 'CVE-1999-0001', DEMO], env);
  assert.match(unknown.stdout, /^Summary: no advisory in the store mentions CVE-1999-0001$/m);
});

test('--package names a package no advisory for the id names; VEX that applies is shown', () => {
  const r = scout(['explain', 'CVE-2020-8203', '--package', 'minimist', DEMO], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^minimist 1\.2\.5 \(npm\)/m);
  assert.match(r.stdout, /verdict: not-matched — no advisory for this vulnerability names minimist in npm/);

  const dir = tempDir();
  writeFileSync(join(dir, 'lodash.openvex.json'), JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.test/vex/lodash',
    author: 'Demo Security <security@example.test>',
    timestamp: '2025-01-01T00:00:00Z',
    version: 1,
    statements: [{ vulnerability: { name: 'CVE-2020-8203' }, products: [{ '@id': 'pkg:npm/lodash@4.17.15' }], status: 'not_affected', justification: 'vulnerable_code_not_present', impact_statement: 'zipObjectDeep is never called' }],
  }));
  const v = scout(['explain', 'CVE-2020-8203', DEMO, '--vex-location', dir], env);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^ {2}verdict: affected/m);
  assert.match(v.stdout, /^ {2}VEX: not_affected \(vulnerable_code_not_present\) from \S*lodash\.openvex\.json by Demo Security .* — zipObjectDeep is never called$/m);
});
