/**
 * An HTTP proxy on loopback in front of a test registry that records every request it
 * forwards: tests name the proxy's host instead of the registry's to know exactly what a
 * process asked the registry for (pushes with skopeo go to the registry itself, unseen).
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** host:port, as image references name it. */
  host: string;
  /** "METHOD /path" of every request forwarded so far. */
  requests: string[];
  close(): Promise<void>;
}

/** A proxy to the registry listening on 127.0.0.1:`port`. */
export async function startCountingProxy(port: number): Promise<CountingProxy> {
  const hostname = '127.0.0.1';
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const headers: IncomingHttpHeaders = { ...req.headers, host: `${hostname}:${port}` };
    const upstream = request({ hostname, port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
