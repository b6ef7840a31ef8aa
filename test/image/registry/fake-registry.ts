/**
 * A tiny distribution-API server on node:http for behaviour a real registry will not show on
 * demand: tampered bytes, transient 5xx, Bearer token services, redirects to blob storage.
 * Each test composes its own handler in front of `serveImages`, which answers like a registry.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BuiltImage } from '../../helpers/image-builder.js';

export interface SeenRequest {
  method: string;
  path: string;
  authorization?: string;
}

export interface FakeServer {
  host: string;
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export async function startFake(handler: Handler, bind = '127.0.0.1'): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    Promise.resolve(handler(req, res, url)).catch((err) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((r) => server.listen(0, bind, () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `${bind}:${port}`,
    url: `http://${bind}:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface Stored {
  mediaType: string;
  bytes: Buffer;
}

/** The documents and blobs of images, keyed the way a registry looks them up. */
export function contentOf(repo: string, tag: string, root: { bytes: Buffer; digest: string; mediaType: string }, images: BuiltImage[]): { manifests: Map<string, Stored>; blobs: Map<string, Buffer>; repo: string } {
  const manifests = new Map<string, Stored>();
  const blobs = new Map<string, Buffer>();
  manifests.set(tag, { mediaType: root.mediaType, bytes: root.bytes });
  manifests.set(root.digest, { mediaType: root.mediaType, bytes: root.bytes });
  for (const im of images) {
    manifests.set(im.manifestDigest, { mediaType: String(im.manifest.mediaType), bytes: im.manifestBytes });
    blobs.set(im.configDigest, im.configBytes);
    for (const l of im.layers) blobs.set(l.digest, l.blob);
  }
  return { manifests, blobs, repo };
}

export function singleImage(repo: string, tag: string, im: BuiltImage) {
  return contentOf(repo, tag, { bytes: im.manifestBytes, digest: im.manifestDigest, mediaType: String(im.manifest.mediaType) }, [im]);
}

/** Answer manifest and blob requests like a registry (with Docker-Content-Digest), 404 otherwise. */
export function serveImages(content: ReturnType<typeof contentOf>): Handler {
  return (req, res, url) => {
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/v2/') {
      res.end('{}');
      return;
    }
    if (!m || m[1] !== content.repo) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] }));
      return;
    }
    if (m[2] === 'manifests') {
      const doc = content.manifests.get(m[3]);
      if (!doc) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': doc.mediaType, 'content-length': doc.bytes.length, 'docker-content-digest': 'sha256:' + createHash('sha256').update(doc.bytes).digest('hex') });
      res.end(req.method === 'HEAD' ? undefined : doc.bytes);
      return;
    }
    const blob = content.blobs.get(m[3]);
    if (!blob) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
    res.end(req.method === 'HEAD' ? undefined : blob);
  };
}
