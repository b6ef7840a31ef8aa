// `-o -` is standard output; two reports to one file is an error before the scan; a report that
// cannot be written does not cancel the others, and the exit code says one failed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scoutInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/tmp.js';
import { BUNDLE, DEMO } from '../report/helpers.js';

const cache = tempDir();
const env = { SCOUT_CACHE_DIR: cache, SCOUT_CONFIG_DIR: tempDir() };

test('setup: the offline bundle imported', async () => {
  const r = await scoutInProcess(['db', 'import', BUNDLE], { env });
  assert.equal(r.code, 0, r.stderr);
});

test('-o - writes the report to standard output, beside one written to a file', async () => {
  const dir = tempDir();
  const r = await scoutInProcess(['cves', DEMO, '--format', 'sarif', '-o', join(dir, 'r.sarif'), '--format', 'json', '-o', '-'], { env });
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout) as { findings: unknown[] };
  assert.ok(json.findings.length > 0);
  assert.equal((JSON.parse(readFileSync(join(dir, 'r.sarif'), 'utf8')) as { runs: { results: unknown[] }[] }).runs[0].results.length, json.findings.length);
  assert.ok(!existsSync(join(process.cwd(), '-')), 'no file named "-"');

  const sbom = await scoutInProcess(['sbom', DEMO, '--format', 'json', '-o', '-'], { env, cwd: dir });
  assert.equal(sbom.code, 0, sbom.stderr);
  assert.equal((JSON.parse(sbom.stdout) as { schema: string }).schema, 'iechor-scout/sbom@1');
  assert.ok(!existsSync(join(dir, '-')));
});

test('two reports to one file (however the path is spelt), or two to standard output, are refused before the scan', async () => {
  const dir = tempDir();
  const empty = { ...env, SCOUT_CACHE_DIR: tempDir() };
  // An empty database and a missing image: the output check must come before either is looked at.
  let r = await scoutInProcess(['cves', join(dir, 'missing.tar'), '--format', 'json', '-o', join(dir, 'r.json'), '--format', 'sarif', '-o', join(dir, '.', 'x', '..', 'r.json')], { env: empty });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: --format json and --format sarif both go to ${join(dir, '.', 'x', '..', 'r.json')}: give each report its own -o FILE\n`);
  r = await scoutInProcess(['cves', join(dir, 'missing.tar'), '--format', 'json', '-o', '-', '--format', 'sarif'], { env: empty });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: only one --format can go to standard output/);
});

test('a report that cannot be written is named, the others are still written, and the exit code is 1', async () => {
  const dir = tempDir();
  // A regular file where a folder should be: no user, not even root, can write below it.
  writeFileSync(join(dir, 'blocker'), '');
  const bad = join(dir, 'blocker', 'r.sarif');
  const r = await scoutInProcess(['cves', DEMO, '--format', 'json', '-o', join(dir, 'first.json'), '--format', 'sarif', '-o', bad, '--format', 'gitlab', '-o', join(dir, 'last.json'), '--format', 'markdown'], { env });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^error: cannot write the sarif report to ${bad.replace(/[.]/g, '\\.')}: (ENOTDIR|EEXIST)`, 'm'));
  assert.ok(JSON.parse(readFileSync(join(dir, 'first.json'), 'utf8')));
  assert.ok(JSON.parse(readFileSync(join(dir, 'last.json'), 'utf8')), 'the report after the failed one is written');
  assert.match(r.stdout, /^## Vulnerabilities in `/, 'standard output still gets its report');
  // The gate would have said 2: a missing report wins, since CI must not read a stale file as this run's.
  const gated = await scoutInProcess(['cves', DEMO, '--exit-code', '--format', 'sarif', '-o', bad, '--format', 'json', '-o', join(dir, 'g.json')], { env });
  assert.equal(gated.code, 1);
});

test('scout sbom writes several --format/-o pairs in one run (CycloneDX and SPDX), never only the last', async () => {
  const dir = tempDir();
  const r = await scoutInProcess(['sbom', DEMO, '--format', 'cyclonedx', '-o', join(dir, 'sbom.cdx.json'), '--format', 'spdx', '-o', join(dir, 'sbom.spdx.json'), '--format', 'list'], { env });
  assert.equal(r.code, 0, r.stderr);
  const cdx = JSON.parse(readFileSync(join(dir, 'sbom.cdx.json'), 'utf8')) as { bomFormat: string; components: unknown[] };
  const spdx = JSON.parse(readFileSync(join(dir, 'sbom.spdx.json'), 'utf8')) as { spdxVersion: string; packages: unknown[] };
  assert.equal(cdx.bomFormat, 'CycloneDX');
  assert.equal(spdx.spdxVersion, 'SPDX-2.3');
  assert.ok(cdx.components.length > 5);
  assert.match(r.stdout, /^NAME\s+VERSION/m, 'the list went to standard output');
  // The same checks as for cves, before the image is opened.
  const twice = await scoutInProcess(['sbom', join(dir, 'missing.tar'), '--format', 'json', '-o', join(dir, 'same.json'), '--format', 'spdx', '-o', join(dir, 'same.json')], { env });
  assert.equal(twice.code, 1);
  assert.equal(twice.stderr, `error: --format json and --format spdx both go to ${join(dir, 'same.json')}: give each report its own -o FILE\n`);
  writeFileSync(join(dir, 'blocker'), '');
  const failing = await scoutInProcess(['sbom', DEMO, '--format', 'spdx', '-o', join(dir, 'blocker', 'x.json'), '--format', 'json', '-o', join(dir, 'after.json')], { env });
  assert.equal(failing.code, 1);
  assert.match(failing.stderr, /^error: cannot write the spdx report to /m);
  assert.equal((JSON.parse(readFileSync(join(dir, 'after.json'), 'utf8')) as { schema: string }).schema, 'iechor-scout/sbom@1');
});
