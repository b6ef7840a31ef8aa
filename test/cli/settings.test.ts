// Every flag from SCOUT_* variables and config files, with the documented precedence:
// flag > SCOUT_<COMMAND>_<FLAG> > SCOUT_<FLAG> > config file (command section, then top level) > default.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scoutInProcess } from '../helpers/cli-in-process.js';
import { tempDir } from '../helpers/tmp.js';
import { DEMO } from '../report/helpers.js';

/** A working directory and a config directory of its own, so no user file leaks in. */
function place(projectYaml?: string, userYaml?: string): { cwd: string; env: Record<string, string | undefined> } {
  const cwd = tempDir();
  const configDir = tempDir();
  if (projectYaml !== undefined) writeFileSync(join(cwd, '.scout.yaml'), projectYaml);
  if (userYaml !== undefined) writeFileSync(join(configDir, 'config.yaml'), userYaml);
  return { cwd, env: { SCOUT_CONFIG_DIR: configDir, SCOUT_CACHE_DIR: tempDir(), SCOUT_CONFIG: undefined } };
}

interface Status { path: string; maxAgeDays: number }

test('db status reads its flags from the config file, SCOUT_* variables and the command line, in that order of strength', async () => {
  const p = place('db:\n  status:\n    max-age: 3\n    format: json\n', 'max-age: 9\n');
  let r = await scoutInProcess(['db', 'status'], p);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as Status).maxAgeDays, 3, 'the project file wins over the user file');

  r = await scoutInProcess(['db', 'status'], { ...p, env: { ...p.env, SCOUT_MAX_AGE: '5' } });
  assert.equal((JSON.parse(r.stdout) as Status).maxAgeDays, 5, 'SCOUT_MAX_AGE wins over the config file');

  r = await scoutInProcess(['db', 'status'], { ...p, env: { ...p.env, SCOUT_MAX_AGE: '5', SCOUT_DB_STATUS_MAX_AGE: '6' } });
  assert.equal((JSON.parse(r.stdout) as Status).maxAgeDays, 6, 'the command\'s own variable wins over the generic one');

  r = await scoutInProcess(['db', 'status', '--max-age', '1'], { ...p, env: { ...p.env, SCOUT_DB_STATUS_MAX_AGE: '6' } });
  assert.equal((JSON.parse(r.stdout) as Status).maxAgeDays, 1, 'the flag wins over everything');

  r = await scoutInProcess(['db', 'status'], { ...p, env: { ...p.env, SCOUT_FORMAT: 'table' } });
  assert.match(r.stdout, /^Advisory database: /, 'SCOUT_FORMAT=table beats the file\'s json');

  const user = place(undefined, 'max-age: 9\n');
  r = await scoutInProcess(['db', 'status', '--format', 'json'], user);
  assert.equal((JSON.parse(r.stdout) as Status).maxAgeDays, 9, 'the user file applies when the project has none');

  r = await scoutInProcess(['db', 'status', '--format', 'json'], place());
  assert.equal((JSON.parse(r.stdout) as Status).maxAgeDays, 7, 'the default without any setting');
});

test('--cache-dir, SCOUT_CACHE_DIR and cache-dir in the config all move the database, the flag first', async () => {
  const fromFile = tempDir();
  const fromEnv = tempDir();
  const fromFlag = tempDir();
  const p = place(`cache-dir: ${fromFile}\n`);
  let r = await scoutInProcess(['db', 'status', '--format', 'json'], { ...p, env: { ...p.env, SCOUT_CACHE_DIR: undefined } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as Status).path, join(fromFile, 'advisories.db'));
  r = await scoutInProcess(['db', 'status', '--format', 'json'], { ...p, env: { ...p.env, SCOUT_CACHE_DIR: fromEnv } });
  assert.equal((JSON.parse(r.stdout) as Status).path, join(fromEnv, 'advisories.db'));
  // Before or after the command's name, as a global option.
  for (const args of [['--cache-dir', fromFlag, 'db', 'status', '--format', 'json'], ['db', 'status', '--format', 'json', '--cache-dir', fromFlag]]) {
    r = await scoutInProcess(args, { ...p, env: { ...p.env, SCOUT_CACHE_DIR: fromEnv } });
    assert.equal((JSON.parse(r.stdout) as Status).path, join(fromFlag, 'advisories.db'));
  }
});

test('a scan writes its layer cache where --cache-dir says', async () => {
  const cache = join(tempDir(), 'c');
  const p = place();
  const r = await scoutInProcess(['sbom', DEMO, '--format', 'json', '--cache-dir', cache], p);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(cache, 'layers')), 'layer results under the named folder');
});

