/** The `scout` executable: the command tree of program.ts, run on this process's arguments. */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

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
  // `scout --help` (or -h, or `scout help`) likewise: its text from the command stubs alone.
  if (argv.length === 3 && (argv[2] === '--help' || argv[2] === '-h' || argv[2] === 'help')) {
    const [{ programHelp }, { usageName }] = await Promise.all([import('./quick-help.js'), import('./usage-name.js')]);
    // The width commander would wrap at: the terminal's, or none (80) when piped.
    process.stdout.write(programHelp(process.stdout.isTTY ? process.stdout.columns : undefined, usageName()));
    return;
  }
  const { buildProgram, ExitAfterOutput } = await import('./program.js');
  try {
    await (await buildProgram(argv)).parseAsync(argv);
  } catch (err) {
    if (!(err instanceof ExitAfterOutput)) throw err;
  }
}

await main(process.argv);
