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
      .option('--lease <seconds>', "how long a job this worker claimed stays its own without a heartbeat (renewed every third of it while the job runs): a worker killed mid-job has its job retried by another this long after", '30')
      .option(...METRICS_PORT)
      .option('--metrics-host <host>', 'address of the metrics listener', '127.0.0.1'),
  ).action(
    action(async (o: LocationCliOptions & { analyzeRegistry?: string[]; concurrency: string; lease: string; metricsPort?: string; metricsHost: string }) => {
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) throw new ScoutError('bad-option', `--concurrency must be 1 to 1000, not "${o.concurrency}"`);
      const leaseSeconds = Number(o.lease);
      if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1 || leaseSeconds > 3600) throw new ScoutError('bad-option', `--lease must be a whole number of seconds from 1 to 3600, not "${o.lease}"`);
      const metricsPort = portOption('--metrics-port', o.metricsPort);
      const { resolveServerLocation } = await import('../../server/location.js');
      const { startWorker } = await import('../../server/worker.js');
      const worker = await startWorker({ location: resolveServerLocation(o), concurrency, queue: { leaseMs: leaseSeconds * 1000 }, ...(o.analyzeRegistry ? { analyzeRegistries: o.analyzeRegistry } : {}), ...(metricsPort !== undefined ? { metricsPort, metricsHost: o.metricsHost } : {}) });
      process.stderr.write(`scout worker ${worker.workerId} running jobs${worker.ops ? `; metrics and health on ${worker.ops.url}` : ''}\n`);
      await untilStopped(() => worker.close());
      return 0;
    }),
  );
}
