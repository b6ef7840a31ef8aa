/**
 * `scout server`: the platform server and its admin subcommands (`db`, later `token`,
 * `catalog`). This module only creates the one `server` command; the listening action and each
 * subcommand group register on it from their own modules. Every one takes the same
 * `--data-dir` / `--database` (resolved by src/server/location.ts) so they reach the same store.
 */
import type { Command } from 'commander';

export function register(program: Command): Command {
  return program.command('server').description('the platform server (HTTP API) and its administration');
}

/** The options that say where the server's data is; resolved with resolveServerLocation. */
export function serverLocationOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'the server\'s data directory (default: SCOUT_DATA_DIR, else iechor-scout-server beside the cache directory)')
    .option('--database <url>', 'a postgres:// URL (add ?schema=NAME to use one schema); default: SCOUT_DATABASE_URL, else the SQLite file scout.db in the data directory');
}

export interface ServerLocationCliOptions {
  dataDir?: string;
  database?: string;
}
