import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action } from '../common.js';
import type { EnvironmentSummary, Workload } from '../../store/kysely/activity-store.js';

interface SyncOptions {
  kubeconfig: string;
  environment: string;
  cluster?: string;
  context?: string;
  namespace?: string;
  interval?: string;
  server?: string;
}

/** The server and token: flags first, then SCOUT_SERVER / SCOUT_TOKEN. */
export function serverTarget(server?: string): { url: string; token: string } {
  const url = server ?? process.env.SCOUT_SERVER;
  if (!url) throw new ScoutError('bad-option', 'no Scout server: pass --server URL or set SCOUT_SERVER');
  const token = process.env.SCOUT_TOKEN;
  if (!token) throw new ScoutError('bad-option', 'no API token: set SCOUT_TOKEN (a token with write scope)');
  return { url, token };
}

interface RecordOptions {
  server?: string;
  format: string;
}

/**
 * `scout environment` as Docker Scout's CLI has it: no argument lists the environments, ENV
 * lists what runs in it now, ENV IMAGE records that IMAGE (a stored digest or REPOSITORY:TAG)
 * runs there, replacing that repository's previous image in ENV.
 */
async function recordOrList(envName: string | undefined, image: string | undefined, o: RecordOptions): Promise<number> {
  if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
  const { resolveLogin, callApi, fetchAll } = await import('../server-client.js');
  const { writeOutput } = await import('../common.js');
  const { table } = await import('../output/text.js');
  const l = resolveLogin(o.server);
  const json = (v: unknown) => writeOutput(JSON.stringify(v, null, 2));
  if (envName === undefined) {
    // Paged by the server: every page, by name.
    const items = await fetchAll<EnvironmentSummary>(l, '/v1/environments');
    if (o.format === 'json') await json(items);
    else await writeOutput(items.length ? table(items.map((e) => [e.name, String(e.workloads), String(e.images), e.lastChangeAt.slice(0, 19).replace('T', ' ')]), ['ENVIRONMENT', 'WORKLOADS', 'IMAGES', 'LAST CHANGE']) : 'no environments (scout environment ENV IMAGE records one)');
    return 0;
  }
  const path = `/v1/environments/${encodeURIComponent(envName)}`;
  if (image !== undefined) {
    const { body } = await callApi<Workload>(l, { method: 'POST', path: `${path}/images`, body: { image } });
    if (o.format === 'json') await json(body);
    else await writeOutput(`${body.name} in ${body.environment}: ${body.imageRef}${body.imageDigest && !body.imageRef.endsWith(body.imageDigest) ? ` (${body.imageDigest})` : ''}`);
    return 0;
  }
  const items = await fetchAll<Workload>(l, path);
  if (o.format === 'json') {
    await json(items);
    return 0;
  }
  if (!items.length) throw new ScoutError('not-found', `nothing runs in environment ${envName} (scout environment lists them)`);
  await writeOutput(
    table(
      items.map((w) => [w.cluster || '-', w.namespace || '-', w.type, w.name, w.imageRef, w.imageDigest ?? '-', w.startedAt.slice(0, 19).replace('T', ' ')]),
      ['CLUSTER', 'NAMESPACE', 'TYPE', 'NAME', 'IMAGE', 'DIGEST', 'SINCE'],
    ),
  );
  return 0;
}

export function register(program: Command): void {
  const env = program
    .command('environment')
    .alias('env')
    .description('environments: where images run. No argument: list them; ENV: what runs there now; ENV IMAGE: record that IMAGE runs in ENV')
    .argument('[env]', 'environment name (production, staging, …)')
    .argument('[image]', 'a stored image: digest, REPOSITORY:TAG or REPOSITORY@DIGEST')
    .option('--server <url>', "server URL (default: SCOUT_SERVER or scout login's)")
    .option('--format <format>', 'text or json', 'text')
    .action(action((envName: string | undefined, image: string | undefined, o: RecordOptions) => recordOrList(envName, image, o)));
  env
    .command('sync')
    .description("post a Kubernetes cluster's running workloads and their images to the server (POST /v1/integrations/runtime)")
    .requiredOption('--kubeconfig <file>', 'kubeconfig to reach the cluster with (its current context, or --context)')
    .requiredOption('--environment <env>', 'environment these workloads belong to (production, staging, …)')
    .option('--cluster <name>', "cluster name to record (default: the kubeconfig context's cluster)")
    .option('--context <name>', 'kubeconfig context to use (default: current-context)')
    .option('--namespace <ns>', 'only this namespace (default: all namespaces)')
    .option('--interval <seconds>', 'keep syncing every this many seconds (default: once)')
    .option('--server <url>', 'Scout server (default: SCOUT_SERVER); the token comes from SCOUT_TOKEN')
    .action(
      action(async (o: SyncOptions) => {
        // `--server` after `sync` is taken by `environment` itself (which has it too): read both.
        const server = serverTarget(o.server ?? (env.opts() as { server?: string }).server);
        const cluster = { kubeconfig: o.kubeconfig, environment: o.environment, ...(o.cluster ? { cluster: o.cluster } : {}), ...(o.context ? { context: o.context } : {}), ...(o.namespace ? { namespace: o.namespace } : {}) };
        const { syncOnce, syncLoop } = await import('../../environments/sync.js');
        const line = (r: Awaited<ReturnType<typeof syncOnce>>) =>
          `${r.reply.environment}/${r.reply.cluster}: ${r.reply.workloads} workloads (${r.reply.opened} new, ${r.reply.changed} changed image, ${r.reply.closed} gone)\n`;
        if (o.interval === undefined) {
          process.stdout.write(line(await syncOnce(cluster, server)));
          return 0;
        }
        const interval = Number(o.interval);
        if (!Number.isFinite(interval) || interval < 1) throw new ScoutError('bad-option', `--interval must be a number of seconds (1 or more), not "${o.interval}"`);
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        await syncLoop(cluster, server, interval, stop.signal, (r) => {
          if (r instanceof Error) process.stderr.write(`error: ${r.message}\n`);
          else process.stdout.write(`${new Date().toISOString()} ${line(r)}`);
        });
        return 0;
      }),
    );
}
