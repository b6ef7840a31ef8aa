/**
 * Registry credentials, found where Docker keeps them: our own environment variables first,
 * then the Docker CLI config (~/.docker/config.json, or $DOCKER_CONFIG/config.json) with its
 * `auths` entries, per-host `credHelpers` and the default `credsStore`.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ScoutError } from '../../util/errors.js';
import { DOCKER_HUB } from '../reference.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token ("identitytoken" in Docker's config), traded for access tokens. */
  identityToken?: string;
  /** A bearer token to send as it is ("registrytoken"). */
  registryToken?: string;
  /** Where they came from, for error messages: "SCOUT_REGISTRY_USER", "docker config", "credential helper pass". */
  origin: string;
}

/** The key Docker uses for Docker Hub in config.json and when asking credential helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

const HELPER_TIMEOUT_MS = 10_000;
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const MAX_HELPER_OUTPUT = 1024 * 1024;

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string } | null>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface CredentialLookupOptions {
  env?: NodeJS.ProcessEnv;
  /** How long a credential helper may take before we give up on it. */
  helperTimeoutMs?: number;
}

function isHub(registry: string): boolean {
  return registry === DOCKER_HUB || registry === 'index.docker.io' || registry === 'registry-1.docker.io';
}

/** The server address Docker would store the registry's credentials under. */
export function authKey(registry: string): string {
  return isHub(registry) ? DOCKER_HUB_AUTH_KEY : registry;
}

/** "https://host:port/v1/" → "host:port", the way Docker matches legacy keys in `auths`. */
function hostOfKey(key: string): string {
  let k = key.replace(/^[a-z]+:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash !== -1) k = k.slice(0, slash);
  return k.toLowerCase();
}

export function configDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

