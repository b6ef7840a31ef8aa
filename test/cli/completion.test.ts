/**
 * `scout completion bash|zsh|fish` and the `docker iscout` plugin, in the real shells and the
 * real Docker CLI: each script is sourced by its shell and asked for completions of command lines
 * a user types; the plugin is put where the Docker CLI looks for plugins and run through `docker`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { scoutInProcess } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'scout-completion-'));
const scripts: Record<string, string> = {};

before(async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await scoutInProcess(['completion', shell]);
    assert.equal(r.code, 0, r.stderr);
    scripts[shell] = join(dir, `scout.${shell}`);
    writeFileSync(scripts[shell], r.stdout);
  }
});

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: dir, env: { ...process.env, HOME: dir } });
  assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
  return r.stdout;
}

/** What bash's completion function offers for the words typed (the last one being completed). */
function bash(...words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const out = run('bash', ['-c', `source '${scripts.bash}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _scout; printf '%s\\n' "\${COMPREPLY[@]}"`]);
  return out.split('\n').filter(Boolean);
}

test('bash: commands, nested subcommands and each command\'s own options complete', () => {
  assert.deepEqual(bash('scout', 'c'), ['cache', 'compare', 'completion', 'cves']);
  assert.deepEqual(bash('scout', 'server', 't'), ['token']);
  assert.deepEqual(bash('scout', 'server', 'token', ''), ['create', 'list', 'revoke']);
  assert.deepEqual(bash('scout', 'cves', 'alpine:3', '--only-s'), ['--only-severity']);
  // Global options before the command, and option values, do not derail the walk.
  assert.deepEqual(bash('scout', '--cache-dir', '/tmp/c', 'db', 'u'), ['update']);
  // An option of another command is not offered; --version belongs to the top only.
  assert.deepEqual(bash('scout', 'sbom', '--only-s'), []);
  assert.deepEqual(bash('scout', 'sbom', '--vers'), []);
  assert.deepEqual(bash('scout', '--vers'), ['--version']);
  // watch reads registries only: its --re… options are the registry's and --repository, no --ref.
  assert.deepEqual(bash('scout', 'wa'), ['watch']);
  assert.deepEqual(bash('scout', 'watch', '--re'), ['--registry', '--registry-idle-timeout', '--registry-min-rate', '--registry-mirror', '--repository']);
});

test('zsh: the same table through bashcompinit (zsh filters the prefix itself)', () => {
  const out = run('zsh', ['-c', `autoload -U compinit && compinit -u; source '${scripts.zsh}'; setopt ksharrays; COMP_WORDS=(scout server t); COMP_CWORD=2; _scout; print -l -r -- "\${COMPREPLY[@]}"`]);
  assert.deepEqual(out.split('\n').filter(Boolean).sort(), ['catalog', 'db', 'token']);
});

test('zsh: installed in $fpath as _scout, the very first TAB of a session completes', () => {
  // compinit autoloads _scout at the first TAB; that TAB must complete, not only load the script.
  // A real interactive zsh on a pseudo-terminal (zsh/zpty) gets the keystrokes.
  const fpathDir = join(dir, 'zsh-functions');
  mkdirSync(fpathDir, { recursive: true });
  writeFileSync(join(fpathDir, '_scout'), readFileSync(scripts.zsh));
  const driver = [
    'zmodload zsh/zpty',
    `zpty z 'zsh -f -i'`,
    `zpty -w z 'PS1="> "; fpath=(${fpathDir} $fpath); autoload -U compinit; compinit -u -D'`,
    `zpty -w -n z $'scout server t\t'`,
    'out=""',
    'for i in {1..100}; do zpty -rt z chunk && out+=$chunk; [[ $out == *"scout server token"* ]] && break; sleep 0.05; done',
    'zpty -d z',
    'print -r -- "$out"',
  ].join('\n');
  const out = run('zsh', ['-f', '-c', driver]);
  assert.match(out, /scout server token/);
});

test('fish: complete -C gives the same answers', () => {
  const complete = (line: string) => run('fish', ['-c', `source '${scripts.fish}'; complete -C '${line}'`]).split('\n').filter(Boolean);
  assert.deepEqual(complete('scout server t'), ['token']);
  assert.deepEqual(complete('scout server token '), ['create', 'list', 'revoke']);
  assert.deepEqual(complete('scout cves alpine:3 --only-s'), ['--only-severity']);
});

