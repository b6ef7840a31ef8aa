/** Usage lines under another name than the root command's (`docker iscout …`, usage-name.ts). */
import { Help, type Command } from 'commander';
import { appendAll } from '../util/arrays.js';

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
