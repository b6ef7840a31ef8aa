import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action } from '../common.js';

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

export function register(program: Command): void {
  const env = program.command('environment').alias('env').description('environments: where images run');
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
        const server = serverTarget(o.server);
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