test('booleans and lists: SCOUT_NO_CACHE, a YAML list, and on/off values that are neither are refused', async () => {
  const cache = tempDir();
  const p = place();
  let r = await scoutInProcess(['sbom', DEMO, '--format', 'json'], { ...p, env: { ...p.env, SCOUT_CACHE_DIR: cache, SCOUT_NO_CACHE: 'true' } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(join(cache, 'layers')), 'SCOUT_NO_CACHE=true: nothing cached');
  r = await scoutInProcess(['sbom', DEMO, '--format', 'json'], { ...p, env: { ...p.env, SCOUT_CACHE_DIR: cache, SCOUT_NO_CACHE: '0' } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(cache, 'layers')), 'SCOUT_NO_CACHE=0: cached');

  r = await scoutInProcess(['sbom', DEMO], { ...p, env: { ...p.env, SCOUT_NO_CACHE: 'sometimes' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: SCOUT_NO_CACHE: --no-cache is on or off: give true or false \(1 or 0\), not "sometimes"\n$/);

  // cves: two formats to two files from a YAML list, the pairing the flags would make.
  const out = tempDir();
  const listed = place(`cves:\n  format: [json, sarif]\n  output: [${join(out, 'a.json')}, ${join(out, 'a.sarif')}]\n`);
  r = await scoutInProcess(['cves', DEMO], { ...listed, env: { ...listed.env, SCOUT_CACHE_DIR: tempDir() } });
  // The database is empty, so the command stops before writing: the error proves the pairing was accepted.
  assert.match(r.stderr, /the advisory database is empty/);
});

test('an unknown key in a config file is an error naming the key and the file, with the closest flag', async () => {
  let p = place('only-severty: high\n');
  let r = await scoutInProcess(['db', 'status'], p);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: config file ${join(p.cwd, '.scout.yaml')}: unknown key "only-severty": no command has this flag (did you mean only-severity?)\n`);
  assert.equal(r.stdout, '');

  p = place('cves:\n  exit-cod: true\n');
  r = await scoutInProcess(['db', 'status'], p);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: config file ${join(p.cwd, '.scout.yaml')}: unknown key "cves.exit-cod": \`scout cves\` has no flag --exit-cod (did you mean exit-code?)\n`);

  p = place('sbom:\n  only-severity: high\n');
  r = await scoutInProcess(['db', 'status'], p);
  assert.match(r.stderr, /unknown key "sbom\.only-severity": `scout sbom` has no flag --only-severity/);

  p = place('db-max-age: [3\n');
  r = await scoutInProcess(['db', 'status'], p);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^error: config file ${join(p.cwd, '.scout.yaml').replace(/[.]/g, '\\.')}: not valid YAML`));
});

test('--config FILE and SCOUT_CONFIG name the only file read; a missing one is an error', async () => {
  const p = place('max-age: 3\n', 'max-age: 4\n');
  const named = join(tempDir(), 'ci.yaml');
  writeFileSync(named, 'db:\n  status:\n    max-age: 11\n');
  let r = await scoutInProcess(['--config', named, 'db', 'status', '--format', 'json'], p);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as Status).maxAgeDays, 11);
  r = await scoutInProcess(['db', 'status', '--format', 'json'], { ...p, env: { ...p.env, SCOUT_CONFIG: named } });
  assert.equal((JSON.parse(r.stdout) as Status).maxAgeDays, 11);
  r = await scoutInProcess(['db', 'status', '--config', join(p.cwd, 'nope.yaml')], p);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: config file .*nope\.yaml: cannot read: ENOENT\n$/);
});

test('a required option can come from its variable or the config file', async () => {
  const p = place();
  let r = await scoutInProcess(['compare', DEMO], p);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /required option '--to <image>' not specified \(or set SCOUT_COMPARE_TO, or to in the config file\)/);
  r = await scoutInProcess(['compare', DEMO], { ...p, env: { ...p.env, SCOUT_COMPARE_TO: DEMO } });
  // Past the option check: it stops at the empty database.
  assert.match(r.stderr, /the advisory database is empty/);
  const f = place(`compare:\n  to: ${DEMO}\n`);
  r = await scoutInProcess(['compare', DEMO], f);
  assert.match(r.stderr, /the advisory database is empty/);
});

test('the config key of a flag is its long name: every documented example in the README parses', () => {
  // The README's example config must stay valid: it is read here from the README itself.
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const block = /```yaml\n# \.scout\.yaml\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README has a ```yaml block starting with "# .scout.yaml"');
  const dir = tempDir();
  mkdirSync(join(dir, 'x'));
  writeFileSync(join(dir, '.scout.yaml'), block[1]);
  return scoutInProcess(['db', 'status'], { cwd: dir, env: { SCOUT_CONFIG_DIR: tempDir(), SCOUT_CACHE_DIR: tempDir() } }).then((r) => assert.equal(r.code, 0, r.stderr));
});
