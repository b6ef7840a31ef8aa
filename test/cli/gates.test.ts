// CI gates that cannot pass by mistake: a filter that cannot match, a platform the image does
// not have, data the database lacks, stale or read-only databases, and what --exit-code counts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scout, scoutNodeArgs } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { BUNDLE, DEMO, importedCache, ROOT, type CvesJson } from '../report/helpers.js';

const cache = importedCache();
const env = { SCOUT_CACHE_DIR: cache };

test('an unknown --only-package-type is an error naming the closest type, not "No vulnerabilities found"', () => {
  const r = scout(['cves', DEMO, '--only-package-type', 'debain', '--exit-code'], env);
  assert.equal(r.code, 1, r.stdout);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--only-package-type: "debain" is not a package \(purl\) type \(did you mean deb\?\)/);
  const ok = scout(['cves', DEMO, '--only-package-type', 'deb', '--format', 'json'], env);
  assert.equal(ok.code, 0, ok.stderr);
  const found = (JSON.parse(ok.stdout) as CvesJson).findings;
  assert.ok(found.length > 0 && found.every((f) => f.package.type === 'deb'));
});

test('unknown severities and malformed vulnerability ids are errors', () => {
  for (const [args, message] of [
    [['--only-severity', 'hihg'], /--only-severity: "hihg" is not one of/],
    [['--only-severity', ','], /--only-severity: no level given/],
    [['--only-cve-id', 'CVE-2023'], /--only-cve-id: "CVE-2023" is not a vulnerability id/],
    [['--only-cve-id', '2023-4911'], /"2023-4911" is not a vulnerability id/],
    [['--only-cve-id', 'GHSA-1234'], /"GHSA-1234" is not a vulnerability id/],
  ] as [string[], RegExp][]) {
    const r = scout(['cves', DEMO, ...args], env);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, message);
  }
  const ok = scout(['cves', DEMO, '--only-cve-id', 'cve-2023-4911,GHSA-p6mc-m468-83gw,DSA-5514-1', '--format', 'json'], env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok((JSON.parse(ok.stdout) as CvesJson).findings.some((f) => f.id === 'CVE-2023-4911'));
});

test('--platform the image does not have is an error for a single-platform archive too', () => {
  for (const cmd of [['sbom', DEMO], ['cves', DEMO], ['image', 'inspect', DEMO]]) {
    const r = scout([...cmd, '--platform', 'linux/arm64'], env);
    assert.equal(r.code, 1, `${cmd.join(' ')}: ${r.stdout.slice(0, 200)}`);
    assert.match(r.stderr, /no image for platform linux\/arm64; this image is linux\/amd64 only/);
  }
  const same = scout(['sbom', DEMO, '--platform', 'linux/amd64', '--format', 'json'], env);
  assert.equal(same.code, 0, same.stderr);
});

test('-e is --exit-code; with --only-severity it gates only on the findings shown', () => {
  const all = JSON.parse(scout(['cves', DEMO, '--format', 'json'], env).stdout) as CvesJson;
  const levels = new Set(all.findings.map((f) => f.severity.level));
  assert.ok(levels.has('critical'));
  const absent = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'].find((l) => !levels.has(l));
  assert.ok(absent, 'some level has no finding in the demo');
  assert.equal(scout(['cves', DEMO, '-e'], env).code, 2);
  assert.equal(scout(['cves', DEMO, '-e', '--only-severity', 'critical'], env).code, 2);
  const none = scout(['cves', DEMO, '-e', '--only-severity', absent === 'unknown' ? 'unspecified' : absent], env);
  assert.equal(none.code, 0, none.stdout);
});

test('--only-cisa-kev and --epss-* on a database without KEV or EPSS data warn, naming scout db update', () => {
  const bare = tempDir();
  assert.equal(scout(['db', 'import', join(BUNDLE, 'ghsa-npm-demo.osv.jsonl.gz')], { SCOUT_CACHE_DIR: bare }).code, 0);
  const kev = scout(['cves', DEMO, '--only-cisa-kev'], { SCOUT_CACHE_DIR: bare });
  assert.equal(kev.code, 0, kev.stderr);
  assert.match(kev.stderr, /warning: --only-cisa-kev: the advisory database holds no CISA KEV catalog.*scout db update/);
  const epss = scout(['cves', DEMO, '--epss-score', '0.1'], { SCOUT_CACHE_DIR: bare });
  assert.match(epss.stderr, /warning: --epss-score: the advisory database holds no EPSS scores.*scout db update/);
  // With the catalog imported, no warning.
  const withKev = scout(['cves', DEMO, '--only-cisa-kev'], env);
  assert.doesNotMatch(withKev.stderr, /no CISA KEV catalog/);
});

