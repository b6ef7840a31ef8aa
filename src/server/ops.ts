/**
 * The ops listener of `scout server --metrics-port` and `scout worker --metrics-port`: a plain
 * HTTP server for the orchestrator and Prometheus, apart from the API so that the metrics'
 * organisation and environment labels stay on the cluster's network.
 *   GET /healthz  200 while the process runs (liveness)
 *   GET /readyz   200 when `ready()` resolves (database reachable, jobs running), else 503 with why
 *   GET /metrics  Prometheus text
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PlatformMetrics } from './metrics.js';

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

export async function startOpsServer(opts: { host: string; port: number; metrics: PlatformMetrics; ready: () => Promise<void> }): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'GET only\n');
    if (path === '/healthz') return send(200, 'ok\n');
    if (path === '/readyz') {
      opts.ready().then(
        () => send(200, 'ready\n'),
        (err: Error) => send(503, `not ready: ${err.message}\n`),
      );
      return;
    }
    if (path === '/metrics') {
      opts.metrics.text().then(
        (text) => send(200, text, opts.metrics.contentType),
        (err: Error) => send(500, `metrics failed: ${err.message}\n`),
      );
      return;
    }
    send(404, 'not found: /healthz, /readyz, /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Readiness of a process on the platform database: it answers a query, and its jobs run. */
export function readiness(deps: { ping: () => Promise<unknown>; jobsRunning?: () => boolean }): () => Promise<void> {
  return async () => {
    try {
      await deps.ping();
    } catch (err) {
      throw new Error(`database unreachable: ${(err as Error).message}`, { cause: err });
    }
    if (deps.jobsRunning && !deps.jobsRunning()) throw new Error('job queue not running');
  };
}
