// Reporters called directly on real findings (the demo image against the offline bundle), and
// on hostile or edge-case variants of them: text that could break a table, no locations, no
// score, nothing found.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { detectAndImport } from '../../src/advisories/import/detect.js';
import { match } from '../../src/match/index.js';
import type { Finding } from '../../src/match/types.js';
import { writeCycloneDxVulnerabilities } from '../../src/report/cyclonedx.js';
import { writeGitlab } from '../../src/report/gitlab.js';
import { writeJson } from '../../src/report/json.js';
import { writeMarkdown } from '../../src/report/markdown.js';
import { writePackages } from '../../src/report/packages.js';
import { writeSarif } from '../../src/report/sarif.js';
import { countFindings, groupByPackage } from '../../src/report/summary.js';
import { loadSbom } from '../../src/sbom/load.js';
import type { Sbom } from '../../src/sbom/model.js';
import { SqliteAdvisoryStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir } from '../helpers/tmp.js';
import { cycloneDxValidator } from '../sbom/formats/schema-validators.js';
import { assertGitlab, assertSarif, BUNDLE, DEMO, GITLAB_TIME } from './helpers.js';

const opts = { tool: { name: 'iechor-scout', version: '0.0.0-test' }, target: 'demo', generatedAt: '2025-03-04T05:06:07.890Z' };
let sbom: Sbom;
let findings: Finding[];

before(async () => {
  process.env.SCOUT_CACHE_DIR = tempDir();
  const store = new SqliteAdvisoryStore(':memory:');
  for (const f of ['debian-selected.osv.jsonl.gz', 'ghsa-npm-demo.osv.jsonl.gz', 'pypa-demo.osv.jsonl.gz', 'cisa-kev.json.gz']) {
    const out = await detectAndImport(store, join(BUNDLE, f));
    assert.ok(out.ok, out.error?.message);
  }
  sbom = (await loadSbom(DEMO, {}, { cache: false })).sbom;
  findings = (await match(sbom, store)).findings;
  await store.close();
  assert.ok(findings.length > 5);
});

const clone = (f: Finding): Finding => structuredClone(f);

test('counts: per severity, fixed vs unfixed, distinct ids and packages', () => {
  const c = countFindings(findings);
  assert.equal(c.total, findings.length);
  assert.equal(c.fixed + c.unfixed, findings.filter((f) => f.status !== 'not-affected').length);
  assert.equal(c.vulnerabilities, new Set(findings.map((f) => f.id)).size);
  assert.equal(c.packages, new Set(findings.map((f) => f.package.id)).size);
  // openssl and libssl3 share their CVEs: more findings than distinct ids.
  assert.ok(c.vulnerabilities < c.total);
  const sum = Object.values(c.bySeverity).reduce((a, l) => a + l.total, 0);
  assert.equal(sum, c.total);
});

test('groups: one per package, the package with the most critical findings first', () => {
  const groups = groupByPackage(findings);
  assert.equal(groups.length, new Set(findings.map((f) => f.package.id)).size);
  const crit = (g: (typeof groups)[number]) => g.counts.bySeverity.critical.total;
  assert.equal(crit(groups[0]), Math.max(...groups.map(crit)));
  for (const g of groups) assert.ok(g.findings.every((f) => f.package.id === g.package.id));
});

test('hostile text in a summary cannot break the markdown table; paths with spaces stay valid SARIF URIs', () => {
  const f = clone(findings.find((x) => x.package.name === 'lodash')!);
  f.summary = 'breaks | the table\nand <script>alert(1)</script> lines';
  f.package.locations = [{ path: '/app/node modules/lodash/package.json' }];
  const md = writeMarkdown([f], sbom, { ...opts, locations: true });
  const row = md.split('\n').find((l) => l.startsWith(`| [${f.id}]`))!;
  // 6 columns → 7 unescaped pipes
  assert.equal(row.match(/(?<!\\)\|/g)!.length, 7, row);
  assert.ok(!md.includes('\nand <script>'));
  const sarif = JSON.parse(writeSarif([f], sbom, opts));
  assertSarif(sarif);
  assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'app/node%20modules/lodash/package.json');
});

