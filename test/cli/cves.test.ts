import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { cycloneDxValidator } from '../sbom/formats/schema-validators.js';
import { assertGitlab, assertSarif, bundleRecords, DEMO, importedCache, kevCatalog, keyOf, npmAffected, type CvesJson, type CvesJsonFinding } from '../report/helpers.js';

const cache = importedCache();
const env = { SCOUT_CACHE_DIR: cache };

function cvesJson(extra: string[] = []): CvesJson {
  const r = scout(['cves', DEMO, '--format', 'json', ...extra], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as CvesJson;
}

const all = cvesJson();
const keys = (fs: CvesJsonFinding[]) => fs.map(keyOf).sort();

test('npm findings are exactly the bundle GHSA records whose ranges include the installed version (node-semver)', () => {
  const sbom = JSON.parse(scout(['sbom', DEMO, '--format', 'json'], env).stdout) as { packages: { name: string; version: string; type: string }[] };
  const records = bundleRecords('ghsa-npm-demo.osv.jsonl.gz');
  const recordIds = new Set(records.map((r) => r.id));
  const npm = sbom.packages.filter((p) => p.type === 'npm' && ['lodash', 'minimist', 'express', 'qs', 'jsonwebtoken', 'semver'].includes(p.name));
  assert.equal(npm.length, 6);
  let total = 0;
  for (const p of npm) {
    const expected = records.filter((r) => npmAffected(r, p.name, p.version)).map((r) => r.id).sort();
    const found = all.findings.filter((f) => f.package.type === 'npm' && f.package.name === p.name);
    // Finding ids also carry aliases that are not records of their own (GHSA-r5fr-… of GHSA-35jh-…).
    const got = [...new Set(found.flatMap((f) => f.ids.filter((i) => recordIds.has(i))))].sort();
    assert.deepEqual(got, expected, `${p.name} ${p.version}`);
    assert.ok(found.every((f) => f.ids.some((i) => expected.includes(i))), `every ${p.name} finding comes from an expected record`);
    total += expected.length;
  }
  // lodash 4.17.15 is the demo's showcase: several advisories apply to it.
  assert.ok(all.findings.filter((f) => f.package.name === 'lodash').length >= 2);
  assert.ok(total > 0);
});

test('the default output groups by package and ends with the counts; the glibc CVE carries its KEV mark', () => {
  const r = scout(['cves', DEMO, '--locations'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\S.*lodash 4\.17\.15 \(npm\)$/m);
  assert.match(r.stdout, /^ {2}location: \/app\/package-lock\.json \(layer 2 /m);
  assert.match(r.stdout, /^\s+CVE-2023-4911\s+high [\d.]+\s+2\.36-9\+deb12u3\s+KEV\s/m);
  assert.match(r.stdout, /^\s+CVE-2023-45853\s+critical [\d.]+\s+not fixed\s/m);
  const last = r.stdout.trim().split('\n').at(-1)!;
  assert.ok(last.startsWith(`${all.summary.total} vulnerabilities`), last);
  for (const level of ['critical', 'high', 'medium', 'low']) assert.ok(last.includes(`${all.summary.bySeverity[level].total} ${level}`), `${level} in ${last}`);
  const noLoc = scout(['cves', DEMO], env);
  assert.doesNotMatch(noLoc.stdout, /location:/);
});

test('json: summary counts agree with the findings; no range trace in the output', () => {
  assert.equal(all.schema, 'iechor-scout/cves@1');
  assert.equal(all.summary.total, all.findings.length);
  assert.equal(all.summary.fixed, all.findings.filter((f) => f.fixedVersions.length > 0).length);
  assert.equal(all.summary.unfixed, all.findings.filter((f) => f.status === 'unfixed').length);
  for (const [level, c] of Object.entries(all.summary.bySeverity)) assert.equal(c.total, all.findings.filter((f) => f.severity.level === level).length, level);
  assert.ok(all.findings.every((f) => f.trace === undefined));
  assert.ok(all.findings.every((f) => f.status === 'fixed' || f.status === 'unfixed'));
  assert.match(all.target.digest ?? '', /^sha256:[0-9a-f]{64}$/);
});

test('--only-cisa-kev keeps exactly the findings whose ids are in the CISA catalog', () => {
  const kev = new Set(kevCatalog().vulnerabilities.map((v) => v.cveID));
  const expected = all.findings.filter((f) => f.ids.some((i) => kev.has(i)));
  assert.ok(expected.length >= 1);
  assert.deepEqual(keys(cvesJson(['--only-cisa-kev']).findings), keys(expected));
});

test('each filter keeps exactly the findings its predicate selects', () => {
  const cases: [string[], (f: CvesJsonFinding) => boolean][] = [
    [['--only-severity', 'critical,high'], (f) => ['critical', 'high'].includes(f.severity.level)],
    [['--only-severity', 'negligible'], (f) => f.severity.level === 'negligible'],
    [['--only-fixed'], (f) => f.fixedVersions.length > 0],
    [['--only-unfixed'], (f) => f.fixedVersions.length === 0],
    [['--only-package-type', 'pypi,npm'], (f) => ['pypi', 'npm'].includes(f.package.type)],
    [['--only-package', 'lodash,libc6'], (f) => ['lodash', 'libc6'].includes(f.package.name)],
    [['--only-package', 'pkg:pypi/urllib3'], (f) => f.package.name === 'urllib3'],
    [['--only-cve-id', 'cve-2023-4911,GHSA-p6mc-m468-83gw'], (f) => f.ids.includes('CVE-2023-4911') || f.ids.includes('GHSA-p6mc-m468-83gw')],
    [['--only-severity', 'high', '--only-package-type', 'deb'], (f) => f.severity.level === 'high' && f.package.type === 'deb'],
  ];
  for (const [flags, pred] of cases) {
    const expected = all.findings.filter(pred);
    assert.ok(expected.length > 0 && expected.length < all.findings.length, `${flags.join(' ')} selects a proper subset`);
    assert.deepEqual(keys(cvesJson(flags).findings), keys(expected), flags.join(' '));
  }
  // The bundle has no EPSS scores: an EPSS threshold keeps nothing.
  assert.equal(cvesJson(['--epss-score', '0.01']).findings.length, 0);
  assert.equal(cvesJson(['--epss-percentile', '10%']).findings.length, 0);
});

test('bad filter values are refused with exit 1', () => {
  for (const flags of [['--only-severity', 'severe'], ['--epss-score', '2'], ['--epss-score', 'x'], ['--format', 'xml'], ['--only-fixed', '--only-unfixed'], ['--vex-location', '/nonexistent/vex.json']]) {
    const r = scout(['cves', DEMO, ...flags], env);
    assert.equal(r.code, 1, flags.join(' '));
    assert.match(r.stderr, /^error: /m);
  }
});

test('VEX: a not_affected statement marks the finding; --only-vex-affected and --ignore-suppressed drop it', () => {
  const dir = tempDir();
  const lodashCve = all.findings.find((f) => f.package.name === 'lodash')!;
  const vex = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.test/vex/demo-1',
    author: 'Demo Security <security@example.test>',
    timestamp: '2025-01-01T00:00:00Z',
    version: 1,
    statements: [{ vulnerability: { name: lodashCve.id }, products: [{ '@id': 'pkg:npm/lodash@4.17.15' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
  };
  writeFileSync(join(dir, 'demo.openvex.json'), JSON.stringify(vex));
  const marked = cvesJson(['--vex-location', dir]);
  assert.deepEqual(keys(marked.findings), keys(all.findings));
  const suppressed = marked.findings.filter((f) => f.suppressed);
  assert.deepEqual(suppressed.map(keyOf), [keyOf(lodashCve)]);
  assert.equal(suppressed[0].suppressed!.justification, 'vulnerable_code_not_in_execute_path');
  const expected = keys(all.findings.filter((f) => keyOf(f) !== keyOf(lodashCve)));
  assert.deepEqual(keys(cvesJson(['--vex-location', join(dir, 'demo.openvex.json'), '--only-vex-affected']).findings), expected);
  assert.deepEqual(keys(cvesJson(['--vex-location', dir, '--ignore-suppressed']).findings), expected);
  const text = scout(['cves', DEMO, '--vex-location', dir, '--only-package', 'lodash'], env);
  assert.match(text.stdout, new RegExp(`${lodashCve.id}.*VEX not_affected \\(vulnerable_code_not_in_execute_path\\)`));
});

test('--exit-code: 2 when anything remains after the filters, 0 when nothing does', () => {
  assert.equal(scout(['cves', DEMO, '--exit-code'], env).code, 2);
  assert.equal(scout(['cves', DEMO, '--exit-code', '--only-cve-id', 'CVE-1999-0001'], env).code, 0);
  assert.equal(scout(['cves', DEMO], env).code, 0);
});

test('several --format/-o pairs in one run; json, sarif, gitlab and cyclonedx are well formed', () => {
  const dir = tempDir();
  const f = (n: string) => join(dir, n);
  const r = scout(['cves', DEMO, '--format', 'json', '-o', f('r.json'), '--format', 'sarif', '-o', f('r.sarif'), '--format', 'gitlab', '-o', f('gl.json'), '--format', 'cyclonedx', '-o', f('r.cdx.json'), '--format', 'markdown'], env);
  assert.equal(r.code, 0, r.stderr);
  // markdown (the only format without a file) went to stdout
  assert.match(r.stdout, /^## Vulnerabilities in `/);
  assert.match(r.stdout, /^\| \*\*all\*\* \| \*\*(\d+)\*\* \|/m);
  assert.equal(Number(/^\| \*\*all\*\* \| \*\*(\d+)\*\*/m.exec(r.stdout)![1]), all.findings.length);

  const json = JSON.parse(readFileSync(f('r.json'), 'utf8')) as CvesJson;
  assert.deepEqual(keys(json.findings), keys(all.findings));

  const sarif = JSON.parse(readFileSync(f('r.sarif'), 'utf8'));
  assertSarif(sarif);
  const results = sarif.runs[0].results as { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
  assert.equal(results.length, all.findings.length);
  assert.deepEqual(new Set(sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)), new Set(all.findings.map((x) => x.id)));
  const glibc = results.find((x) => x.ruleId === 'CVE-2023-4911')!;
  assert.equal(glibc.level, 'error');
  assert.equal(glibc.locations[0].physicalLocation.artifactLocation.uri, 'var/lib/dpkg/status');

  const gl = JSON.parse(readFileSync(f('gl.json'), 'utf8'));
  assertGitlab(gl);
  assert.equal(gl.vulnerabilities.length, all.findings.length);
  const glLodash = gl.vulnerabilities.filter((v: { location: { dependency: { package: { name: string } } } }) => v.location.dependency.package.name === 'lodash');
  assert.equal(glLodash.length, all.findings.filter((x) => x.package.name === 'lodash').length);
  assert.ok(glLodash.every((v: { solution: string; location: { operating_system: string } }) => /^Upgrade lodash to \d/.test(v.solution) && v.location.operating_system === 'debian 12'));

  const cdx = JSON.parse(readFileSync(f('r.cdx.json'), 'utf8')) as { specVersion: string; components: { 'bom-ref': string }[]; vulnerabilities: { id: string; affects: { ref: string }[] }[] };
  const validate = cycloneDxValidator();
  assert.ok(validate(cdx as unknown), JSON.stringify(validate.errors?.slice(0, 5)));
  assert.equal(cdx.specVersion, '1.6');
  const refs = new Set(cdx.components.map((c) => c['bom-ref']));
  const affects = cdx.vulnerabilities.flatMap((v) => v.affects.map((a) => `${a.ref} ${v.id}`));
  assert.equal(affects.length, all.findings.length);
  assert.ok(affects.every((a) => refs.has(a.split(' ')[0])), 'every affects ref names a component');
  assert.deepEqual(new Set(cdx.vulnerabilities.map((v) => v.id)), new Set(all.findings.map((x) => x.id)));
});

test('--output pairing errors: two formats to stdout, more files than formats', () => {
  const dir = tempDir();
  assert.equal(scout(['cves', DEMO, '--format', 'json', '--format', 'sarif'], env).code, 1);
  const r = scout(['cves', DEMO, '--format', 'json', '-o', join(dir, 'a'), '-o', join(dir, 'b')], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--output/);
  // -o alone writes the default format to the file
  const one = scout(['cves', DEMO, '-o', join(dir, 'p.txt')], env);
  assert.equal(one.code, 0, one.stderr);
  assert.match(readFileSync(join(dir, 'p.txt'), 'utf8'), /lodash 4\.17\.15 \(npm\)/);
});

test('an SBOM file gives the same findings as the image it was made from', () => {
  const dir = tempDir();
  const file = join(dir, 'demo.cdx.json');
  assert.equal(scout(['sbom', DEMO, '--format', 'cyclonedx', '-o', file], env).code, 0);
  const r = scout(['cves', `sbom://${file}`, '--format', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  const fromFile = JSON.parse(r.stdout) as CvesJson;
  const k = (fs: CvesJsonFinding[]) => fs.map((x) => `${x.package.purl} ${x.id} ${x.status}`).sort();
  assert.deepEqual(k(fromFile.findings), k(all.findings));
});

test('an empty advisory database is an error that says how to fill it', () => {
  const fresh = tempDir();
  const r = scout(['cves', DEMO], { SCOUT_CACHE_DIR: fresh });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /advisory database is empty/);
  assert.match(r.stderr, /scout db import/);
  assert.match(r.stderr, /scout db update/);
});

test('a run leaves the CVSS scores it worked out in the cache directory; the next run reports the same severities', () => {
  const saved = JSON.parse(readFileSync(join(cache, 'cvss-scores.json'), 'utf8')) as { scores: Record<string, [number, string] | null> };
  const scored = all.findings.filter((f) => f.severity.vector !== undefined && f.severity.score !== undefined);
  assert.ok(scored.length > 10, 'the demo has findings scored from vectors');
  for (const f of scored) assert.deepEqual(saved.scores[f.severity.vector!]?.[0], f.severity.score, f.severity.vector);
  // The earlier runs of this file saved the file; this one reads it, and agrees with the first.
  const again = cvesJson();
  assert.deepEqual(again.findings.map((f) => [keyOf(f), f.severity]), all.findings.map((f) => [keyOf(f), f.severity]));
});
