/** `scout version`: what a bug report needs, read without opening anything heavy. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The git commit of a checkout; an npm install has none (said so, not guessed). */
function commit(): string {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  if (!existsSync(`${root}/.git`)) return 'unknown (not a git checkout)';
  try {
    return execFileSync('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function versionText(version: string): Promise<string> {
  const { SQLITE_MIGRATIONS } = await import('../store/migrations/sqlite/index.js');
  const schema = SQLITE_MIGRATIONS.reduce((m, x) => Math.max(m, x.version), 0);
  return [
    `iechor-scout ${version}`,
    `commit:                    ${commit()}`,
    `node:                      ${process.version}`,
    `advisory database schema:  ${schema}`,
    '',
  ].join('\n');
}
