// A feed server on 127.0.0.1 (random port) for update tests: static bodies with ETag /
// Last-Modified / Range support, and knobs to fail (HTTP status, connection cut mid-body).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FeedFile {
  body: Buffer;
  etag?: string;
  lastModified?: string;
  /** Honour Range/If-Range (default true when there is an etag). */
  ranges?: boolean;
  /** Answer the next N requests with this status (e.g. 500) before serving the body. */
  failWith?: { status: number; times: number };
  /** Cut the connection after this many body bytes, for the next `times` requests. */
  cutAfter?: { bytes: number; times: number };
  /** Write this many body bytes and then send nothing more (the connection stays open). */
  stallAfter?: number;
  /** Send no Content-Length (chunked). */
  chunked?: boolean;
}

export interface SeenRequest {
  path: string;
  headers: IncomingMessage['headers'];
  status: number;
}

export class FeedServer {
  readonly files = new Map<string, FeedFile>();
  readonly seen: SeenRequest[] = [];
  private server: Server | undefined;
  origin = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Paths requested since the last call (in order), then forgets them. */
  takePaths(): string[] {
    const p = this.seen.map((s) => s.path);
    this.seen.length = 0;
    return p;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const record = (status: number) => this.seen.push({ path, headers: req.headers, status });
    const f = this.files.get(path);
    if (!f) {
      record(404);
      res.writeHead(404).end('not found');
      return;
    }
    if (f.failWith && f.failWith.times > 0) {
      f.failWith.times--;
      record(f.failWith.status);
      res.writeHead(f.failWith.status, { 'content-type': 'text/plain' }).end('try again');
      return;
    }
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
    if (f.etag) headers.etag = f.etag;
    if (f.lastModified) headers['last-modified'] = f.lastModified;
    const inm = req.headers['if-none-match'];
    if ((f.etag && inm === f.etag) || (!f.etag && f.lastModified && req.headers['if-modified-since'] === f.lastModified)) {
      record(304);
      res.writeHead(304, headers).end();
      return;
    }
    let body = f.body;
    let status = 200;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && (f.ranges ?? f.etag !== undefined) && (ifRange === undefined || ifRange === f.etag || ifRange === f.lastModified)) {
      const start = Number(range[1]);
      if (start >= f.body.length) {
        record(416);
        res.writeHead(416, { 'content-range': `bytes */${f.body.length}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${f.body.length - 1}/${f.body.length}`;
      body = f.body.subarray(start);
    }
    if (!f.chunked) headers['content-length'] = body.length;
    record(status);
    res.writeHead(status, headers);
    if (f.cutAfter && f.cutAfter.times > 0) {
      f.cutAfter.times--;
      // Send the headers, give the client time to start reading the body, then write part of
      // it and drop the connection. Bytes that arrive together with the headers (or right before
      // the reset) can be discarded by the client's stream when the error lands first, which
      // made the resume tests flaky on a busy machine.
      const part = body.subarray(0, f.cutAfter.bytes);
      res.flushHeaders();
      setTimeout(() => res.write(part, () => setTimeout(() => res.socket?.destroy(), 100)), 100);
      return;
    }
    if (f.stallAfter !== undefined) {
      res.write(body.subarray(0, f.stallAfter));
      return;
    }
    res.end(body);
  }
}
