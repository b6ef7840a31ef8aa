// Shared by the vulnerability command tests: the offline bundle, a cache with it imported, raw
// bundle reading (zlib + JSON.parse only), independent range checks with node-semver, and
// SARIF checked against the official 2.1.0 schema.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import semver from 'semver';
import { scout, scoutNodeArgs } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { sarifValidator } from '../sbom/formats/schema-validators.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BUNDLE = join(ROOT, 'examples', 'advisories');
export const DEMO = join(ROOT, 'examples', 'demo-image.tar');

export interface RawRecord {
  id: string;
  aliases?: string[];
  withdrawn?: string;
  affected?: { package?: { ecosystem: string; name: string }; ranges?: { type: string; events: Record<string, string>[] }[]; versions?: string[] }[];
}

export function bundleLines(file: string): string[] {
  return gunzipSync(readFileSync(join(BUNDLE, file))).toString('utf8').split('\n').filter((l) => l.trim() !== '');
}

export function bundleRecords(file: string): RawRecord[] {
  return bundleLines(file).map((l) => JSON.parse(l) as RawRecord);
}

export function kevCatalog(): { catalogVersion: string; vulnerabilities: { cveID: string }[] } {
  return JSON.parse(gunzipSync(readFileSync(join(BUNDLE, 'cisa-kev.json.gz'))).toString('utf8')) as { catalogVersion: string; vulnerabilities: { cveID: string }[] };
}

/** OSV SEMVER evaluation for one npm package, written here with node-semver (independent of src/match). */
export function npmAffected(rec: RawRecord, name: string, version: string): boolean {
  if (rec.withdrawn) return false;
  for (const a of rec.affected ?? []) {
    if (a.package?.ecosystem !== 'npm' || a.package.name !== name) continue;
    if (a.versions?.includes(version)) return true;
    for (const r of a.ranges ?? []) {
      if (r.type !== 'SEMVER') continue;
      let affected = false;
      const events = [...r.events].sort((x, y) => {
        const vx = Object.values(x)[0];
        const vy = Object.values(y)[0];
        if (vx === '0') return -1;
        if (vy === '0') return 1;
        return semver.compare(vx, vy);
      });
      for (const e of events) {
        if (e.introduced !== undefined && (e.introduced === '0' || semver.gte(version, e.introduced))) affected = true;
        if (e.fixed !== undefined && semver.gte(version, e.fixed)) affected = false;
        if (e.last_affected !== undefined && semver.gt(version, e.last_affected)) affected = false;
      }
      if (affected) return true;
    }
  }
  return false;
}

