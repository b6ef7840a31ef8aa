// Runs every test file under test/ with Node's own test runner, TypeScript loaded by tsx.
// Node 20's --test does not expand globs itself, so the file list is gathered here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { transpileCli } from './transpile-cli.mjs';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = collect('test', []).sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
// Tests that start `scout` as a child process run it from JavaScript transpiled once here
// (test/helpers/cli.ts reads SCOUT_TEST_CLI_JS); without it they fall back to tsx.
const cli = await transpileCli();
const env = { ...process.env, SCOUT_TEST_CLI_JS: cli.main };
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
process.exit(r.status ?? 1);