test('a finding without score or locations still gives valid SARIF, GitLab and CycloneDX', () => {
  const f = clone(findings[0]);
  f.severity = { level: 'unknown', source: 'none' };
  f.package.locations = [];
  f.references = ['not a url', 'https://example.test/advisory'];
  const sarif = JSON.parse(writeSarif([f], sbom, opts));
  assertSarif(sarif);
  assert.equal(sarif.runs[0].results[0].level, 'warning');
  const gl = JSON.parse(writeGitlab([f], sbom, opts));
  assertGitlab(gl);
  assert.equal(gl.vulnerabilities[0].severity, 'Unknown');
  assert.deepEqual(gl.vulnerabilities[0].links, [{ url: `https://nvd.nist.gov/vuln/detail/${f.id}` }, { url: 'https://example.test/advisory' }]);
  const cdx = JSON.parse(writeCycloneDxVulnerabilities([f], sbom, opts)) as unknown;
  assert.ok(cycloneDxValidator()(cdx), JSON.stringify(cycloneDxValidator().errors?.slice(0, 3)));
});

test('hostile advisory ids: SARIF help URIs and CycloneDX source URLs are encoded and stay valid', () => {
  const f = clone(findings.find((x) => x.package.name === 'lodash')!);
  // An advisory id from a feed is text: spaces, quotes and brackets must not break a URL.
  f.id = 'GHSA-xxxx yyyy "zz" <1>';
  f.ids = [f.id, 'PYSEC-2024 1'];
  f.advisories = [{ ...f.advisories[0], id: f.id }];
  const sarif = JSON.parse(writeSarif([f], sbom, opts));
  assertSarif(sarif);
  assert.equal(sarif.runs[0].tool.driver.rules[0].helpUri, `https://github.com/advisories/${encodeURIComponent(f.id)}`);
  const cdx = JSON.parse(writeCycloneDxVulnerabilities([f], sbom, opts)) as { vulnerabilities: { source: { url: string } }[] };
  assert.ok(cycloneDxValidator()(cdx));
  assert.equal(cdx.vulnerabilities[0].source.url, `https://github.com/advisories/${encodeURIComponent(f.id)}`);
});

test('the schema validators reject what the schemas forbid: a bad SARIF level, a start line of 0, an IRI with a space', () => {
  const good = JSON.parse(writeSarif([findings[0]], sbom, opts));
  assert.doesNotThrow(() => assertSarif(good));
  const badLevel = structuredClone(good);
  badLevel.runs[0].results[0].level = 'critical';
  assert.throws(() => assertSarif(badLevel));
  const badLine = structuredClone(good);
  badLine.runs[0].results[0].locations[0].physicalLocation.region = { startLine: 0 };
  assert.throws(() => assertSarif(badLine));
  const badUri = structuredClone(good);
  badUri.runs[0].tool.driver.rules[0].helpUri = 'https://example.test/a b';
  assert.throws(() => assertSarif(badUri));
  // CycloneDX external references are iri-references: checked, non-ASCII allowed.
  const cdx = JSON.parse(writeCycloneDxVulnerabilities([findings[0]], sbom, opts)) as { metadata: { component: Record<string, unknown> } };
  assert.equal(cycloneDxValidator()(cdx), true);
  cdx.metadata.component.externalReferences = [{ type: 'website', url: 'https://example.test/a b' }];
  assert.equal(cycloneDxValidator()(cdx), false, 'iri-reference is checked');
  cdx.metadata.component.externalReferences = [{ type: 'website', url: 'https://例え.test/脆弱性' }];
  assert.equal(cycloneDxValidator()(cdx), true, 'an IRI may hold non-ASCII characters');
});

/** The level GitHub shows for a security-severity number. */
function githubLevel(score: number): string {
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : score > 0 ? 'low' : 'none';
}
const GITHUB_LEVEL: Record<string, string> = { critical: 'critical', high: 'high', medium: 'medium', low: 'low', negligible: 'low', unknown: 'medium' };

