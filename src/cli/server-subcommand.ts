/**
 * What every subcommand of an organisation's server resource (`scout webhook …`, `scout vex …`)
 * shares: the `--server` and `--format` options, and the login they resolve to. One place, so the
 * resources' commands take the same options and refuse a bad format with the same words.
 */
import type { Command } from 'commander';
import { ScoutError } from '../util/errors.js';
import type { ServerLogin } from './server-client.js';

export interface ServerSubcommandOptions {
  server?: string;
  format: string;
}

/** The format checked first (a typo fails before any request), then the server's login. */
export async function serverSubcommandLogin(o: ServerSubcommandOptions): Promise<ServerLogin> {
  if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
  const { resolveLogin } = await import('./server-client.js');
  return resolveLogin(o.server);
}

export function withServerOptions(cmd: Command): Command {
  return cmd.option('--server <url>', "server URL (default: SCOUT_SERVER or scout login's)").option('--format <format>', 'text or json', 'text');
}
