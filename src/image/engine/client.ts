/**
 * A small client for the parts of the Docker Engine API that reading a local image needs:
 * `GET /_ping`, `GET /images/{name}/json` (inspect) and `GET /images/{name}/get` (the export
 * stream `docker save` reads). Podman's service answers the same paths. node:http over the
 * engine's unix socket, plain TCP, TLS (node:https, with the CLI's certificates) or an ssh pipe
 * (ssh.ts); requests are unversioned, which both engines serve at their own current API version.
 */
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as tlsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { ScoutError } from '../../util/errors.js';
import { defaultLimits } from '../limits.js';
import type { EngineEndpoint } from './endpoint.js';
import { sshAgent } from './ssh.js';
import { tlsFailure } from './tls-errors.js';

/** The fields of the Engine API's ImageInspect that Scout reads. */
export interface EngineImage {
  /** The image ID: the config digest (classic store) or the manifest/index digest (containerd store). */
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Architecture?: string;
  Os?: string;
  Variant?: string;
  Size?: number;
  RootFS?: { Type?: string; Layers?: string[] | null };
  /** The containerd store's descriptor of the image's manifest or index (API 1.48+). */
  Descriptor?: { mediaType?: string; digest?: string; size?: number };
}

export interface EnginePing {
  apiVersion?: string;
  /** Podman says so in its headers (Libpod-Api-Version). */
  podman: boolean;
}

const PING_TIMEOUT_MS = 3000;
const INSPECT_TIMEOUT_MS = 30_000;
/** An export may start slowly (the containerd store gathers blobs first), but never stalls this long. */
const EXPORT_IDLE_MS = 120_000;
const MAX_SMALL_BODY = 64 * 1024;

export class EngineClient {
  constructor(readonly endpoint: EngineEndpoint) {}

  /** Human words for messages: "the Docker engine at unix:///var/run/docker.sock (DOCKER_HOST)". */
  get describe(): string {
    return `the Docker engine at ${this.endpoint.url}${this.endpoint.origin === 'default' ? '' : ` (${this.endpoint.origin})`}`;
  }

  private tlsMaterial?: { ca?: Buffer; cert?: Buffer; key?: Buffer };