test('SARIF: level and security-severity follow the finding severity; one rule per id across packages', () => {
  const sarif = JSON.parse(writeSarif(findings, sbom, opts));
  assertSarif(sarif);
  const rules = sarif.runs[0].tool.driver.rules as { id: string; properties: { 'security-severity': string } }[];
  assert.equal(rules.length, new Set(findings.map((f) => f.id)).size);
  for (const f of findings) {
    const rule = rules.find((r) => r.id === f.id)!;
    const shown = Number(rule.properties['security-severity']);
    assert.equal(githubLevel(shown), GITHUB_LEVEL[f.severity.level], `${f.id} is ${f.severity.level}, GitHub shows ${shown}`);
    if (f.severity.score !== undefined && githubLevel(f.severity.score) === GITHUB_LEVEL[f.severity.level]) assert.equal(shown, Number(f.severity.score.toFixed(1)));
  }
  // Debian rates some CVEs negligible whose upstream CVSS is high: GitHub must not say High.
  const negligible = findings.find((f) => f.severity.level === 'negligible');
  assert.ok(negligible, 'the demo has a negligible finding');
  const scored = { ...negligible, severity: { ...negligible.severity, score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', cvssVersion: '3.1' as const } };
  const one = JSON.parse(writeSarif([scored], sbom, opts));
  assert.equal(githubLevel(Number(one.runs[0].tool.driver.rules[0].properties['security-severity'])), 'low');
  assert.equal(one.runs[0].results[0].level, 'note');
  // One analysis per image (GitHub's category), and where to learn about the tool.
  assert.equal(sarif.runs[0].automationDetails.id, 'iechor-scout/cves/demo-api:1.0.0/');
  assert.match(sarif.runs[0].tool.driver.informationUri, /^https:\/\//);
  const levels = new Map(sarif.runs[0].results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level]));
  for (const f of findings) {
    const want = f.severity.level === 'critical' || f.severity.level === 'high' ? 'error' : f.severity.level === 'medium' ? 'warning' : 'note';
    assert.equal(levels.get(f.id), want, f.id);
  }
});

test('GitLab: negligible is Info, times are second-precision UTC, ids stable between runs', () => {
  const a = JSON.parse(writeGitlab(findings, sbom, { ...opts, startedAt: '2025-03-04T05:06:00.123Z' }));
  assertGitlab(a);
  assert.equal(a.scan.start_time, '2025-03-04T05:06:00');
  assert.equal(a.scan.end_time, '2025-03-04T05:06:07');
  assert.match(a.scan.end_time, GITLAB_TIME);
  const negligible = findings.filter((f) => f.severity.level === 'negligible').length;
  assert.ok(negligible > 0);
  assert.equal(a.vulnerabilities.filter((v: { severity: string }) => v.severity === 'Info').length, negligible);
  const b = JSON.parse(writeGitlab(findings, sbom, opts));
  assert.deepEqual(a.vulnerabilities.map((v: { id: string }) => v.id), b.vulnerabilities.map((v: { id: string }) => v.id));
  const cve = a.vulnerabilities.find((v: { identifiers: { value: string }[] }) => v.identifiers.some((i) => i.value === 'CVE-2023-4911'));
  assert.deepEqual(cve.identifiers.find((i: { value: string }) => i.value === 'CVE-2023-4911'), { type: 'cve', name: 'CVE-2023-4911', value: 'CVE-2023-4911', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-4911' });
});

test('CycloneDX: VEX not_affected becomes analysis; CVSS 3.1 ratings name their method; schema-valid', () => {
  const fs = findings.map(clone);
  const target = fs.find((f) => f.package.name === 'lodash')!;
  target.suppressed = { justification: 'vulnerable_code_not_in_execute_path', statement: { file: 'x.json', vulnerability: target.id, status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' } };
  const cdx = JSON.parse(writeCycloneDxVulnerabilities(fs, sbom, opts)) as { vulnerabilities: { id: string; analysis?: { state: string; justification?: string }; ratings: { method?: string; score?: number; vector?: string }[] }[] };
  assert.ok(cycloneDxValidator()(cdx as unknown), JSON.stringify(cycloneDxValidator().errors?.slice(0, 3)));
  const v = cdx.vulnerabilities.find((x) => x.id === target.id)!;
  assert.deepEqual(v.analysis && { state: v.analysis.state, justification: v.analysis.justification }, { state: 'not_affected', justification: 'code_not_reachable' });
  for (const f of fs.filter((x) => x.severity.cvssVersion === '3.1')) {
    // The rating that carries the score (the level may come from another source's rating).
    const r = cdx.vulnerabilities.find((x) => x.id === f.id)!.ratings.find((x) => x.vector !== undefined)!;
    assert.equal(r.method, 'CVSSv31');
    assert.equal(r.vector, f.severity.vector);
  }
});

test('nothing found: every format still renders a valid, empty report', () => {
  assert.match(writePackages([], sbom, opts), /^No vulnerabilities found$/m);
  const sarif = JSON.parse(writeSarif([], sbom, opts));
  assertSarif(sarif);
  assert.deepEqual(sarif.runs[0].results, []);
  const gl = JSON.parse(writeGitlab([], sbom, opts));
  assertGitlab(gl);
  assert.deepEqual(gl.vulnerabilities, []);
  const cdx = JSON.parse(writeCycloneDxVulnerabilities([], sbom, opts)) as { vulnerabilities?: unknown[] };
  assert.ok(cycloneDxValidator()(cdx as unknown));
  assert.equal(cdx.vulnerabilities?.length ?? 0, 0);
  assert.equal(JSON.parse(writeJson([], sbom, opts)).summary.total, 0);
  assert.match(writeMarkdown([], sbom, opts), /\| \*\*all\*\* \| \*\*0\*\* \|/);
});

test('CycloneDX vulnerabilities name the source that gave them and their ratings; GitLab carries CVSS vectors and links', () => {
  const cdx = JSON.parse(writeCycloneDxVulnerabilities(findings, sbom, opts)) as { vulnerabilities: { id: string; source: { name: string; url: string }; ratings: { source?: { name: string }; severity: string; vector?: string }[] }[] };
  assert.ok(cycloneDxValidator()(cdx), JSON.stringify(cycloneDxValidator().errors?.slice(0, 3)));
  const byId = new Map(cdx.vulnerabilities.map((v) => [v.id, v]));
  // glibc's CVE-2023-4911 comes from Debian's records for the Debian package: Debian, not NVD.
  const glibc = byId.get('CVE-2023-4911')!;
  assert.equal(glibc.source.name, 'Debian');
  assert.match(glibc.source.url, /^https:\/\/security-tracker\.debian\.org\/tracker\/CVE-2023-4911$/);
  const npm = findings.find((f) => f.package.type === 'npm' && f.advisories.some((a) => a.id.startsWith('GHSA-')))!;
  const npmVuln = byId.get(npm.id)!;
  assert.equal(npmVuln.source.name, 'GitHub');
  for (const v of cdx.vulnerabilities) {
    const f = findings.find((x) => x.id === v.id)!;
    if (f.severity.source === 'none') continue;
    assert.ok(v.ratings.every((r) => ['Debian', 'GitHub', 'NVD', 'OSV', 'PyPA', 'Alpine', 'Ubuntu'].includes(r.source?.name ?? '')), `${v.id}: ${JSON.stringify(v.ratings)}`);
  }
  const gl = JSON.parse(writeGitlab(findings, sbom, opts)) as { vulnerabilities: { name: string; links: { url: string }[]; cvss_vectors?: { vendor: string; vector: string }[] }[] };
  assertGitlab(gl);
  const withV3 = findings.filter((f) => f.severity.cvssVersion === '3.1' || f.severity.cvssVersion === '3.0');
  assert.ok(withV3.length > 0);
  for (const f of withV3) {
    const v = gl.vulnerabilities.find((x) => x.name === `${f.id} in ${f.package.name}`)!;
    assert.deepEqual(v.cvss_vectors?.map((c) => c.vector), [f.severity.vector]);
    assert.ok(v.links[0].url.includes(f.id), 'the advisory page is the first link');
  }
});

test('CWEs of GHSA records reach the finding and the CycloneDX vulnerability', async () => {
  const store = new SqliteAdvisoryStore(':memory:');
  const out = await detectAndImport(store, join('test', 'fixtures', 'advisories', 'maven-ghsa-sample.osv.jsonl.gz'));
  assert.ok(out.ok);
  const jline: Sbom = { ...sbom, packages: [{ id: 'jline', name: 'jline-parent', namespace: 'org.jline', version: '3.24.0', type: 'maven', purl: 'pkg:maven/org.jline/jline-parent@3.24.0', licenses: [], locations: [{ path: '/app/jline.jar' }], foundBy: 'test' }], packageCount: 1 };
  const r = await match(jline, store);
  await store.close();
  const f = r.findings.find((x) => x.ids.includes('GHSA-2268-98wh-qfhf'));
  assert.deepEqual(f?.cwes, ['CWE-122', 'CWE-787']);
  const cdx = JSON.parse(writeCycloneDxVulnerabilities(r.findings, jline, opts)) as { vulnerabilities: { id: string; cwes?: number[] }[] };
  assert.deepEqual(cdx.vulnerabilities.find((v) => v.id === f!.id)?.cwes, [122, 787]);
  assert.ok(cycloneDxValidator()(cdx), JSON.stringify(cycloneDxValidator().errors?.slice(0, 3)));
});