test('stale advisory data warns on every matching command, and --fail-on-stale-db makes it an error', () => {
  const fresh = scout(['cves', DEMO], env);
  assert.doesNotMatch(fresh.stderr, /stale/);
  for (const cmd of [['cves', DEMO], ['quickview', DEMO], ['explain', 'CVE-2023-4911', DEMO]]) {
    // Every source was imported moments ago: with a limit of 0 days, all of them are stale.
    const r = scout([...cmd, '--db-max-age', '0'], env);
    assert.equal(r.code, 0, `${cmd[0]}: ${r.stderr}`);
    assert.match(r.stderr, /warning: the advisory database is stale: .*cisa-kev \d+ (s|min|h|days) ago.*\(limit 0 days, --db-max-age\); run `scout db update`/, cmd[0]);
    const strict = scout([...cmd, '--db-max-age', '0', '--fail-on-stale-db'], env);
    assert.equal(strict.code, 1, cmd[0]);
    assert.equal(strict.stdout, '');
    assert.match(strict.stderr, /^error: the advisory database is stale/);
  }
  assert.equal(scout(['cves', DEMO, '--db-max-age', 'soon'], env).code, 1);
});

/** The CLI with `dir` mounted read-only (a private mount namespace: root ignores file modes). */
function scoutReadOnly(dir: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"', 'sh', dir, process.execPath, ...scoutNodeArgs(...args)], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1', SCOUT_CACHE_DIR: dir },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('an advisory database in a read-only directory works for cves, quickview, explain and db status', () => {
  const dir = importedCache();
  const before = scout(['cves', DEMO, '--format', 'json'], { SCOUT_CACHE_DIR: dir });
  const cves = scoutReadOnly(dir, ['cves', DEMO, '--format', 'json']);
  assert.equal(cves.code, 0, cves.stderr);
  // Only the database baked in (no layer cache yet): the layers cannot be cached there, which
  // is said as such (not as a missing file, ENOENT), with the way out.
  const dbOnly = tempDir();
  copyFileSync(join(dir, 'advisories.db'), join(dbOnly, 'advisories.db'));
  const bare = scoutReadOnly(dbOnly, ['cves', DEMO, '--format', 'json']);
  assert.equal(bare.code, 0, bare.stderr);
  assert.equal((JSON.parse(bare.stdout) as CvesJson).findings.length, (JSON.parse(cves.stdout) as CvesJson).findings.length);
  assert.match(bare.stderr, /^warning: cannot write the layer cache at .*: .* cannot be written \(EROFS\); its layers will be read again next time; SCOUT_CACHE_DIR names a writable directory$/m);
  assert.deepEqual((JSON.parse(cves.stdout) as CvesJson).findings.map((f) => `${f.package.purl} ${f.id}`), (JSON.parse(before.stdout) as CvesJson).findings.map((f) => `${f.package.purl} ${f.id}`));
  const qv = scoutReadOnly(dir, ['quickview', DEMO]);
  assert.equal(qv.code, 0, qv.stderr);
  assert.match(qv.stdout, /critical/);
  const ex = scoutReadOnly(dir, ['explain', 'CVE-2023-4911', DEMO]);
  assert.equal(ex.code, 0, ex.stderr);
  assert.match(ex.stdout, /CVE-2023-4911/);
  const st = scoutReadOnly(dir, ['db', 'status', '--format', 'json']);
  assert.equal(st.code, 0, st.stderr);
  assert.ok((JSON.parse(st.stdout) as { advisories: number }).advisories > 0);
  // Writing is still refused with a clear error.
  const imp = scoutReadOnly(dir, ['db', 'import', join(BUNDLE, 'cisa-kev.json.gz')]);
  assert.equal(imp.code, 1);
  assert.match(imp.stderr, /error: .*(read-only|readonly)/i);
});

test('the empty-database hint names only what this installation has', async () => {
  const { emptyDatabaseMessage } = await import('../../src/cli/store.js');
  // As installed from npm: no examples/ directory beside the program.
  const installed = emptyDatabaseMessage('/x/advisories.db', false);
  assert.doesNotMatch(installed, /examples/);
  assert.match(installed, /scout db update/);
  const r = scout(['cves', DEMO], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(r.code, 1);
  assert.ok(r.stderr.includes(join(ROOT, 'examples', 'advisories')), 'a checkout names its bundle by full path');
});
