/**
 * `--policy-file FILE` of `scout policy` and `quickview` (also SCOUT_POLICY_FILE, or `policy-file`
 * in Scout's config file, as every flag): the policy file; else, with `--server`, the
 * organisation's configuration on that server (GET /v1/policies), so a CI gate judges as the
 * platform does; else the built-in defaults.
 */
import { readFile } from 'node:fs/promises';
import type { PolicyConfig } from '../policy/config.js';
import { ScoutError } from '../util/errors.js';

export async function loadPolicyConfig(file: string | undefined, server?: string): Promise<PolicyConfig> {
  const { defaultPolicyConfig, parsePolicyConfig } = await import('../policy/config.js');
  if (!file && server) {
    const { callApi, resolveLogin } = await import('./server-client.js');
    const login = resolveLogin(server);
    const { body } = await callApi<{ config: string | null }>(login, { method: 'GET', path: '/v1/policies' });
    return body.config === null ? defaultPolicyConfig() : parsePolicyConfig(body.config, `${login.server}/v1/policies`);
  }
  if (!file) return defaultPolicyConfig();
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new ScoutError('not-found', `--policy-file ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { path: file });
  });
  return parsePolicyConfig(text, file);
}
