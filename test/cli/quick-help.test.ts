/**
 * `scout --help` is printed from the command stubs without commander (quick-help.ts, issue #10
 * Speed). It must be the very bytes commander prints for the fully loaded command tree, at any
 * terminal width (commander wraps descriptions to the terminal's columns) and under the Docker
 * CLI plugin's name.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { programHelp } from '../../src/cli/quick-help.js';
import { USAGE_NAME_VARIABLE } from '../../src/cli/usage-name.js';
import { scout, scoutNodeArgs } from '../helpers/cli.js';

/** Commander's help of the program at `width` columns (undefined: not a terminal). */
function commanderHelp(program: Command, width: number | undefined): string {
  // Commander itself returns undefined here when stdout is no terminal (its types say number).
  program.configureOutput({ getOutHelpWidth: () => width as number });
  return program.helpInformation();
}

/** Every width from too narrow to wrap to wider than any line, and none (piped); 40 and 83 are where the description and the items start to wrap. */
const WIDTHS = [undefined, 0, 20, 39, 40, 41, 60, 79, 80, 81, 82, 83, 84, 100, 120, 133, 160, 200, 250, 300, 1000];

test('the quick help is commander\'s help of the full tree, byte for byte, at every width', async () => {
  const full = await buildProgram();
  for (const w of WIDTHS) assert.equal(programHelp(w), commanderHelp(full, w), `width ${w}`);
  // Wrapping happens somewhere in that range, so the comparison covers it.
  assert.notEqual(programHelp(100), programHelp(undefined));
});

test('under the Docker CLI plugin\'s name too', async () => {
  process.env[USAGE_NAME_VARIABLE] = 'docker iscout';
  try {
    const full = await buildProgram();
    for (const w of [undefined, 90, 150]) assert.equal(programHelp(w, 'docker iscout'), commanderHelp(full, w), `width ${w}`);
  } finally {
    delete process.env[USAGE_NAME_VARIABLE];
  }
});

test('scout --help, -h and help print it, piped and on a terminal of 123 columns', async () => {
  const full = await buildProgram();
  for (const arg of ['--help', '-h', 'help']) {
    const r = scout([arg]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, commanderHelp(full, undefined), arg);
  }
  const docker = scout(['--help'], { [USAGE_NAME_VARIABLE]: 'docker iscout' });
  assert.match(docker.stdout, /^Usage: docker iscout \[options\] \[command\]\n/);
  // A pseudo-terminal (util-linux `script`), without its \n -> \r\n translation.
  const cmd = ['stty cols 123 -onlcr;', process.execPath, ...scoutNodeArgs('--help')].map((a) => (a.endsWith(';') ? a : `'${a}'`)).join(' ');
  const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(tty.status, 0, tty.stderr);
  assert.equal(tty.stdout, commanderHelp(full, 123));
});