test('an unknown shell is one error line naming the shells there are', async () => {
  const r = await scoutInProcess(['completion', 'tcsh']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: no completion for shell "tcsh": choose one of bash, zsh, fish\n');
});

const PLUGIN = new URL('../../bin/docker-iscout.js', import.meta.url).pathname;
const scoutVersion = () => spawnSync(process.execPath, [new URL('../../bin/scout.js', import.meta.url).pathname, 'version'], { encoding: 'utf8' }).stdout;

test('docker-iscout speaks the plugin protocol: metadata, then its own name as the first argument', () => {
  const meta = spawnSync(process.execPath, [PLUGIN, 'docker-cli-plugin-metadata'], { encoding: 'utf8' });
  assert.equal(meta.status, 0, meta.stderr);
  const parsed = JSON.parse(meta.stdout) as Record<string, string>;
  assert.equal(parsed.SchemaVersion, '0.1.0');
  assert.equal(parsed.Vendor, 'iEchor');
  assert.match(parsed.Version, /^\d+\.\d+\.\d+/);
  const run = spawnSync(process.execPath, [PLUGIN, 'iscout', 'version'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, scoutVersion());
});

// .ci/run installs a Docker CLI (Debian's docker.io) where none is on the PATH; no engine is needed.
test('docker iscout: the Docker CLI lists the plugin and runs scout through it', () => {
  const config = join(dir, 'docker');
  mkdirSync(join(config, 'cli-plugins'), { recursive: true });
  symlinkSync(PLUGIN, join(config, 'cli-plugins', 'docker-iscout'));
  const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: config, CI: '1' } });
  const help = docker('--help');
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^\s+iscout\*\s+iEchor Scout/m);
  const version = docker('iscout', 'version');
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout, scoutVersion());
  const unknown = docker('iscout', 'no-such-command');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown command 'no-such-command'/);
});

/**
 * A copy of the plugin's package whose CLI is this checkout's sources: bin/scout.js runs dist/
 * when there is one, and a dist/ built before the change under test would hide it. Its dist/ is
 * the JavaScript scripts/run-tests.mjs transpiled from src/ (SCOUT_TEST_CLI_JS), else there is
 * none and bin/scout.js runs src/ under tsx. The bin files are copies: Node resolves a symlinked
 * entry point to its target, whose ../dist would be the checkout's.
 */
function pluginFromSources(): string {
  const repo = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
  const pkg = join(dir, 'plugin-package');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  for (const f of ['docker-iscout.js', 'scout.js']) copyFileSync(repo(`bin/${f}`), join(pkg, 'bin', f));
  chmodSync(join(pkg, 'bin', 'docker-iscout.js'), 0o755);
  for (const f of ['package.json', 'src', 'node_modules']) symlinkSync(repo(f), join(pkg, f));
  const js = process.env.SCOUT_TEST_CLI_JS;
  if (js) symlinkSync(dirname(dirname(js)), join(pkg, 'dist'));
  return join(pkg, 'bin', 'docker-iscout.js');
}

test('docker iscout: help and usage lines name `docker iscout`, the command the user typed; scout\'s say `scout`', async () => {
  const config = join(dir, 'docker-sources');
  mkdirSync(join(config, 'cli-plugins'), { recursive: true });
  symlinkSync(pluginFromSources(), join(config, 'cli-plugins', 'docker-iscout'));
  const docker = (...args: string[]) => {
    const r = spawnSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: config, CI: '1' } });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const top = docker('iscout', '--help');
  assert.match(top, /^Usage: docker iscout \[options\] \[command\]$/m);
  // The listed commands keep their names (the stubs' terms of command-index.ts).
  assert.match(top, /^ {2}cves \[options\] <image> /m);
  assert.match(docker('iscout', 'cves', '--help'), /^Usage: docker iscout cves \[options\] <image>$/m);
  // A command two levels down, and `help CMD`, render the same way.
  assert.match(docker('iscout', 'db', 'update', '--help'), /^Usage: docker iscout db update \[options\]$/m);
  assert.match(docker('iscout', 'help', 'qv'), /^Usage: docker iscout quickview\|qv \[options\] <image>$/m);
  for (const out of [top, docker('iscout', 'cves', '--help')]) assert.doesNotMatch(out, /Usage: scout/);

  const plain = await scoutInProcess(['--help']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^Usage: scout \[options\] \[command\]$/m);
  const cves = await scoutInProcess(['cves', '--help']);
  assert.match(cves.stdout, /^Usage: scout cves \[options\] <image>$/m);
});