async function readDockerConfig(env: NodeJS.ProcessEnv): Promise<{ config: DockerConfig; path: string } | undefined> {
  const path = join(configDir(env), 'config.json');
  let text: string;
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_CONFIG_BYTES) throw new ScoutError('docker-config', `${path} is ${buf.length} bytes; not reading a Docker config that large`);
    text = buf.toString('utf8');
  } catch (err) {
    if (err instanceof ScoutError) throw err;
    return undefined; // no config: anonymous
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ScoutError('docker-config', `${path} is not valid JSON (${(err as Error).message}); fix or remove it, or set SCOUT_REGISTRY_USER/SCOUT_REGISTRY_PASSWORD`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ScoutError('docker-config', `${path} is not a JSON object`);
  return { config: v as DockerConfig, path };
}

function fromAuthsEntry(registry: string, config: DockerConfig, path: string): Credentials | undefined {
  const auths = config.auths && typeof config.auths === 'object' ? config.auths : {};
  const want = hostOfKey(authKey(registry));
  // An exact key first (what `docker login` writes), then any key naming the same host.
  const key = authKey(registry) in auths ? authKey(registry) : Object.keys(auths).find((k) => hostOfKey(k) === want || (isHub(registry) && isHub(hostOfKey(k))));
  const e = key !== undefined ? auths[key] : undefined;
  if (!e || typeof e !== 'object') return undefined;
  const origin = `${path} (auths "${key}")`;
  const c: Credentials = { origin };
  if (typeof e.auth === 'string' && e.auth) {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw new ScoutError('docker-config', `${origin}: "auth" is not base64 of user:password`);
    c.username = decoded.slice(0, colon);
    c.password = decoded.slice(colon + 1);
  } else {
    if (typeof e.username === 'string') c.username = e.username;
    if (typeof e.password === 'string') c.password = e.password;
  }
  if (typeof e.identitytoken === 'string' && e.identitytoken) c.identityToken = e.identitytoken;
  if (typeof e.registrytoken === 'string' && e.registrytoken) c.registryToken = e.registrytoken;
  return c.username || c.password || c.identityToken || c.registryToken ? c : undefined;
}

/**
 * Ask `docker-credential-<helper> get` for a server's credentials: the server address goes on
 * stdin, JSON {ServerURL, Username, Secret} comes back. A helper that knows nothing for the
 * server exits non-zero saying "credentials not found"; that is not an error.
 */
export async function runCredentialHelper(helper: string, serverUrl: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = HELPER_TIMEOUT_MS): Promise<Credentials | undefined> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(helper)) throw new ScoutError('credential-helper', `credential helper name "${helper}" is not valid`);
  const bin = `docker-credential-${helper}`;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(bin, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    let outLen = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ScoutError('credential-helper', `${bin} did not answer within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = err.code === 'ENOENT' ? `${bin} is not on PATH (named in the Docker config); install it or remove it from the config` : `${bin}: ${err.message}`;
      reject(new ScoutError('credential-helper', why, { cause: err }));
    });
    child.stdout.on('data', (c: Buffer) => {
      outLen += c.length;
      if (outLen > MAX_HELPER_OUTPUT) child.kill('SIGKILL');
      else out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      if (errOut.length < 64) errOut.push(c);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errOut).toString('utf8') });
    });
    child.stdin.on('error', () => undefined); // a helper that exits without reading stdin
    child.stdin.end(serverUrl);
  });
  if (code !== 0) {
    const said = (stdout + stderr).trim();
    if (/credentials not found/i.test(said)) return undefined;
    throw new ScoutError('credential-helper', `${bin} get failed for ${serverUrl} (exit ${code}): ${said.slice(0, 300) || 'no output'}`);
  }
  let v: { Username?: unknown; Secret?: unknown };
  try {
    v = JSON.parse(stdout);
  } catch {
    throw new ScoutError('credential-helper', `${bin} get for ${serverUrl} did not print JSON`);
  }
  if (!v || typeof v !== 'object' || typeof v.Secret !== 'string') throw new ScoutError('credential-helper', `${bin} get for ${serverUrl} printed JSON without a Secret`);
  const origin = `credential helper ${bin}`;
  // Docker's convention: the user "<token>" means the secret is an identity (refresh) token.
  if (v.Username === '<token>') return { identityToken: v.Secret, origin };
  return { username: typeof v.Username === 'string' ? v.Username : '', password: v.Secret, origin };
}

/**
 * Credentials for a registry host (docker.io for Docker Hub), or undefined to go anonymous.
 * SCOUT_REGISTRY_USER/SCOUT_REGISTRY_PASSWORD apply to every registry and win over Docker's
 * config, so CI can pass credentials without writing files.
 */
export async function credentialsFor(registry: string, opts: CredentialLookupOptions = {}): Promise<Credentials | undefined> {
  const env = opts.env ?? process.env;
  if (env.SCOUT_REGISTRY_USER || env.SCOUT_REGISTRY_PASSWORD) {
    return { username: env.SCOUT_REGISTRY_USER ?? '', password: env.SCOUT_REGISTRY_PASSWORD ?? '', origin: 'SCOUT_REGISTRY_USER/SCOUT_REGISTRY_PASSWORD' };
  }
  const found = await readDockerConfig(env);
  if (!found) return undefined;
  const { config, path } = found;
  const host = hostOfKey(authKey(registry));
  const helpers = config.credHelpers && typeof config.credHelpers === 'object' ? config.credHelpers : {};
  const helperKey = Object.keys(helpers).find((k) => hostOfKey(k) === host || (isHub(registry) && isHub(hostOfKey(k))));
  const helper = helperKey !== undefined && typeof helpers[helperKey] === 'string' ? helpers[helperKey] : typeof config.credsStore === 'string' && config.credsStore ? config.credsStore : undefined;
  if (helper) {
    const fromHelper = await runCredentialHelper(helper, authKey(registry), env, opts.helperTimeoutMs);
    if (fromHelper) return fromHelper;
  }
  return fromAuthsEntry(registry, config, path);
}
