/**
 * The `scout` command tree. Each subcommand lives in its own module; they only parse flags, call
 * the library and hand results to a reporter. Built apart from main.ts so tests can run commands
 * in process.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export async function buildProgram(): Promise<Command> {
  const program = new Command('scout')
    .description('iEchor Scout: container image metadata, SBOMs and vulnerabilities, self-hosted')
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
    // Options every command takes, before or after the command's name.
    .option('--config <file>', 'read settings from this YAML file only (default: ./.scout.yaml, then ~/.config/iechor-scout/config.yaml); also SCOUT_CONFIG')
    .option('--cache-dir <dir>', 'where Scout keeps layer results, the advisory database and downloads (default ~/.cache/iechor-scout); also SCOUT_CACHE_DIR')
    .option('-q, --quiet', 'no progress line, notes or warnings on stderr (errors still); also SCOUT_QUIET=1')
    .option('--no-color', 'no colour, even on a terminal (also NO_COLOR=1; FORCE_COLOR=1 forces it)')
    // Flags, then SCOUT_* variables, then the config files, then defaults (see settings.ts).
    .hook('preAction', async (_program, command) => {
      try {
        const { applySettings, configPaths, loadConfigFiles, validateConfig } = await import('./settings.js');
        const named = program.getOptionValueSource('config') === 'cli' ? (program.opts() as { config?: string }).config : undefined;
        const files = await loadConfigFiles(configPaths(process.env, process.cwd(), named));
        for (const f of files) validateConfig(program, f);
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
  program
    .command('version')
    .description('this program\'s version, commit, Node.js version and advisory database schema')
    .action(async () => {
      const { versionText } = await import('./version.js');
      process.stdout.write(await versionText(pkg.version));
    });
  const image = program.command('image').description('work with images');
  (await import('./commands/image-inspect.js')).register(image);
  (await import('./commands/sbom.js')).register(program);
  (await import('./commands/cache.js')).register(program);
  (await import('./commands/cves.js')).register(program);
  (await import('./commands/db.js')).register(program);
  (await import('./commands/quickview.js')).register(program);
  (await import('./commands/policy.js')).register(program);
  (await import('./commands/policies.js')).register(program);
  (await import('./commands/explain.js')).register(program);
  (await import('./commands/compare.js')).register(program);
  (await import('./commands/recommendations.js')).register(program);
  (await import('./commands/environment.js')).register(program);
  (await import('./commands/webhook.js')).register(program);
  const server = (await import('./commands/server.js')).register(program);
  (await import('./commands/server-db.js')).register(server);
  (await import('./commands/worker.js')).register(program);
  (await import('./commands/attestation.js')).register(program);
  (await import('./commands/login.js')).register(program);
  (await import('./commands/push.js')).register(program);
  (await import('./commands/watch.js')).register(program);
  (await import('./commands/platform-read.js')).register(program, image);
  (await import('./commands/secrets.js')).register(program);
  (await import('./commands/completion.js')).register(program);
  (await import('./settings.js')).deferRequiredOptions(program);
  return program;
}

/** Thrown from commander's exit hook: the exit itself waits for stdout (see exitOverride). */
export class ExitAfterOutput extends Error {}
