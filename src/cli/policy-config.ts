/**
 * `--policy-file FILE` of `scout policy` and `quickview` (also SCOUT_POLICY_FILE, or `policy-file`
 * in Scout's config file, as every flag): the policy file, or the built-in defaults.
 */
import { readFile } from 'node:fs/promises';
import type { PolicyConfig } from '../policy/config.js';
import { ScoutError } from '../util/errors.js';

export async function loadPolicyConfig(file: string | undefined): Promise<PolicyConfig> {
  const { defaultPolicyConfig, parsePolicyConfig } = await import('../policy/config.js');
  if (!file) return defaultPolicyConfig();
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ScoutError('not-found', `--policy-file ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { path: file });
  });
  return parsePolicyConfig(text, file);
}
