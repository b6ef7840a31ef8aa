/**
 * A stand-in for the Docker Engine API (or Podman's, which answers the same paths) on a unix
 * socket, for tests of `local://` and `image://`: `GET /_ping`, `GET /images/{name}/json`
 * (inspect) and `GET /images/{name}/get` (the export stream `docker save` reads), with the
 * headers and JSON shapes of the Engine API documentation, serving real export tarballs:
 * the classic docker-archive (written by skopeo, as `docker save` did before Docker 25) and
 * the containerd image store's OCI archive (index.json, oci-layout and manifest.json).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tarMembers, tarOf } from './image-builder.js';
import { tempDir } from './tmp.js';

export const DEMO_ARCHIVE = new URL('../../examples/demo-image.tar', import.meta.url).pathname;

/** One image the engine holds: what inspect says and the tarball export streams. */
export interface EngineImageFixture {
  /** Names it answers to besides its ID (RepoTags; none for a dangling image). */
  repoTags: string[];
  inspect: Record<string, unknown>;
  /** Path of the export tarball. */
  exportPath: string;
}

export interface FakeEngine {
  socketPath: string;
  /** Every request line, in order ("GET /_ping"). */
  requests: string[];
  close(): Promise<void>;
}

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** The demo image's documents, from its OCI archive. */
async function demoParts() {
  const m = await tarMembers(DEMO_ARCHIVE);
  const index = JSON.parse(m.get('index.json')!.toString()) as { manifests: { digest: string; size: number; mediaType: string }[] };
  const desc = index.manifests[0];
  const blob = (d: string) => m.get(`blobs/sha256/${d.slice(7)}`)!;
  const manifestBytes = blob(desc.digest);
  const manifest = JSON.parse(manifestBytes.toString()) as { config: { digest: string }; layers: { digest: string; size: number }[] };
  const configBytes = blob(manifest.config.digest);
  const config = JSON.parse(configBytes.toString()) as { architecture: string; os: string; rootfs: { diff_ids: string[] }; config: Record<string, unknown>; created: string };
  return { m, desc, manifestBytes, manifest, configBytes, config, blob };
}

/** What the Engine API's ImageInspect says of an image (fields as the API documents them). */
function inspectOf(id: string, repoTags: string[], config: { architecture: string; os: string; rootfs: { diff_ids: string[] }; config: Record<string, unknown>; created: string }, size: number, descriptor?: Record<string, unknown>): Record<string, unknown> {
  return {
    Id: id,
    RepoTags: repoTags,
    RepoDigests: [],
    Parent: '',
    Comment: '',
    Created: config.created,
    DockerVersion: '',
    Author: '',
    Config: { ...config.config, Hostname: '', Domainname: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false, Image: '', Volumes: null, OnBuild: null },
    Architecture: config.architecture,
    Os: config.os,
    Size: size,
    GraphDriver: descriptor ? { Data: null, Name: 'overlayfs' } : { Data: { MergedDir: '/var/lib/docker/overlay2/x/merged', UpperDir: '/var/lib/docker/overlay2/x/diff', WorkDir: '/var/lib/docker/overlay2/x/work' }, Name: 'overlay2' },
    RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
    Metadata: { LastTagTime: '2024-06-03T09:31:00.000000000Z' },
    ...(descriptor ? { Descriptor: descriptor } : {}),
  };
}

/** The demo image as the classic store exports it (docker-archive, written by skopeo). */
export async function classicDemo(repoTags: string[] = ['demo-api:1.0.0']): Promise<EngineImageFixture> {
  const { config, configBytes, manifest } = await demoParts();
  const exportPath = join(tempDir('scout-engine-'), 'classic.tar');
  const dest = `docker-archive:${exportPath}${repoTags[0] ? `:${repoTags[0]}` : ''}`;
  const r = spawnSync('skopeo', ['copy', '-q', `oci-archive:${DEMO_ARCHIVE}`, dest], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`skopeo copy failed (apt-get install skopeo): ${r.stderr}`);
  const size = manifest.layers.reduce((s, l) => s + l.size, 0);
  return { repoTags, inspect: inspectOf(sha(configBytes), repoTags, config, size), exportPath };
}

/**
 * The demo image as Docker with the containerd image store exports it: an OCI archive whose
 * index.json names the image's index (annotated with its name, as containerd does), the
 * index's blobs, and Docker's manifest.json beside them. The image ID is the index digest.
 */
