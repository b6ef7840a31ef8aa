/**
 * `scout worker`: runs the platform's jobs from the shared PostgreSQL queue (src/server/worker.ts)
 * until SIGINT/SIGTERM, then finishes its running jobs and exits 0. One JSON line per job attempt
 * on stdout.
 */
import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action } from '../common.js';
import { METRICS_PORT, portOption, serverLocationOptions, type LocationCliOptions } from './server.js';
import { untilStopped } from '../until-stopped.js';

export function register(program: Command): void {
  serverLocationOptions(
    program
      .command('worker')
      .description("run the platform's jobs (re-matches, webhook deliveries, server-side image analyses) from the server's PostgreSQL queue; start as many as you like, on any machine that reaches the database")
      .option('--analyze-registry <host...>', 'registries POST /v1/images/analyze may pull from: host[:port], or http://host:port for plain HTTP (also SCOUT_ANALYZE_REGISTRIES, comma-separated; default none)')
      .option('--concurrency <n>', 'webhook deliveries at once in this process', '32')
      .option(...METRICS_PORT)
      .option('--metrics-host <host>', 'address of the metrics listener', '127.0.0.1'),
  ).action(
    action(async (o: LocationCliOptions & { analyzeRegistry?: string[]; concurrency: string; metricsPort?: string; metricsHost: string }) => {
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) throw new ScoutError('bad-option', `--concurrency must be 1 to 1000, not "${o.concurrency}"`);
      const metricsPort = portOption('--metrics-port', o.metricsPort);
      const { resolveServerLocation } = await import('../../server/location.js');
      const { startWorker } = await import('../../server/worker.js');
      const worker = await startWorker({ location: resolveServerLocation(o), concurrency, ...(o.analyzeRegistry ? { analyzeRegistries: o.analyzeRegistry } : {}), ...(metricsPort !== undefined ? { metricsPort, metricsHost: o.metricsHost } : {}) });
      process.stderr.write(`scout worker ${worker.workerId} running jobs${worker.ops ? `; metrics and health on ${worker.ops.url}` : ''}\n`);
      await untilStopped(() => worker.close());
      return 0;
    }),
  );
}
