// `scout --help > /dev/full` used to exit 0: commander printed the help and called
// process.exit(0) before the failed write could be reported, so a script could not tell.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { test } from 'node:test';
import { scoutNodeArgs } from '../helpers/cli.js';

function toFull(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, scoutNodeArgs(...args), { stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'], encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

for (const args of [['--help'], ['--version'], ['sbom', '--help'], ['help', 'db']]) {
  test(`scout ${args.join(' ')} > /dev/full is one line on stderr and exit 1`, () => {
    const r = toFull(args);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, 'error: cannot write to standard output: ENOSPC (no space left on device)\n');
  });
}

test('scout --help to a working stdout still exits 0 with the help', () => {
  const r = spawnSync(process.execPath, scoutNodeArgs('--help'), { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: scout/);
});
