/**
 * Where the local container engine answers: the Docker Engine API, as the Docker CLI finds it
 * (DOCKER_HOST, then the current Docker context, then the default socket), and Podman's socket,
 * which answers the same API. Only finding the address is here; client.ts talks to it.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScoutError } from '../../util/errors.js';
import { configDir } from '../registry/credentials.js';

export interface EngineEndpoint {
  /** As the user would write it: unix:///var/run/docker.sock, tcp://host:2375. */
  url: string;
  /** Set for unix:// endpoints. */
  socketPath?: string;
  /** Set for tcp:// endpoints (plain HTTP). */
  host?: string;
  port?: number;
  /** Where the address came from, for messages: "DOCKER_HOST", "Docker context \"colima\"", "default". */
  origin: string;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';
const MAX_META_BYTES = 1024 * 1024;

/** unix:///path or tcp://host:port as an endpoint; anything else is refused by name. */
export function parseEngineUrl(url: string, origin: string, env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new ScoutError('bad-engine-host', `${origin} is "${url}": a unix socket needs an absolute path (unix:///var/run/docker.sock)`);
    return { url, socketPath, origin };
  }
  if (url.startsWith('tcp://') || url.startsWith('http://')) {
    // The Docker CLI turns TLS on with DOCKER_TLS_VERIFY; Scout cannot do that yet, and
    // talking plain HTTP to an engine that expects TLS would only fail obscurely.
    if (env.DOCKER_TLS_VERIFY) throw new ScoutError('engine-tls-unsupported', `${origin} is "${url}" with DOCKER_TLS_VERIFY set: Scout talks to a Docker engine over a unix socket or plain TCP only, not TLS`);
    let u: URL;
    try {
      u = new URL(url.replace(/^tcp:/, 'http:'));
    } catch {
      throw new ScoutError('bad-engine-host', `${origin} is "${url}": not a valid tcp://HOST:PORT address`);
    }
    return { url, host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 2375), origin };
  }
  throw new ScoutError('bad-engine-host', `${origin} is "${url}": Scout reaches a Docker engine at unix:// or tcp:// addresses only (ssh:// and npipe:// are not supported)`);
}

/** The endpoint a Docker context names, from ~/.docker/contexts/meta/<sha256(name)>/meta.json. */
async function contextEndpoint(name: string, env: NodeJS.ProcessEnv): Promise<EngineEndpoint | undefined> {
  if (name === 'default') return undefined;
  const file = join(configDir(env), 'contexts', 'meta', createHash('sha256').update(name).digest('hex'), 'meta.json');
  const origin = `Docker context "${name}"`;
  let meta: { Endpoints?: { docker?: { Host?: unknown } } };
  try {
    const buf = await readFile(file);
    if (buf.length > MAX_META_BYTES) throw new Error('too large');
    meta = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ScoutError('docker-context', `${origin} is the current context, but ${file} ${missing ? 'does not exist' : `cannot be read (${(err as Error).message})`}; run \`docker context ls\`, or set DOCKER_HOST`);
  }
  const host = meta?.Endpoints?.docker?.Host;
  if (typeof host !== 'string' || !host) throw new ScoutError('docker-context', `${origin} (${file}) names no Docker endpoint`);
  return parseEngineUrl(host, origin, env);
}

/** The context the Docker CLI would use: DOCKER_CONTEXT, else config.json's currentContext. */
async function currentContext(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT;
  try {
    const buf = await readFile(join(configDir(env), 'config.json'));
    if (buf.length > 4 * MAX_META_BYTES) return undefined;
    const v = JSON.parse(buf.toString('utf8')) as { currentContext?: unknown };
    return typeof v.currentContext === 'string' && v.currentContext ? v.currentContext : undefined;
  } catch {
    // No config, or one the registry code will report on: the default endpoint then.
    return undefined;
  }
}

async function isSocket(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isSocket(), () => false);
}

/**
 * The endpoints to try, in order. One the user chose (DOCKER_HOST, a context) is the only
 * one. Otherwise Docker's default socket, rootless Docker's, and Podman's (rootless, then
 * system), those that exist; when none does, Docker's default alone, so the error names it.
 */
export async function engineEndpoints(env: NodeJS.ProcessEnv = process.env): Promise<EngineEndpoint[]> {
  if (env.DOCKER_HOST) return [parseEngineUrl(env.DOCKER_HOST, 'DOCKER_HOST', env)];
  const ctx = await currentContext(env);
  const fromContext = ctx ? await contextEndpoint(ctx, env) : undefined;
  if (fromContext) return [fromContext];
  const runtime = env.XDG_RUNTIME_DIR;
  const candidates: [string, string][] = [
    [DEFAULT_SOCKET, 'default'],
    ...(runtime ? [[join(runtime, 'docker.sock'), 'rootless Docker'] as [string, string], [join(runtime, 'podman', 'podman.sock'), 'Podman (rootless)'] as [string, string]] : []),
    ['/run/podman/podman.sock', 'Podman'],
  ];
  const found: EngineEndpoint[] = [];
  for (const [path, origin] of candidates) if (await isSocket(path)) found.push({ url: `unix://${path}`, socketPath: path, origin });
  return found.length ? found : [{ url: `unix://${DEFAULT_SOCKET}`, socketPath: DEFAULT_SOCKET, origin: 'default' }];
}
