import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { DEMO, importedCache, type CvesJson } from '../report/helpers.js';

const env = { SCOUT_CACHE_DIR: importedCache() };
const LEVELS = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];

interface Quickview {
  target: { reference: string; digest: string; packages: number };
  vulnerabilities: { total: number; fixed: number; unfixed: number; bySeverity: Record<string, { total: number; fixed: number; unfixed: number }> };
  baseNote?: string;
}

const cves = JSON.parse(scout(['cves', DEMO, '--format', 'json'], env).stdout) as CvesJson;
const sbom = JSON.parse(scout(['sbom', DEMO, '--format', 'json'], env).stdout) as { packageCount: number; image: { digest: string } };

/** Counts by severity from the cves findings, computed here. */
function expectedCounts(level: string): { total: number; fixed: number; unfixed: number } {
  const fs = cves.findings.filter((f) => f.severity.level === level);
  return { total: fs.length, fixed: fs.filter((f) => f.fixedVersions.length > 0).length, unfixed: fs.filter((f) => f.fixedVersions.length === 0).length };
}

test('quickview json: counts by severity match the cves findings; digest and package count match the SBOM', () => {
  const r = scout(['quickview', DEMO, '--format', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  const q = JSON.parse(r.stdout) as Quickview;
  assert.equal(q.target.digest, sbom.image.digest);
  assert.equal(q.target.packages, sbom.packageCount);
  for (const l of LEVELS) assert.deepEqual(q.vulnerabilities.bySeverity[l], expectedCounts(l), l);
  assert.equal(q.vulnerabilities.total, cves.findings.length);
  assert.ok(q.vulnerabilities.total > 0);
  // The base image seam is visible, not silently absent.
  assert.match(q.baseNote ?? '', /base image/);
});

test('quickview text: one row per severity with total, fixed and not fixed', () => {
  const r = scout(['quickview', DEMO], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^\\s+digest\\s+${sbom.image.digest}$`, 'm'));
  assert.match(r.stdout, new RegExp(`^\\s+packages\\s+${sbom.packageCount}$`, 'm'));
  for (const l of LEVELS) {
    const e = expectedCounts(l);
    assert.match(r.stdout, new RegExp(`^${l}\\s+${e.total}\\s+${e.fixed}\\s+${e.unfixed}$`, 'm'), l);
  }
  assert.match(r.stdout, new RegExp(`^all\\s+${cves.findings.length}\\s`, 'm'));
  assert.match(r.stdout, /^Base image: /m);
});

test('quickview with an empty database is an error naming the fix', () => {
  const r = scout(['quickview', DEMO], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /scout db import/);
});
