/**
 * The `scout` command tree. Each subcommand lives in its own module; they only parse flags, call
 * the library and hand results to a reporter. Built apart from main.ts so tests can run commands
 * in process.
 */
import { Command, Help } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { COMMAND_STUBS, GLOBAL_OPTIONS, IMAGE_DESCRIPTION, PROGRAM_DESCRIPTION, VERSION_DESCRIPTION } from './command-index.js';
import { renderUsageAs } from './render-usage-as.js';
import { usageName } from './usage-name.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The command tree. With `argv` (the process's arguments), only the modules of the command
 * that runs are loaded, and the others are stubs that only `--help` reads (command-index.ts);
 * without, every command is loaded (tests, completion).
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('scout')
    .description(PROGRAM_DESCRIPTION)
    .version(pkg.version)
    // A mistyped option gets one line with the closest match (commander's suggestion), not the
    // whole help; `scout CMD --help` shows that.
    .configureOutput({ outputError: (str, write) => write(str.replace(/\n\(Did you mean (.*)\?\)\n?$/, ' (did you mean $1?)\n')) })
    // Commander exits as soon as it has printed help, a version or a usage error, before a
    // failed write to stdout (`--help > /dev/full`) can be reported. Exit only once stdout has
    // taken the text; main.ts's 'error' handler turns a failed write into exit 1.
    .exitOverride((err) => {
      process.stdout.write('', (writeErr) => {
        if (!writeErr) process.exit(err.exitCode);
      });
      throw new ExitAfterOutput();
    })
    // Flags, then SCOUT_* variables, then the config files, then defaults (see settings.ts).
    .hook('preAction', async (_program, command) => {
      try {
        const { applySettings, configPaths, loadConfigFiles, validateConfig } = await import('./settings.js');
        const named = program.getOptionValueSource('config') === 'cli' ? (program.opts() as { config?: string }).config : undefined;
        const files = await loadConfigFiles(configPaths(process.env, process.cwd(), named));
        // A config file may set any command's flags: check it against the whole tree.
        const tree = files.length && partialTrees.has(program) ? await buildProgram() : program;
        for (const f of files) validateConfig(tree, f);
        applySettings(command, files);
        // Colour, width, progress and --quiet are decided once, here, for the whole run (terminal.ts).
        const { configureTerminal } = await import('./terminal.js');
        const { quiet, color } = program.opts() as { quiet?: boolean; color?: boolean };
        configureTerminal({ quiet: quiet === true, color: color !== false });
        const { cacheDir } = program.opts() as { cacheDir?: string };
        // The library reads the cache location from the environment (image/cache.ts).
        if (cacheDir) process.env.SCOUT_CACHE_DIR = resolve(cacheDir);
      } catch (err) {
        command.error(`error: ${(err as Error).message}`, { exitCode: 1, code: 'scout.settings' });
      }
    });
  // Options every command takes, before or after the command's name.
  for (const o of GLOBAL_OPTIONS) program.option(o.flags, o.description);
  program
    .command('version')
    .description(VERSION_DESCRIPTION)
    .action(async () => {
      const { versionText } = await import('./version.js');
      process.stdout.write(await versionText(pkg.version));
    });
  const image = program.command('image').description(IMAGE_DESCRIPTION);
  const wanted = argv ? commandsToLoad(argv) : 'all';
  const stubTerms = new Map<Command, string>();
  for (const r of REGISTRARS) {
    if (wanted === 'all' || r.names.some((n) => wanted.has(n))) {
      await r.register(program, image);
      continue;
    }
    // The `image` group is real (above); its subcommands only matter when it runs.
    for (const name of r.names.filter((n) => n !== 'image')) {
      const stub = COMMAND_STUBS[name];
      const cmd = program.command(name).description(stub.description);
      if (stub.alias) cmd.alias(stub.alias);
      stubTerms.set(cmd, stub.term);
    }
  }
  if (stubTerms.size) {
    program.configureHelp({
      subcommandTerm(this: Help, cmd: Command): string {
        return stubTerms.get(cmd) ?? Help.prototype.subcommandTerm.call(this, cmd);
      },
    });
    partialTrees.add(program);
  }
  // Only loaded commands have options to defer (stubs have none).
  if (wanted === 'all' || wanted.size) (await import('./settings.js')).deferRequiredOptions(program);
  // Last, so that it reaches every command registered above (`docker iscout` as a plugin).
  const name = usageName();
  if (name) renderUsageAs(program, name);
  return program;
}