/** A cache directory with the bundle imported (one per test file). */
export function importedCache(): string {
  const dir = tempDir('scout-vuln-');
  const r = scout(['db', 'import', BUNDLE], { SCOUT_CACHE_DIR: dir });
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

/** The CLI in a child process without blocking this one (for tests that serve HTTP themselves). */
export function scoutAsync(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, scoutNodeArgs(...args), { env: { ...process.env, CI: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface CvesJsonFinding {
  id: string;
  ids: string[];
  package: { id: string; name: string; version: string; purl: string; type: string; locations: { path: string }[] };
  status: string;
  fixedVersions: string[];
  severity: { level: string; score?: number; vector?: string };
  kev?: unknown;
  epss?: unknown;
  suppressed?: { justification: string };
  trace?: unknown;
}

export interface CvesJson {
  schema: string;
  target: { reference: string; digest?: string; packages: number };
  summary: { total: number; fixed: number; unfixed: number; bySeverity: Record<string, { total: number; fixed: number; unfixed: number }> };
  findings: CvesJsonFinding[];
}

export const keyOf = (f: CvesJsonFinding): string => `${f.package.purl} ${f.id}`;

/**
 * A SARIF log valid against the official SARIF 2.1.0 schema (test/fixtures/schemas), plus what
 * the schema cannot say and GitHub code scanning relies on: rule ids listed once, each
 * result's ruleIndex pointing at its rule, a security-severity score on every rule, at least
 * one location per result with a relative URI.
 */
export function assertSarif(doc: unknown): void {
  const validate = sarifValidator();
  assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 1));
  const d = doc as { version: string; runs: { tool: { driver: { rules: SarifRule[] } }; results: SarifResult[] }[] };
  assert.equal(d.version, '2.1.0');
  for (const run of d.runs) {
    const rules = run.tool.driver.rules;
    assert.ok(Array.isArray(rules));
    const ids = new Set<string>();
    for (const r of rules) {
      assert.ok(!ids.has(r.id), `rule ${r.id} listed once`);
      ids.add(r.id);
      const sev = Number(r.properties?.['security-severity']);
      assert.ok(sev >= 0 && sev <= 10, `security-severity of ${r.id} is a score`);
    }
    for (const res of run.results) {
      assert.ok(ids.has(res.ruleId), `result rule ${res.ruleId} is defined`);
      assert.equal(rules[res.ruleIndex].id, res.ruleId, 'ruleIndex points at the rule');
      assert.ok(res.locations.length >= 1);
      for (const l of res.locations) assert.ok(!l.physicalLocation.artifactLocation.uri.startsWith('/'), `uri ${l.physicalLocation.artifactLocation.uri} is relative`);
    }
  }
}

interface SarifRule {
  id: string;
  properties?: Record<string, string>;
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
}

export const GITLAB_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/** The container-scanning report fields GitLab's schema 15.x requires, checked explicitly. */
export function assertGitlab(doc: unknown): void {
  const d = doc as Record<string, unknown>;
  assert.match(String(d.version), /^15\.\d+\.\d+$/);
  const scan = d.scan as Record<string, unknown>;
  for (const k of ['analyzer', 'scanner'] as const) {
    const t = scan[k] as Record<string, unknown>;
    assert.equal(typeof t.id, 'string');
    assert.equal(typeof t.name, 'string');
    assert.equal(typeof t.version, 'string');
    assert.equal(typeof (t.vendor as { name: string }).name, 'string');
  }
  assert.equal(scan.type, 'container_scanning');
  assert.equal(scan.status, 'success');
  assert.match(String(scan.start_time), GITLAB_TIME);
  assert.match(String(scan.end_time), GITLAB_TIME);
  assert.ok(String(scan.start_time) <= String(scan.end_time));
  const ids = new Set<string>();
  for (const v of d.vulnerabilities as Record<string, unknown>[]) {
    assert.equal(typeof v.id, 'string');
    assert.ok(!ids.has(v.id as string), 'vulnerability ids are unique');
    ids.add(v.id as string);
    assert.ok(typeof v.name === 'string' && (v.name as string).length <= 255);
    assert.equal(typeof v.description, 'string');
    assert.ok(['Critical', 'High', 'Medium', 'Low', 'Unknown', 'Info'].includes(v.severity as string));
    assert.equal(typeof v.solution, 'string');
    const loc = v.location as { dependency: { package: { name: string }; version: string }; operating_system: string; image: string };
    assert.ok(loc.dependency.package.name.length > 0);
    assert.equal(typeof loc.dependency.version, 'string');
    assert.ok(loc.operating_system.length > 0);
    assert.ok(loc.image.length > 0);
    // Schema 15: CVSS 2 or 3.x vectors with the vendor that gave them.
    for (const c of (v.cvss_vectors as { vendor: string; vector: string }[] | undefined) ?? []) {
      assert.ok(typeof c.vendor === 'string' && c.vendor.length > 0);
      assert.match(c.vector, /^(CVSS:3\.[01]\/|AV:[NAL]\/)/);
    }
    const idents = v.identifiers as { type: string; name: string; value: string; url?: string }[];
    assert.ok(idents.length >= 1);
    for (const i of idents) {
      assert.ok(i.type.length > 0 && i.name.length > 0 && i.value.length > 0);
      if (i.url !== undefined) assert.doesNotThrow(() => new URL(i.url!));
    }
  }
}
