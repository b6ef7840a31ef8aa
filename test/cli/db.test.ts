import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, openSync, readFileSync, watch, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { scout, scoutNodeArgs } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { BUNDLE, bundleLines, DEMO, kevCatalog, scoutAsync } from '../report/helpers.js';

interface Status {
  advisories: number;
  kev: number;
  sources: { name: string; kind: string; count: number; importedAt: string }[];
  stale: string[];
}

function status(cache: string, extra: string[] = []): Status {
  const r = scout(['db', 'status', '--format', 'json', ...extra], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Status;
}

const OSV_FILES = ['debian-selected.osv.jsonl.gz', 'ghsa-npm-demo.osv.jsonl.gz', 'pypa-demo.osv.jsonl.gz'];

test('db import of the bundle directory: one source per feed file, counts equal to the files', () => {
  const cache = tempDir();
  const r = scout(['db', 'import', BUNDLE], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^skipped: .*README\.md: not a feed file/m);
  const s = status(cache);
  const lines = OSV_FILES.map((f) => bundleLines(f).length);
  assert.equal(s.advisories, lines.reduce((a, b) => a + b, 0));
  assert.equal(s.kev, kevCatalog().vulnerabilities.length);
  const advisorySources = s.sources.filter((x) => x.kind === 'advisories').sort((a, b) => (a.name < b.name ? -1 : 1));
  assert.deepEqual(advisorySources.map((x) => x.count), lines);
  for (const f of OSV_FILES) assert.match(r.stdout, new RegExp(`^\\S*${f.replace(/\.osv\.jsonl\.gz$/, '')}\\s+osv-jsonl\\s+imported\\s+${bundleLines(f).length}\\s`, 'm'));

  // The same files again: nothing changes, and the summary says so.
  const again = scout(['db', 'import', BUNDLE], { SCOUT_CACHE_DIR: cache });
  assert.equal(again.code, 0, again.stderr);
  for (const f of OSV_FILES) assert.match(again.stdout, new RegExp(`${f.replace(/\.osv\.jsonl\.gz$/, '')}\\s+osv-jsonl\\s+unchanged\\s+0\\s+0\\s+${bundleLines(f).length}\\s`, 'm'));
});

test('db status: sources with counts; a stale warning past --max-age only', () => {
  const cache = tempDir();
  assert.equal(scout(['db', 'import', join(BUNDLE, 'ghsa-npm-demo.osv.jsonl.gz'), join(BUNDLE, 'cisa-kev.json.gz')], { SCOUT_CACHE_DIR: cache }).code, 0);
  const fresh = scout(['db', 'status'], { SCOUT_CACHE_DIR: cache });
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.match(fresh.stdout, new RegExp(`ghsa-npm-demo\\s+advisories\\s+${bundleLines('ghsa-npm-demo.osv.jsonl.gz').length}\\s`));
  assert.match(fresh.stdout, new RegExp(`cisa-kev\\s+kev\\s+${kevCatalog().vulnerabilities.length}\\s`));
  assert.doesNotMatch(fresh.stderr, /warning/);
  assert.deepEqual(status(cache).stale, []);

  // --max-age 0: data imported any time ago is too old.
  const old = scout(['db', 'status', '--max-age', '0'], { SCOUT_CACHE_DIR: cache });
  assert.equal(old.code, 0);
  assert.match(old.stderr, /^warning: \S*ghsa-npm-demo was imported \d+ (s|min|h|days) ago \(limit 0 days\)/m);
  assert.match(old.stderr, /^warning: cisa-kev was imported/m);
  assert.match(old.stdout, /\(stale\)/);
  assert.equal(status(cache, ['--max-age', '0']).stale.length, 2);
  assert.equal(scout(['db', 'status', '--max-age', 'soon'], { SCOUT_CACHE_DIR: cache }).code, 1);
});

test('db status on a fresh cache says the database is empty and how to fill it', () => {
  const r = scout(['db', 'status'], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /empty/);
  assert.match(r.stdout, /scout db import/);
});

test('a truncated gzip fails the import (exit 1) and leaves the previous data intact', () => {
  const cache = tempDir();
  const env = { SCOUT_CACHE_DIR: cache };
  assert.equal(scout(['db', 'import', BUNDLE], env).code, 0);
  const before = status(cache);
  const cvesBefore = scout(['cves', DEMO, '--format', 'json', '--only-package', 'lodash'], env);
  assert.equal(cvesBefore.code, 0, cvesBefore.stderr);

  // Same file name, so the same source: a replace import of it would delete what is missing.
  const dir = tempDir();
  const whole = readFileSync(join(BUNDLE, 'ghsa-npm-demo.osv.jsonl.gz'));
  writeFileSync(join(dir, 'ghsa-npm-demo.osv.jsonl.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));
  const r = scout(['db', 'import', join(dir, 'ghsa-npm-demo.osv.jsonl.gz')], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: \S*ghsa-npm-demo\.osv\.jsonl\.gz: unexpected end of file \(nothing was changed for this input/m);

  const after = status(cache);
  assert.deepEqual(after.sources.map((x) => [x.name, x.count, x.importedAt]), before.sources.map((x) => [x.name, x.count, x.importedAt]));
  const cvesAfter = scout(['cves', DEMO, '--format', 'json', '--only-package', 'lodash'], env);
  const ids = (t: string) => (JSON.parse(t) as { findings: { id: string }[] }).findings.map((f) => f.id).sort();
  assert.deepEqual(ids(cvesAfter.stdout), ids(cvesBefore.stdout));
  assert.ok(ids(cvesAfter.stdout).length > 0);
});

test('a file that is no feed fails with its reason; other inputs of the same run still import', () => {
  const cache = tempDir();
  const dir = tempDir();
  writeFileSync(join(dir, 'notes.json'), '{"hello": "world"}');
  const r = scout(['db', 'import', join(dir, 'notes.json'), join(BUNDLE, 'pypa-demo.osv.jsonl.gz')], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: .*notes\.json: .*not a feed/m);
  assert.equal(status(cache).advisories, bundleLines('pypa-demo.osv.jsonl.gz').length);
  assert.equal(scout(['db', 'import', join(dir, 'missing.json')], { SCOUT_CACHE_DIR: cache }).code, 1);
});

test('a directory of OSV .json files is one feed', () => {
  const cache = tempDir();
  const dir = join(tempDir(), 'osv-demo');
  mkdirSync(join(dir, 'npm'), { recursive: true });
  const lines = bundleLines('ghsa-npm-demo.osv.jsonl.gz');
  lines.forEach((l, i) => writeFileSync(join(dir, 'npm', `r${i}.json`), l));
  const r = scout(['db', 'import', dir], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /osv-dir\s+imported/);
  assert.equal(status(cache).advisories, lines.length);
});

test('db import from a URL downloads to the cache and imports under the file name', async () => {
  const cache = tempDir();
  const body = readFileSync(join(BUNDLE, 'pypa-demo.osv.jsonl.gz'));
  const server = createServer((req, res) => {
    if (req.url === '/feeds/pypa-demo.osv.jsonl.gz') {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
      res.end(body);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    const port = (server.address() as { port: number }).port;
    const r = await scoutAsync(['db', 'import', `http://127.0.0.1:${port}/feeds/pypa-demo.osv.jsonl.gz`], { SCOUT_CACHE_DIR: cache });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`pypa-demo\\s+osv-jsonl\\s+imported\\s+${bundleLines('pypa-demo.osv.jsonl.gz').length}\\s`));
    const missing = await scoutAsync(['db', 'import', `http://127.0.0.1:${port}/feeds/nothing.json`], { SCOUT_CACHE_DIR: cache });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: http:\/\/127\.0\.0\.1:\d+\/feeds\/nothing\.json: /m);
  } finally {
    server.close();
  }
  const s = status(cache);
  assert.equal(s.advisories, bundleLines('pypa-demo.osv.jsonl.gz').length);
  // the temporary download is gone
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(join(cache, 'imports')), []);
});

test('the README first command works from a fresh cache', () => {
  const cache = tempDir();
  const copy = join(tempDir(), 'bundle');
  mkdirSync(copy);
  for (const f of [...OSV_FILES, 'cisa-kev.json.gz', 'README.md']) copyFileSync(join(BUNDLE, f), join(copy, f));
  assert.equal(scout(['db', 'import', copy], { SCOUT_CACHE_DIR: cache }).code, 0);
  const r = scout(['cves', DEMO], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /lodash 4\.17\.15 \(npm\)/);
  assert.match(r.stdout, /^\d+ vulnerabilities \(\d+ distinct\) in \d+ packages: /m);
});

test('a replace import with no valid record (all nulls, or []) fails, says so on stderr and keeps the source', () => {
  const cache = tempDir();
  const env = { SCOUT_CACHE_DIR: cache };
  assert.equal(scout(['db', 'import', join(BUNDLE, 'pypa-demo.osv.jsonl.gz')], env).code, 0);
  const before = status(cache);
  const dir = tempDir();
  // Same file name, so the same source (osv-pypa-demo) as the bundle's file.
  const feed = join(dir, 'pypa-demo.osv.jsonl');
  for (const body of [`[${Array(1_000_000).fill('null').join(',')}]`, '[]', '{"id":"GHSA-x"}\n' + 'null\n'.repeat(1000)]) {
    writeFileSync(feed, body);
    const r = scout(['db', 'import', feed], env);
    assert.equal(r.code, 1, `${JSON.stringify(body.slice(0, 10))}: ${r.stdout}`);
    assert.doesNotMatch(r.stdout, /error:|failed:/, 'the failure is not on stdout');
    assert.match(r.stderr, /^error: \S*pypa-demo\.osv\.jsonl: .*no valid record.*--allow-shrink/m);
    assert.deepEqual(status(cache).sources.map((x) => [x.name, x.count, x.importedAt]), before.sources.map((x) => [x.name, x.count, x.importedAt]));
  }
  // Allowed, the empty feed empties the source.
  writeFileSync(feed, '[]');
  const r = scout(['db', 'import', feed, '--allow-shrink'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(status(cache).advisories, 0);
});

test('a replace import that would delete most of a source fails unless --allow-shrink', () => {
  const cache = tempDir();
  const env = { SCOUT_CACHE_DIR: cache };
  const lines = bundleLines('ghsa-npm-demo.osv.jsonl.gz');
  assert.ok(lines.length >= 4, 'the bundle feed has records to lose');
  assert.equal(scout(['db', 'import', join(BUNDLE, 'ghsa-npm-demo.osv.jsonl.gz')], env).code, 0);
  const dir = tempDir();
  const feed = join(dir, 'ghsa-npm-demo.osv.jsonl');
  writeFileSync(feed, lines.slice(0, Math.floor(lines.length / 2) - 1).join('\n') + '\n');
  const r = scout(['db', 'import', feed], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /would delete at least \d+ of them.*--allow-shrink/);
  assert.equal(status(cache).advisories, lines.length);
  // Half or more kept is an ordinary update.
  writeFileSync(feed, lines.slice(0, Math.ceil(lines.length / 2)).join('\n') + '\n');
  assert.equal(scout(['db', 'import', feed], env).code, 0);
  assert.equal(status(cache).advisories, Math.ceil(lines.length / 2));
  writeFileSync(feed, lines.slice(0, 1).join('\n') + '\n');
  assert.equal(scout(['db', 'import', feed, '--allow-shrink'], env).code, 0);
  assert.equal(status(cache).advisories, 1);
});

test('a write error on standard output other than a closed pipe is one line on stderr and exit 1', () => {
  const r = spawnSync(process.execPath, scoutNodeArgs('db', 'status'), { env: { ...process.env, SCOUT_CACHE_DIR: tempDir() }, stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'], encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^error: cannot write to standard output: ENOSPC/);
});

test('an import and a scan write nothing outside SCOUT_CACHE_DIR: no SQLite temp file in TMPDIR', async () => {
  const tmp = tempDir();
  const cache = join(tempDir(), 'cache');
  const created: string[] = [];
  // SQLite unlinks its temp files as soon as it opens them: watch for their creation.
  const watcher = watch(tmp, (_event, name) => {
    // tsx (which runs the sources when this file runs on its own) keeps its compile cache there.
    if (name && !name.startsWith('tsx-')) created.push(name);
  });
  try {
    const env = { SCOUT_CACHE_DIR: cache, TMPDIR: tmp, SQLITE_TMPDIR: tmp };
    const imported = await scoutAsync(['db', 'import', BUNDLE], env);
    assert.equal(imported.code, 0, imported.stderr);
    const scanned = await scoutAsync(['cves', DEMO, '--format', 'json'], env);
    assert.equal(scanned.code, 0, scanned.stderr);
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    watcher.close();
  }
  assert.deepEqual(created, []);
});
