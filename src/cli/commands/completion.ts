/**
 * `scout completion bash|zsh|fish` prints a completion script for the shell (see ../completion.ts).
 * Registered last, so the script covers every other command.
 */
import type { Command } from 'commander';
import { action, writeOutput } from '../common.js';

export function register(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: bash, zsh or fish (see the README for where to put it)')
    .argument('<shell>', 'bash, zsh or fish')
    .action(
      action(async (shell: string) => {
        const { completionScript } = await import('../completion.js');
        await writeOutput(completionScript(shell, program));
      }),
    );
}
