import { Command } from 'commander';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The `scout` command. Each subcommand lives in its own module; they only parse flags, call
 * the library and hand results to a reporter.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('scout')
    .description('iEchor Scout: container image metadata, SBOMs and vulnerabilities, self-hosted')
    .version(pkg.version)
    .showHelpAfterError();
  const image = program.command('image').description('work with images');
  (await import('./commands/image-inspect.js')).register(image);
  (await import('./commands/sbom.js')).register(program);
  (await import('./commands/cache.js')).register(program);
  (await import('./commands/cves.js')).register(program);
  (await import('./commands/db.js')).register(program);
  (await import('./commands/quickview.js')).register(program);
  (await import('./commands/explain.js')).register(program);
  await program.parseAsync(argv);
}

await main(process.argv);
