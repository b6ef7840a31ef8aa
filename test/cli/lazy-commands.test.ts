/**
 * `scout CMD` loads CMD's module only, and the other commands are stubs from command-index.ts
 * (issue #10, Speed). The stubs must say exactly what the modules register: the help of a
 * partly loaded tree is compared with that of the fully loaded one, command by command.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Help, type Command } from 'commander';
import { COMMAND_STUBS } from '../../src/cli/command-index.js';
import { buildProgram, commandsToLoad } from '../../src/cli/program.js';
import { scoutAsync } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const argv = (...args: string[]) => ['node', 'scout', ...args];
const sub = (p: Command, name: string) => p.commands.find((c) => c.name() === name)!;

test('the stubs are the registered commands: names, terms, descriptions and aliases', async () => {
  const full = await buildProgram();
  const help = new Help();
  const registered = full.commands.filter((c) => !['version', 'image', 'help'].includes(c.name()));
  assert.deepEqual(registered.map((c) => c.name()), Object.keys(COMMAND_STUBS), 'the same commands, in the same order');
  for (const c of registered) {
    const stub = COMMAND_STUBS[c.name()];
    assert.deepEqual({ term: stub.term, description: stub.description, alias: stub.alias }, { term: help.subcommandTerm(c), description: c.description(), alias: c.aliases()[0] }, `command-index.ts is out of date for ${c.name()}`);
  }
});

test('scout --help from stubs is the help of the full tree; each command\'s own help is the same whichever way it was built', async () => {
  const full = await buildProgram();
  const partial = await buildProgram(argv('--help'));
  assert.equal(partial.helpInformation(), full.helpInformation());
  for (const name of [...Object.keys(COMMAND_STUBS), 'image']) {
    const only = await buildProgram(argv(name, '--help'));
    assert.equal(sub(only, name).helpInformation(), sub(full, name).helpInformation(), name);
    for (const s of sub(full, name).commands) assert.equal(sub(sub(only, name), s.name()).helpInformation(), s.helpInformation(), `${name} ${s.name()}`);
  }
});

test('which modules a command line loads', () => {
  assert.deepEqual(commandsToLoad(argv('--help')), new Set());
  assert.deepEqual(commandsToLoad(argv()), new Set());
  assert.deepEqual(commandsToLoad(argv('help')), new Set());
  assert.deepEqual(commandsToLoad(argv('help', 'sbom')), new Set(['sbom']));
  assert.deepEqual(commandsToLoad(argv('-q', '--config', 'sbom', 'cves', 'x')), new Set(['cves']), '--config takes a value');
  assert.deepEqual(commandsToLoad(argv('--cache-dir=/tmp/c', 'sbom', 'x')), new Set(['sbom']));
  assert.deepEqual(commandsToLoad(argv('qv', 'alpine')), new Set(['quickview']), 'an alias');
  assert.deepEqual(commandsToLoad(argv('image', 'inspect', 'x')), new Set(['image']));
  // Anything uncertain loads everything: a typo gets commander's suggestion from every command.
  assert.equal(commandsToLoad(argv('sbm', 'x')), 'all');
  assert.equal(commandsToLoad(argv('completion', 'bash')), 'all');
});

test('a mistyped command still gets the closest match; a config file is checked against every command\'s flags', async () => {
  const r = await scoutAsync(['sbm', 'x'], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown command 'sbm' \(did you mean sbom\?\)/);
  // A `cves` flag at the top of the config is fine for `scout cache df`, whose tree has cves as a stub.
  const dir = tempDir();
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'only-severity: critical\n');
  const ok = await scoutAsync(['--config', config, 'cache', 'df'], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(ok.code, 0, ok.stderr);
  writeFileSync(config, 'only-severty: critical\n');
  const bad = await scoutAsync(['--config', config, 'cache', 'df'], { SCOUT_CACHE_DIR: tempDir() });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown key "only-severty": no command has this flag \(did you mean only-severity\?\)/);
});
