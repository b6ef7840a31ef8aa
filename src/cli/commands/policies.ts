/**
 * `scout policies show|set|reset`: the organisation's policy configuration on the server
 * (/v1/policies), the policy file format of `scout policy --policy-file`. Showing needs a read
 * token; setting and resetting an admin one, and make the server judge every stored image again.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { OrgPolicies } from '../../server/routes/v1/policies.js';
import { ScoutError } from '../../util/errors.js';
import { action, writeOutput } from '../common.js';
import type { ServerLogin } from '../server-client.js';

interface Options {
  server?: string;
  format: string;
}

async function login(o: Options, formats = ['text', 'json']): Promise<ServerLogin> {
  if (!formats.includes(o.format)) throw new ScoutError('bad-format', `--format must be ${formats.join(' or ')}, not "${o.format}"`);
  const { resolveLogin } = await import('../server-client.js');
  return resolveLogin(o.server);
}

function common(cmd: Command, formats = 'text or json'): Command {
  return cmd.option('--server <url>', "server URL (default: SCOUT_SERVER or scout login's)").option('--format <format>', formats, 'text');
}

/** Each policy, on or off, with its parameters in force; then where the configuration came from. */
async function printPolicies(p: OrgPolicies, format: string, heading: string): Promise<void> {
  if (format === 'json') return writeOutput(JSON.stringify(p, null, 2));
  if (format === 'file') return writeOutput(p.config ?? '# no configuration stored: the built-in policies with their default parameters\n');
  const { table } = await import('../output/text.js');
  const rows = p.policies.map((x) => [x.id, x.kind, x.enabled ? 'on' : 'off', String(x.weight), x.kind === 'custom' ? x.expression ?? '' : Object.entries(x.params ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')]);
  const lines = [heading, table(rows, ['POLICY', 'KIND', 'STATE', 'WEIGHT', 'PARAMETERS / EXPRESSION'])];
  lines.push(p.config === null ? 'configuration: the built-in defaults (scout policies set FILE to change them)' : `configuration: generation ${p.generation}, saved ${p.updatedAt?.slice(0, 19).replace('T', ' ') ?? ''} (scout policies show --format file prints it)`);
  if (p.problem) lines.push(`warning: the stored configuration no longer reads, so the defaults apply: ${p.problem}`);
  if (p.job) lines.push(`every stored image is judged again (job ${p.job}); policy.changed events follow where a status moves`);
  return writeOutput(lines.join('\n'));
}

export function register(program: Command): void {
  const policies = program.command('policies').description("the organisation's policy configuration on the server: which policies judge its images, with which parameters");

  common(policies.command('show').description('each policy, on or off, with the parameters in force'), 'text, json, or file (the stored policy file)').action(
    action(async (o: Options) => {
      const l = await login(o, ['text', 'json', 'file']);
      const { callApi } = await import('../server-client.js');
      const { body } = await callApi<OrgPolicies>(l, { method: 'GET', path: '/v1/policies' });
      await printPolicies(body, o.format, `policies of ${l.server}`);
    }),
  );

  common(
    policies
      .command('set')
      .argument('<file>', 'policy file (YAML or JSON, as scout policy --policy-file reads; - for stdin)')
      .description('store the policy file as the organisation\'s configuration (admin token); the server judges every stored image again'),
  ).action(
    action(async (file: string, o: Options) => {
      const l = await login(o);
      const text = file === '-' ? await readStdin() : await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new ScoutError('not-found', `${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { path: file });
      });
      // Checked here first, so a mistake names the user's own file; the server checks it again.
      const { parsePolicyConfig } = await import('../../policy/config.js');
      parsePolicyConfig(text, file === '-' ? 'stdin' : file);
      const { callApi } = await import('../server-client.js');
      const { body } = await callApi<OrgPolicies>(l, { method: 'PUT', path: '/v1/policies', body: { config: text } });
      await printPolicies(body, o.format, `stored as generation ${body.generation}`);
    }),
  );

  common(policies.command('reset').description('back to the built-in policies with their default parameters (admin token); the server judges every stored image again')).action(
    action(async (o: Options) => {
      const l = await login(o);
      const { callApi } = await import('../server-client.js');
      const { body } = await callApi<OrgPolicies>(l, { method: 'DELETE', path: '/v1/policies' });
      await printPolicies(body, o.format, 'reset to the built-in policies');
    }),
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