  /** The PEM files of the endpoint's TLS settings, read once. */
  private readTls(): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
    const t = this.endpoint.tls!;
    if (this.tlsMaterial) return this.tlsMaterial;
    if (!!t.certFile !== !!t.keyFile) throw new ScoutError('engine-tls', `${this.describe}: ${t.from} has ${t.certFile ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}; a client certificate needs both`);
    const read = (file: string | undefined) => {
      if (!file) return undefined;
      try {
        return readFileSync(file);
      } catch (err) {
        throw new ScoutError('engine-tls', `${this.describe}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    };
    return (this.tlsMaterial = { ca: read(t.caFile), cert: read(t.certFile), key: read(t.keyFile) });
  }

  /** How to reach the engine: its socket, TCP (with TLS), or an ssh pipe kept open between requests. */
  private transport(): { send: typeof request; options: RequestOptions } {
    const e = this.endpoint;
    // The Host header an engine on a socket or pipe expects (the Docker CLI sends "api.moby.localhost").
    const local = { Host: 'api.moby.localhost', 'User-Agent': 'iechor-scout' };
    if (e.socketPath) return { send: request, options: { socketPath: e.socketPath, headers: local } };
    if (e.ssh) {
      const ssh = e.ssh;
      return { send: request, options: { agent: sshAgent(ssh, e.url, this.describe), headers: local } };
    }
    const headers = { Host: `${e.host!.includes(':') ? `[${e.host}]` : e.host}:${e.port}`, 'User-Agent': 'iechor-scout' };
    if (!e.tls) return { send: request, options: { host: e.host, port: e.port, headers } };
    const { ca, cert, key } = this.readTls();
    return {
      send: tlsRequest,
      options: {
        host: e.host,
        port: e.port,
        headers,
        // Without ca.pem the system's CAs, as for the Docker CLI; no agent, so no session is shared across settings.
        ...(ca ? { ca } : {}),
        ...(cert && key ? { cert, key } : {}),
        rejectUnauthorized: e.tls.verify,
        agent: false,
      } as RequestOptions,
    };
  }

  private get(path: string, timeoutMs: number): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const { send, options } = this.transport();
      let req: ReturnType<typeof request>;
      try {
        req = send({ ...options, path, method: 'GET', timeout: timeoutMs });
      } catch (err) {
        // node:tls refuses a key or certificate it cannot parse before connecting.
        reject(err instanceof ScoutError ? err : new ScoutError('engine-tls', `${this.describe}: the TLS material of ${this.endpoint.tls?.from ?? 'the endpoint'} cannot be used: ${(err as Error).message}`));
        return;
      }
      req.on('timeout', () => req.destroy(new ScoutError('engine-timeout', `${this.describe} sent nothing for ${Math.round(timeoutMs / 1000)} s (GET ${path})`)));
      req.on('error', (err) => reject(err instanceof ScoutError ? err : this.unreachable(err as NodeJS.ErrnoException)));
      req.on('response', resolve);
      req.end();
    });
  }

  private unreachable(err: NodeJS.ErrnoException): ScoutError {
    if (this.endpoint.tls) {
      const why = tlsFailure(err, this.endpoint.tls);
      if (why) return new ScoutError('engine-tls', `no answer from ${this.describe}: ${why}`);
    }
    const why =
      err.code === 'ENOENT' ? 'no such socket' :
      err.code === 'ECONNREFUSED' ? 'connection refused (is the engine running?)' :
      err.code === 'EACCES' ? 'permission denied (is this user in the docker group?)' :
      err.code ?? err.message;
    return new ScoutError('engine-unreachable', `no answer from ${this.describe}: ${why}`);
  }

  /** The whole (small) body of a response, capped; over the cap is an error naming the call. */
  private async body(res: IncomingMessage, max: number, what: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of res) {
      n += (c as Buffer).length;
      if (n > max) {
        res.destroy();
        throw new ScoutError('engine-reply-too-large', `${this.describe}: the reply to ${what} is over ${max} bytes`);
      }
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /** An engine error reply ({"message": …}) as one line. */
  private async failure(res: IncomingMessage, what: string): Promise<ScoutError> {
    const text = (await this.body(res, MAX_SMALL_BODY, what).catch(() => Buffer.alloc(0))).toString('utf8');
    let message = text.trim().slice(0, 300);
    try {
      const m = (JSON.parse(text) as { message?: unknown }).message;
      if (typeof m === 'string') message = m;
    } catch {
      // Not JSON: the text as it came.
    }
    return new ScoutError('engine-error', `${this.describe} answered ${what} with HTTP ${res.statusCode}${message ? `: ${message}` : ''}`);
  }

  /** GET /_ping: is an engine there, and which. */
  async ping(): Promise<EnginePing> {
    const res = await this.get('/_ping', PING_TIMEOUT_MS);
    if (res.statusCode !== 200) throw await this.failure(res, 'GET /_ping');
    const body = (await this.body(res, MAX_SMALL_BODY, 'GET /_ping')).toString('utf8').trim();
    if (body !== 'OK') throw new ScoutError('engine-error', `${this.describe} answered GET /_ping with "${body.slice(0, 60)}", not "OK": not a Docker Engine API`);
    const v = res.headers['api-version'];
    return { ...(typeof v === 'string' ? { apiVersion: v } : {}), podman: res.headers['libpod-api-version'] !== undefined };
  }

  /** GET /images/{name}/json; undefined when the engine has no such image. */
  async inspect(name: string): Promise<EngineImage | undefined> {
    const what = `GET /images/${name}/json`;
    const res = await this.get(`/images/${encodeURI(name)}/json`, INSPECT_TIMEOUT_MS);
    if (res.statusCode === 404) {
      res.resume();
      return undefined;
    }
    if (res.statusCode !== 200) throw await this.failure(res, what);
    const body = await this.body(res, defaultLimits().maxManifestBytes, what);
    let v: EngineImage;
    try {
      v = JSON.parse(body.toString('utf8')) as EngineImage;
    } catch (err) {
      throw new ScoutError('engine-error', `${this.describe}: the reply to ${what} is not JSON (${(err as Error).message})`);
    }
    if (!v || typeof v.Id !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(v.Id)) throw new ScoutError('engine-error', `${this.describe}: the reply to ${what} has no image Id`);
    return v;
  }

  /** GET /images/{name}/get: the image as `docker save` writes it, a tar stream. */
  async export(name: string): Promise<Readable> {
    const what = `GET /images/${name}/get`;
    const res = await this.get(`/images/${encodeURI(name)}/get`, EXPORT_IDLE_MS);
    if (res.statusCode !== 200) throw await this.failure(res, what);
    return res;
  }
}
