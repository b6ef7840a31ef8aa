// Conventions users bring from Trivy, Grype and Docker Scout: `scout version`, one-line
// unknown-option errors with the closest match, `-o` into a folder that does not exist yet.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { DEMO } from '../report/helpers.js';

test('scout version names the version, commit, Node.js version and database schema', () => {
  const r = scout(['version']);
  assert.equal(r.code, 0, r.stderr);
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  assert.match(r.stdout, new RegExp(`^iechor-scout ${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(r.stdout, /^commit: +[0-9a-f]{12}$/m);
  assert.match(r.stdout, new RegExp(`^node: +${process.version.replace(/\./g, '\\.')}$`, 'm'));
  assert.match(r.stdout, /^advisory database schema: +\d+$/m);
});

test('an unknown option prints one line with the closest match, not the whole help', () => {
  const r = scout(['sbom', DEMO, '--fromat', 'json']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, "error: unknown option '--fromat' (did you mean --format?)\n");
});

test('-o creates the folders it needs', () => {
  const file = join(tempDir(), 'reports', 'ci', 'sbom.json');
  const r = scout(['sbom', DEMO, '--format', 'json', '-o', file], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(file));
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { schema: string }).schema, 'iechor-scout/sbom@1');
});
