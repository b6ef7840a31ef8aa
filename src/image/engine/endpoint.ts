/**
 * Where the local container engine answers: the Docker Engine API, as the Docker CLI finds it
 * (DOCKER_HOST, then the current Docker context, then the default socket), and Podman's socket,
 * which answers the same API. Only finding the address (and the TLS or ssh settings that go with
 * it) is here; client.ts talks to it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScoutError } from '../../util/errors.js';
import { configDir } from '../registry/credentials.js';

export interface EngineEndpoint {
  /** As the user would write it: unix:///var/run/docker.sock, tcp://host:2376, ssh://me@host. */
  url: string;
  /** Set for unix:// endpoints. */
  socketPath?: string;
  /** Set for tcp:// endpoints (plain HTTP, or HTTPS when `tls` is set). */
  host?: string;
  port?: number;
  /** Set for tcp:// endpoints that speak TLS. */
  tls?: EngineTls;
  /** Set for ssh:// endpoints: the engine is reached through `ssh … docker system dial-stdio`. */
  ssh?: SshTarget;
  /** Where the address came from, for messages: "DOCKER_HOST", "Docker context \"colima\"", "default". */
  origin: string;
}

/**
 * TLS to a tcp:// engine, as the Docker CLI sets it up: from DOCKER_TLS_VERIFY / DOCKER_TLS and
 * DOCKER_CERT_PATH, or from a context's tls/ folder. A file that does not exist is not used
 * (the CLI does the same): no ca.pem means the system's CAs, no cert.pem/key.pem no client
 * certificate. Files are read when the first request is made (client.ts).
 */
export interface EngineTls {
  /** Check the engine's certificate (against ca.pem, else the system's CAs) and host name. */
  verify: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** Where the material came from, for messages: "DOCKER_CERT_PATH /home/me/.docker". */
  from: string;
}

/** ssh://[user@]host[:port][/socket/path], as the Docker CLI's connection helper reads it. */
export interface SshTarget {
  host: string;
  user?: string;
  port?: string;
  /** The engine's socket on the remote machine, when not its default. */
  path?: string;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';
const MAX_META_BYTES = 1024 * 1024;

/** The PEM files of a folder that exist, in the names the Docker CLI uses. */
function tlsFiles(dir: string): Pick<EngineTls, 'caFile' | 'certFile' | 'keyFile'> {
  const out: Pick<EngineTls, 'caFile' | 'certFile' | 'keyFile'> = {};
  for (const [key, name] of [['caFile', 'ca.pem'], ['certFile', 'cert.pem'], ['keyFile', 'key.pem']] as const) {
    if (existsSync(join(dir, name))) out[key] = join(dir, name);
  }
  return out;
}

/**
 * The TLS settings the environment asks for, as the Docker CLI reads them: DOCKER_TLS_VERIFY
 * set to anything (even "0") means TLS that checks the engine; DOCKER_TLS alone, TLS that does
 * not. Either way the files come from DOCKER_CERT_PATH, else the Docker config folder.
 */
export function tlsFromEnv(env: NodeJS.ProcessEnv): EngineTls | undefined {
  const verify = !!env.DOCKER_TLS_VERIFY;
  if (!verify && !env.DOCKER_TLS) return undefined;
  const dir = env.DOCKER_CERT_PATH || configDir(env);
  return { verify, ...tlsFiles(dir), from: `${env.DOCKER_CERT_PATH ? 'DOCKER_CERT_PATH' : 'the Docker config folder'} ${dir}` };
}

function parseSsh(url: string, origin: string): SshTarget {
  const bad = (why: string) => new ScoutError('bad-engine-host', `${origin} is "${url}": ${why} (ssh://[user@]host[:port])`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('not a valid ssh:// address');
  }
  // The same refusals as the Docker CLI's: ssh asks for passwords itself, and options go in ~/.ssh/config.
  if (u.password) throw bad('a password does not belong in the address; ssh asks for it, or use a key');
  if (u.search || u.hash) throw bad('an ssh:// address takes no query or fragment');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host || host.startsWith('-')) throw bad('no host');
  const user = decodeURIComponent(u.username);
  if (user.startsWith('-')) throw bad('a user name cannot start with "-"');
  const path = decodeURIComponent(u.pathname);
  return { host, ...(user ? { user } : {}), ...(u.port ? { port: u.port } : {}), ...(path && path !== '/' ? { path } : {}) };
}

/**
 * unix:///path, tcp://host:port (TLS from `tls`, else plain HTTP), https://host:port or
 * ssh://user@host as an endpoint; anything else is refused by name.
 */
export function parseEngineUrl(url: string, origin: string, tls?: EngineTls): EngineEndpoint {
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new ScoutError('bad-engine-host', `${origin} is "${url}": a unix socket needs an absolute path (unix:///var/run/docker.sock)`);
    return { url, socketPath, origin };
  }
  if (url.startsWith('ssh://')) return { url, ssh: parseSsh(url, origin), origin };
  if (url.startsWith('tcp://') || url.startsWith('http://') || url.startsWith('https://')) {
    // https:// is TLS that checks the engine, unless TLS settings say otherwise.
    const settings = tls ?? (url.startsWith('https://') ? { verify: true, from: 'the system\'s CAs' } : undefined);
    let u: URL;
    try {
      u = new URL(url.replace(/^tcp:/, 'http:'));
    } catch {
      throw new ScoutError('bad-engine-host', `${origin} is "${url}": not a valid tcp://HOST:PORT address`);
    }
    if (!u.hostname) throw new ScoutError('bad-engine-host', `${origin} is "${url}": not a valid tcp://HOST:PORT address`);
    // Docker's ports: 2376 for TLS, 2375 for plain HTTP.
    const port = Number(u.port || (settings ? 2376 : 2375));
    return { url, host: u.hostname.replace(/^\[|\]$/g, ''), port, ...(settings ? { tls: settings } : {}), origin };
  }
  throw new ScoutError('bad-engine-host', `${origin} is "${url}": Scout reaches a Docker engine at unix://, tcp:// or ssh:// addresses only (npipe:// is Windows')`);
}

/**
 * The endpoint a Docker context names, from ~/.docker/contexts/meta/<sha256(name)>/meta.json,
 * with the TLS material of ~/.docker/contexts/tls/<sha256(name)>/docker/ (what
 * `docker context create --docker host=…,ca=…,cert=…,key=…` stores). As for the Docker CLI, a
 * context has TLS when that folder holds files or its endpoint says SkipTLSVerify.
 */
async function contextEndpoint(name: string, env: NodeJS.ProcessEnv): Promise<EngineEndpoint | undefined> {
  if (name === 'default') return undefined;
  const id = createHash('sha256').update(name).digest('hex');
  const file = join(configDir(env), 'contexts', 'meta', id, 'meta.json');
  const origin = `Docker context "${name}"`;
  let meta: { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
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
  const skipVerify = meta.Endpoints?.docker?.SkipTLSVerify === true;
  const tlsDir = join(configDir(env), 'contexts', 'tls', id, 'docker');
  const files = tlsFiles(tlsDir);
  const tls: EngineTls | undefined = Object.keys(files).length || skipVerify ? { verify: !skipVerify, ...files, from: `${origin}'s TLS folder ${tlsDir}` } : undefined;
  return parseEngineUrl(host, origin, tls);
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
  if (env.DOCKER_HOST) return [parseEngineUrl(env.DOCKER_HOST, 'DOCKER_HOST', tlsFromEnv(env))];
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
