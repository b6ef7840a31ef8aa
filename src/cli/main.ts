import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The `scout` command. Each subcommand lives in its own module; they only parse flags, call
 * the library and hand results to a reporter.
 */
export async function main(argv: string[]): Promise<void> {
  // `scout sbom … | head` closes the pipe early: that is the reader's choice, not an error.
  // Any other write error (a full disk, `> /dev/full`) means the output is lost: one line, exit 1.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`error: cannot write to standard output: ${err.code ?? err.message}${err.code === 'ENOSPC' ? ' (no space left on device)' : ''}\n`);
    process.exit(1);
  });
  // `scout --version` answers before commander or any command module is loaded.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    // A failed write (`> /dev/full`) reaches the 'error' handler above: one line, exit 1.
    process.stdout.write(pkg.version + '\n');
    return;
  }
  const { Command } = await import('commander');
  const program = new Command('scout')
    .description('iEchor Scout: container image metadata, SBOMs and vulnerabilities, self-hosted')
    .version(pkg.version)
    // A mistyped option gets one line with the closest match (commander's suggestion), not the
    // whole help; `scout CMD --help` shows that.
    .configureOutput({ outputError: (str, write) => write(str.replace(/\n\(Did you mean (.*)\?\)\n?$/, ' (did you mean $1?)\n')) })
    // Commander exits as soon as it has printed help, a version or a usage error, before a
    // failed write to stdout (`--help > /dev/full`) can be reported. Exit only once stdout has
    // taken the text; the 'error' handler above turns a failed write into exit 1.
    .exitOverride((err) => {
      process.stdout.write('', (writeErr) => {
        if (!writeErr) process.exit(err.exitCode);
      });
      throw new ExitAfterOutput();
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
  (await import('./commands/explain.js')).register(program);
  (await import('./commands/compare.js')).register(program);
  (await import('./commands/environment.js')).register(program);
  (await import('./commands/webhook.js')).register(program);
  const server = (await import('./commands/server.js')).register(program);
  (await import('./commands/server-db.js')).register(server);
  (await import('./commands/attestation.js')).register(program);
  (await import('./commands/login.js')).register(program);
  (await import('./commands/push.js')).register(program);
  (await import('./commands/platform-read.js')).register(program, image);
  (await import('./commands/secrets.js')).register(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof ExitAfterOutput)) throw err;
  }
}

/** Thrown from commander's exit hook: the exit itself waits for stdout (see exitOverride). */
class ExitAfterOutput extends Error {}

await main(process.argv);
