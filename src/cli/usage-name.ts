/**
 * The name help and usage lines give the program. Run as the Docker CLI plugin, the command a
 * user types is `docker iscout …`, not `scout …`: a usage line copied from `docker iscout cves
 * --help` must run what it says. Only the rendering changes; the commands keep their names,
 * which settings.ts (config keys, SCOUT_<COMMAND>_<FLAG>), `scout completion` and the lazy
 * command stubs (command-index.ts) go by.
 */
import { Help, type Command } from 'commander';
import { appendAll } from '../util/arrays.js';

/**
 * Set by bin/docker-iscout.js only (to `docker iscout`): not a user setting. An environment
 * variable because the plugin entry point reaches the CLI only through bin/scout.js's import.
 */
export const USAGE_NAME_VARIABLE = 'SCOUT_USAGE_NAME';

/** The name usage lines start with in this environment, or undefined for the root command's own. */
export function usageName(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = env[USAGE_NAME_VARIABLE]?.trim();
  return name ? name : undefined;
}

/**
 * Make every command of the tree (subcommands registered by a lazily loaded module included:
 * call this once the tree is built) render its usage line under `name` in place of the root
 * command's name. Each command keeps the rest of its help configuration (the stubs' terms).
 */
export function renderUsageAs(program: Command, name: string): void {
  const rootName = program.name();
  const commandUsage = function (this: Help, cmd: Command): string {
    const usage = Help.prototype.commandUsage.call(this, cmd);
    return usage.startsWith(`${rootName} `) ? name + usage.slice(rootName.length) : usage;
  };
  const pending = [program];
  for (let cmd = pending.pop(); cmd; cmd = pending.pop()) {
    cmd.configureHelp({ ...cmd.configureHelp(), commandUsage });
    appendAll(pending, cmd.commands);
  }
}