/** Programs built with stubs for the commands not run: config files are checked against a full one. */
const partialTrees = new WeakSet<Command>();

/**
 * The modules that register the top-level commands, in the order `scout --help` lists them,
 * with the names each adds (platform-read adds to the `image` group and three commands).
 */
const REGISTRARS: { names: string[]; register: (program: Command, image: Command) => Promise<unknown> }[] = [
  { names: ['image'], register: async (_p, image) => (await import('./commands/image-inspect.js')).register(image) },
  { names: ['sbom'], register: async (p) => (await import('./commands/sbom.js')).register(p) },
  { names: ['cache'], register: async (p) => (await import('./commands/cache.js')).register(p) },
  { names: ['cves'], register: async (p) => (await import('./commands/cves.js')).register(p) },
  { names: ['db'], register: async (p) => (await import('./commands/db.js')).register(p) },
  { names: ['quickview'], register: async (p) => (await import('./commands/quickview.js')).register(p) },
  { names: ['policy'], register: async (p) => (await import('./commands/policy.js')).register(p) },
  { names: ['policies'], register: async (p) => (await import('./commands/policies.js')).register(p) },
  { names: ['explain'], register: async (p) => (await import('./commands/explain.js')).register(p) },
  { names: ['compare'], register: async (p) => (await import('./commands/compare.js')).register(p) },
  { names: ['recommendations'], register: async (p) => (await import('./commands/recommendations.js')).register(p) },
  { names: ['environment'], register: async (p) => (await import('./commands/environment.js')).register(p) },
  { names: ['webhook'], register: async (p) => (await import('./commands/webhook.js')).register(p) },
  { names: ['vex'], register: async (p) => (await import('./commands/vex.js')).register(p) },
  {
    names: ['server'],
    register: async (p) => {
      const server = (await import('./commands/server.js')).register(p);
      (await import('./commands/server-db.js')).register(server);
    },
  },
  { names: ['worker'], register: async (p) => (await import('./commands/worker.js')).register(p) },
  { names: ['attestation'], register: async (p) => (await import('./commands/attestation.js')).register(p) },
  { names: ['login', 'logout'], register: async (p) => (await import('./commands/login.js')).register(p) },
  { names: ['push'], register: async (p) => (await import('./commands/push.js')).register(p) },
  { names: ['watch'], register: async (p) => (await import('./commands/watch.js')).register(p) },
  { names: ['image', 'repo', 'vuln', 'package'], register: async (p, image) => (await import('./commands/platform-read.js')).register(p, image) },
  { names: ['secrets'], register: async (p) => (await import('./commands/secrets.js')).register(p) },
  { names: ['completion'], register: async (p) => (await import('./commands/completion.js')).register(p) },
];

/** Options of the program that take a value, so that the value is not taken for a command's name. */
const GLOBAL_WITH_VALUE = new Set(['--config', '--cache-dir']);

/**
 * Which commands' modules `argv` needs: the command it runs (`scout help CMD` is CMD's help),
 * none for the program's own help or version, and all of them whenever that is not certain
 * (an unknown word gets commander's suggestion from the full list; `completion` describes
 * every command).
 */
export function commandsToLoad(argv: readonly string[]): Set<string> | 'all' {
  const words: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return 'all';
    if (a.startsWith('-')) {
      if (GLOBAL_WITH_VALUE.has(a)) i++;
      continue;
    }
    words.push(a);
    if (words[0] !== 'help' || words.length === 2) break;
  }
  const word = words[0] === 'help' ? words[1] : words[0];
  if (word === undefined || word === 'version') return new Set();
  if (word === 'image') return new Set(['image']);
  const name = Object.entries(COMMAND_STUBS).find(([n, s]) => n === word || s.alias === word)?.[0];
  return name && name !== 'completion' ? new Set([name]) : 'all';
}

/** Thrown from commander's exit hook: the exit itself waits for stdout (see exitOverride). */
export class ExitAfterOutput extends Error {}
