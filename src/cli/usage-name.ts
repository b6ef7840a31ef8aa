/**
 * The name help and usage lines give the program. Run as the Docker CLI plugin, the command a
 * user types is `docker iscout …`, not `scout …`: a usage line copied from `docker iscout cves
 * --help` must run what it says. Only the rendering changes (render-usage-as.ts, and
 * quick-help.ts for `scout --help`); the commands keep their names, which settings.ts (config
 * keys, SCOUT_<COMMAND>_<FLAG>), `scout completion` and the lazy command stubs
 * (command-index.ts) go by. Apart from commander, so that `scout --help` reads it without it.
 */

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
