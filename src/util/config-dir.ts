import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the user's Scout configuration lives: `$SCOUT_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/iechor-scout`, else `~/.config/iechor-scout`. `config.yaml`, `login.json`
 * and `sources.json` are all kept there.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SCOUT_CONFIG_DIR) return env.SCOUT_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'iechor-scout');
}