export async function containerdDemo(name = 'docker.io/library/demo-api:1.0.0'): Promise<EngineImageFixture> {
  const { desc, manifest, configBytes, config, blob } = await demoParts();
  const imageIndex = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: desc.mediaType, digest: desc.digest, size: desc.size, platform: { architecture: config.architecture, os: config.os } }],
  }));
  const indexDigest = sha(imageIndex);
  const tag = name.split(':').pop()!;
  const files: Record<string, Buffer | string> = {
    [`blobs/sha256/${indexDigest.slice(7)}`]: imageIndex,
    [`blobs/sha256/${desc.digest.slice(7)}`]: blob(desc.digest),
    [`blobs/sha256/${manifest.config.digest.slice(7)}`]: configBytes,
  };
  for (const l of manifest.layers) files[`blobs/sha256/${l.digest.slice(7)}`] = blob(l.digest);
  files['index.json'] = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: indexDigest, size: imageIndex.length, annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': tag } }],
  });
  const familiar = name.replace(/^docker\.io\/(library\/)?/, '');
  files['manifest.json'] = JSON.stringify([{ Config: `blobs/sha256/${manifest.config.digest.slice(7)}`, RepoTags: [familiar], Layers: manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }]);
  files['oci-layout'] = '{"imageLayoutVersion":"1.0.0"}';
  const exportPath = join(tempDir('scout-engine-'), 'containerd.tar');
  writeFileSync(exportPath, await tarOf(files));
  const size = manifest.layers.reduce((s, l) => s + l.size, 0);
  return { repoTags: [familiar], inspect: inspectOf(indexDigest, [familiar], config, size, { mediaType: 'application/vnd.oci.image.index.v1+json', digest: indexDigest, size: imageIndex.length }), exportPath };
}

/** Docker's lookup: a tag (a bare name means :latest), the ID, or a prefix of the ID's hex. */
function find(images: EngineImageFixture[], name: string): EngineImageFixture | undefined {
  const tagged = /:[\w][\w.-]*$/.test(name.split('/').pop()!) ? name : `${name}:latest`;
  const norm = (t: string) => t.replace(/^docker\.io\/(library\/)?/, '');
  return images.find((im) => {
    const id = String(im.inspect.Id);
    if (name === id || (/^[a-f0-9]{12,64}$/.test(name) && id.slice(7).startsWith(name))) return true;
    return im.repoTags.some((t) => norm(t) === norm(tagged));
  });
}

/**
 * The engine's request handler: `requests` gets every request line. `podman` adds the headers
 * Podman's service sends.
 */
function engineHandler(images: EngineImageFixture[], requests: string[], opts: { podman?: boolean }): RequestListener {
  const common = (podman: boolean): Record<string, string> => ({
    'Api-Version': podman ? '1.41' : '1.47',
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: podman ? 'Libpod/5.2.2 (linux)' : 'Docker/27.3.1 (linux)',
    ...(podman ? { 'Libpod-Api-Version': '5.2.2', 'Libpod-Buildah-Version': '1.37.2' } : {}),
  });
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    // Versioned paths (/v1.47/…) are the same calls.
    const path = decodeURIComponent(url.pathname.replace(/^\/v\d+\.\d+\//, '/'));
    requests.push(`${req.method} ${path}`);
    const headers = common(!!opts.podman);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body) + '\n');
    };
    if (path === '/_ping') {
      res.writeHead(200, { ...headers, 'Builder-Version': '2', 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : 'OK');
      return;
    }
    const m = /^\/images\/(.+)\/(json|get)$/.exec(path);
    if (req.method === 'GET' && m) {
      const im = find(images, m[1]);
      if (!im) return json(404, { message: `No such image: ${m[1]}` });
      if (m[2] === 'json') return json(200, im.inspect);
      res.writeHead(200, { ...headers, 'Content-Type': 'application/x-tar' });
      createReadStream(im.exportPath).pipe(res);
      return;
    }
    json(404, { message: 'page not found' });
  };
}

function closer(server: Server): () => Promise<void> {
  return () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Start the engine on `socketPath`. `podman` adds the headers Podman's service sends. */
export async function startFakeEngine(socketPath: string, images: EngineImageFixture[], opts: { podman?: boolean } = {}): Promise<FakeEngine> {
  const requests: string[] = [];
  const server: Server = createServer(engineHandler(images, requests, opts));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return { socketPath, requests, close: closer(server) };
}

/** The engine on TCP, as `dockerd -H tcp://…` serves it. */
export interface FakeTcpEngine {
  port: number;
  requests: string[];
  close(): Promise<void>;
}

/**
 * Start the engine on 127.0.0.1 (a free port): plain HTTP, or with `tls` HTTPS that requires a
 * client certificate signed by `tls.ca`, as `dockerd --tlsverify --tlscacert … --tlscert …
 * --tlskey …` does.
 */
export async function startFakeTcpEngine(images: EngineImageFixture[], tls?: { key: Buffer; cert: Buffer; ca: Buffer }): Promise<FakeTcpEngine> {
  const requests: string[] = [];
  const handler = engineHandler(images, requests, {});
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: true, rejectUnauthorized: true }, handler) : createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { port: (server.address() as AddressInfo).port, requests, close: closer(server) };
}
