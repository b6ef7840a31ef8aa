/** `--config FILE` of `scout policy` and `quickview`: the policy file, or the built-in defaults. */
import { readFile } from 'node:fs/promises';
import type { PolicyConfig } from '../policy/config.js';
import { ScoutError } from '../util/errors.js';

/** Also SCOUT_POLICY_CONFIG, so that a CI job sets it once for every command. */
export async function loadPolicyConfig(file: string | undefined = process.env.SCOUT_POLICY_CONFIG || undefined): Promise<PolicyConfig> {
  const { defaultPolicyConfig, parsePolicyConfig } = await import('../policy/config.js');
  if (!file) return defaultPolicyConfig();
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ScoutError('not-found', `--config ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { path: file });
  });
  return parsePolicyConfig(text, file);
}
