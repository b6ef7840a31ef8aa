/* eslint-disable no-control-regex -- these tests are about the escape bytes the CLI writes */
// Terminal behaviour as users meet it: colour only on a terminal (NO_COLOR, FORCE_COLOR,
// --no-color), output fitted to the terminal's width without cutting ids, a progress line on
// stderr only when stderr is a terminal, and --quiet. The CLI runs under a real pseudo-terminal
// (util-linux `script`) and through pipes, and the bytes it writes are checked.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { table } from '../../src/cli/output/text.js';
import { decideTerminal } from '../../src/cli/terminal.js';
import { scoutNodeArgs } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { BUNDLE, DEMO, importedCache } from '../report/helpers.js';

const cache = importedCache();
const ESC = '\x1b';
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** The environment of a user's shell: none of the variables under test, not in CI. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SCOUT_CACHE_DIR: cache, TERM: 'xterm-256color', ...extra };
  for (const k of ['CI', 'NO_COLOR', 'FORCE_COLOR', 'COLUMNS', 'SCOUT_QUIET', 'SCOUT_NO_COLOR']) if (!(k in extra)) delete env[k];
  return env;
}

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI with stdout and stderr as pipes (CI logs, `| less`, `> file`). */
function piped(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return collect(spawn(process.execPath, scoutNodeArgs(...args), { env: cleanEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/**
 * The CLI on a pseudo-terminal `cols` wide: what the terminal received is `stdout` (the CLI's
 * stdout and stderr both). `shellTail` redirects inside the terminal (`> file`, `2>/dev/null`).
 */
function onTerminal(args: string[], extra: Record<string, string> = {}, opts: { cols?: number; shellTail?: string } = {}): Promise<Run> {
  const cmd = `stty cols ${opts.cols ?? 200} rows 50; exec ${[process.execPath, ...scoutNodeArgs(...args)].map(quote).join(' ')} ${opts.shellTail ?? ''}`;
  return collect(spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], { env: cleanEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] }));
}

function collect(child: ReturnType<typeof spawn>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

test('the rules: --no-color, then FORCE_COLOR, then NO_COLOR, then whether stdout is a terminal', () => {
  const tty = { stdoutIsTTY: true, stdoutColumns: 120, stderrIsTTY: true };
  const pipe = { stdoutIsTTY: false, stderrIsTTY: false };
  assert.equal(decideTerminal({ ...tty, env: {} }).color, true);
  assert.equal(decideTerminal({ ...tty, env: { TERM: 'dumb' } }).color, false);
  assert.equal(decideTerminal({ ...pipe, env: {} }).color, false);
  assert.equal(decideTerminal({ ...tty, env: { NO_COLOR: '1' } }).color, false);
  // no-color.org: an empty NO_COLOR does not count.
  assert.equal(decideTerminal({ ...tty, env: { NO_COLOR: '' } }).color, true);
  assert.equal(decideTerminal({ ...pipe, env: { FORCE_COLOR: '1' } }).color, true);
  assert.equal(decideTerminal({ ...tty, env: { FORCE_COLOR: '0' } }).color, false);
  assert.equal(decideTerminal({ ...tty, env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).color, true);
  assert.equal(decideTerminal({ ...pipe, env: { FORCE_COLOR: '1' } }, { color: false }).color, false);
  // Width: COLUMNS, else the terminal's; no limit into a pipe.
  assert.equal(decideTerminal({ ...tty, env: {} }).width, 120);
  assert.equal(decideTerminal({ ...tty, env: { COLUMNS: '64' } }).width, 64);
  assert.equal(decideTerminal({ ...pipe, env: { COLUMNS: '64' } }).width, 64);
  assert.equal(decideTerminal({ ...pipe, env: {} }).width, undefined);
  assert.equal(decideTerminal({ ...tty, env: { COLUMNS: 'wide' } }).width, 120);
  // Progress: stderr a terminal, not CI, not quiet.
  assert.equal(decideTerminal({ ...tty, env: {} }).progress, true);
  assert.equal(decideTerminal({ ...tty, env: { CI: 'true' } }).progress, false);
  assert.equal(decideTerminal({ ...tty, env: {} }, { quiet: true }).progress, false);
  assert.equal(decideTerminal({ stdoutIsTTY: true, stderrIsTTY: false, env: {} }).progress, false);
});

test('a table shortens only the columns it may, keeps a path\'s end, and never cuts the others', () => {
  const rows = [['a-very-long-package-name', '1.0.0-1+deb12u1', '/usr/lib/node_modules/thing/package.json']];
  const t = table(rows, ['NAME', 'VERSION', 'PATH'], { maxWidth: 60, shrink: [{ column: 2, keep: 'end' }] });
  const lines = t.split('\n');
  assert.ok(lines.every((l) => l.length <= 60), t);
  assert.match(lines[2], /^a-very-long-package-name {2}1\.0\.0-1\+deb12u1 {2}….*\/package\.json$/);
  // Too narrow even with the path at its floor: the name and version stay whole.
  const narrow = table(rows, ['NAME', 'VERSION', 'PATH'], { maxWidth: 20, shrink: [{ column: 2, keep: 'end' }] });
  assert.match(narrow.split('\n')[2], /^a-very-long-package-name {2}1\.0\.0-1\+deb12u1 {2}…\S{5}$/);
});

test('cves: colour on a terminal; none through a pipe, with NO_COLOR or with --no-color; FORCE_COLOR into a pipe', async () => {
  const [tty, pipe, noColor, flag, forced] = await Promise.all([
    onTerminal(['cves', DEMO]),
    piped(['cves', DEMO]),
    onTerminal(['cves', DEMO], { NO_COLOR: '1' }),
    onTerminal(['cves', DEMO, '--no-color']),
    piped(['cves', DEMO], { FORCE_COLOR: '1' }),
  ]);
  for (const r of [tty, pipe, noColor, flag, forced]) assert.equal(r.code, 0, r.stderr + r.stdout);
  // The CVSS 9.8 curl finding in bright red, the package name in bold.
  assert.match(tty.stdout, /CVE-2023-38545 +\x1b\[91mcritical 9\.8\x1b\[39m/);
  assert.match(tty.stdout, /\x1b\[1mcurl\x1b\[22m 7\.88\.1-10 \(deb\)/);
  assert.ok(!pipe.stdout.includes(ESC), 'no escape into a pipe');
  assert.ok(!noColor.stdout.includes(ESC), 'no escape with NO_COLOR');
  assert.ok(!flag.stdout.includes(ESC), 'no escape with --no-color');
  assert.match(forced.stdout, /\x1b\[91mcritical 9\.8\x1b\[39m/);
  // The same report either way, once the colour is taken out.
  assert.equal(forced.stdout.replace(ANSI, ''), pipe.stdout);
  assert.equal(noColor.stdout.replace(/\r\n/g, '\n'), pipe.stdout);
});

test('cves -o FILE on a terminal: the file gets no colour', async () => {
  const file = join(tempDir(), 'report.txt');
  const r = await onTerminal(['cves', DEMO, '-o', file]);
  assert.equal(r.code, 0, r.stdout);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /CVE-2023-38545 +critical 9\.8/);
  assert.ok(!text.includes(ESC));
});

test('sbom list fits a 72-column terminal and COLUMNS=72 in a pipe, shortening only paths; names and versions stay whole', async () => {
  const json = JSON.parse((await piped(['sbom', DEMO, '--format', 'json'])).stdout) as { packages: { name: string; version: string }[] };
  const wide = await piped(['sbom', DEMO]);
  const tty = await onTerminal(['sbom', DEMO], {}, { cols: 72 });
  const cols = await piped(['sbom', DEMO], { COLUMNS: '72' });
  // Unlimited into a pipe: the longest line of this image is wider than 72.
  assert.ok(wide.stdout.split('\n').some((l) => l.length > 72), 'the full table is wider than the terminal');
  const fullPaths = wide.stdout.split('\n').slice(2, -2).map((l) => l.split(/ {2,}/).at(-1)!);
  for (const r of [tty, cols]) {
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const lines = r.stdout.replace(/\r\n/g, '\n').trimEnd().split('\n');
    for (const l of lines) assert.ok(l.length <= 72, `${l.length} columns: ${l}`);
    for (const p of json.packages) assert.ok(lines.some((l) => l.startsWith(`${p.name} `) && l.includes(` ${p.version} `)), `${p.name} ${p.version} whole`);
    // A shortened path is the end of a real one (the file's name stays readable).
    const cut = lines.map((l) => /…(\S{5,})$/.exec(l)?.[1]).filter((x): x is string => !!x);
    assert.ok(cut.length > 0, 'some paths were shortened');
    for (const end of cut) assert.ok(fullPaths.some((p) => p.endsWith(end)), `…${end} ends a real path`);
  }
});

/** A feed server that takes about 2 s to send a real CISA KEV catalog: a step over a second. */
async function slowFeed(): Promise<{ url: string; close: () => void }> {
  const { gunzipSync } = await import('node:zlib');
  const body = gunzipSync(readFileSync(join(BUNDLE, 'cisa-kev.json.gz')));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    const parts = 10;
    let i = 0;
    const tick = setInterval(() => {
      const from = Math.floor((body.length * i) / parts);
      const to = Math.floor((body.length * (i + 1)) / parts);
      res.write(body.subarray(from, to));
      if (++i === parts) {
        clearInterval(tick);
        res.end();
      }
    }, 200);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/known_exploited_vulnerabilities.json`, close: () => server.close() };
}

test('progress: a line on a terminal\'s stderr for a slow download, nothing in a pipe, nothing with --quiet', async () => {
  const feed = await slowFeed();
  try {
    const dir = tempDir();
    const out = join(dir, 'stdout.txt');
    // stdout to a file, stderr to the terminal.
    const tty = await onTerminal(['db', 'import', feed.url], { SCOUT_CACHE_DIR: tempDir() }, { shellTail: `> ${quote(out)}` });
    assert.equal(tty.code, 0, tty.stdout);
    assert.match(tty.stdout, /\r\x1b\[Kdownloading known_exploited_vulnerabilities\.json [\d.]+\/[\d.]+ MB \(\d+s\)/);
    // Wiped at the end: the last thing on the terminal is the wipe, not a stale progress line.
    assert.ok(tty.stdout.endsWith('\r\x1b[K'), JSON.stringify(tty.stdout.slice(-80)));
    assert.ok(!readFileSync(out, 'utf8').includes(ESC), 'stdout (a file) has no escapes');
    assert.match(readFileSync(out, 'utf8'), /cisa-kev/);

    const pipe = await piped(['db', 'import', feed.url], { SCOUT_CACHE_DIR: tempDir() });
    assert.equal(pipe.code, 0, pipe.stderr);
    assert.equal(pipe.stderr, '', 'nothing on a piped stderr');

    const quiet = await onTerminal(['-q', 'db', 'import', feed.url], { SCOUT_CACHE_DIR: tempDir() }, { shellTail: '> /dev/null' });
    assert.equal(quiet.code, 0, quiet.stdout);
    assert.equal(quiet.stdout, '', 'nothing on the terminal with --quiet');
  } finally {
    feed.close();
  }
});

test('--quiet silences warnings but not errors; SCOUT_QUIET=1 does the same', async () => {
  const loud = await piped(['cves', DEMO, '--db-max-age', '0']);
  assert.equal(loud.code, 0, loud.stderr);
  assert.match(loud.stderr, /^warning: the advisory database is stale/m);
  const quiet = await piped(['cves', DEMO, '--db-max-age', '0', '--quiet']);
  const env = await piped(['cves', DEMO, '--db-max-age', '0'], { SCOUT_QUIET: '1' });
  for (const r of [quiet, env]) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, loud.stdout);
  }
  const failing = await piped(['cves', DEMO, '--db-max-age', '0', '--fail-on-stale-db', '-q']);
  assert.equal(failing.code, 1);
  assert.match(failing.stderr, /^error: the advisory database is stale.*--fail-on-stale-db/m);
});
