/**
 * The CLI's side of the platform: where the server is and the token (`scout login` writes them
 * to a 0600 file under the config directory; SCOUT_SERVER / SCOUT_TOKEN win), and one function
 * that calls the API and turns its `{ code, message }` errors into ScoutErrors.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Sbom } from '../sbom/model.js';
import { configDir } from '../util/config-dir.js';
import { ScoutError } from '../util/errors.js';
import { appendAll } from '../util/arrays.js';

export interface ServerLogin {
  server: string;
  token: string;
}

/** `$SCOUT_CONFIG_DIR/login.json`, else `~/.config/iechor-scout/login.json` (XDG_CONFIG_HOME honoured). */
export function loginFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'login.json');
}

export function normaliseServerUrl(s: string): string {
  const withScheme = /^https?:\/\//i.test(s) ? s : `https://${s}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new ScoutError('bad-option', `"${s}" is not a server URL (http://host:port)`);
  }
  return u.origin + u.pathname.replace(/\/+$/, '');
}

export function saveLogin(login: ServerLogin, env: NodeJS.ProcessEnv = process.env): string {
  const file = loginFile(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(login, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function forgetLogin(env: NodeJS.ProcessEnv = process.env): boolean {
  const file = loginFile(env);
  if (!existsSync(file)) return false;
  rmSync(file);
  return true;
}

function savedLogin(env: NodeJS.ProcessEnv): Partial<ServerLogin> {
  const file = loginFile(env);
  if (!existsSync(file)) return {};
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerLogin>;
    return { ...(typeof v.server === 'string' ? { server: v.server } : {}), ...(typeof v.token === 'string' ? { token: v.token } : {}) };
  } catch {
    throw new ScoutError('bad-config', `${file} is not valid JSON: run scout login again`, { path: file });
  }
}

/** The server and token to use: --server, then SCOUT_SERVER / SCOUT_TOKEN, then `scout login`'s file. */
export function resolveLogin(server: string | undefined, env: NodeJS.ProcessEnv = process.env): ServerLogin {
  const saved = savedLogin(env);
  const url = server ?? env.SCOUT_SERVER ?? saved.server;
  if (!url) throw new ScoutError('not-logged-in', 'no server: run scout login SERVER, or set SCOUT_SERVER and SCOUT_TOKEN');
  const token = env.SCOUT_TOKEN ?? (saved.server && normaliseServerUrl(saved.server) === normaliseServerUrl(url) ? saved.token : undefined);
  if (!token) throw new ScoutError('not-logged-in', `no token for ${url}: run scout login ${url}, or set SCOUT_TOKEN`);
  return { server: normaliseServerUrl(url), token };
}

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  query?: Record<string, string | string[] | undefined>;
  /** JSON body. */
  body?: unknown;
  /** Send the body gzip-compressed. */
  gzip?: boolean;
}

/** Calls the API; a non-2xx reply becomes a ScoutError with the server's code and message. */
export async function callApi<T>(login: ServerLogin, call: ApiCall): Promise<{ status: number; body: T }> {
  const url = new URL(login.server + call.path);
  for (const [k, v] of Object.entries(call.query ?? {})) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) url.searchParams.append(k, x);
  }
  const headers: Record<string, string> = { authorization: `Bearer ${login.token}`, accept: 'application/json' };
  let payload: Buffer | undefined;
  if (call.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = Buffer.from(JSON.stringify(call.body));
    if (call.gzip) {
      payload = gzipSync(payload);
      headers['content-encoding'] = 'gzip';
    }
  }
  let res: Response;
  try {
    res = await fetch(url, { method: call.method, headers, ...(payload ? { body: payload } : {}) });
  } catch (err) {
    throw new ScoutError('server-unreachable', `cannot reach ${login.server}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ScoutError('server-reply', `${login.server} answered ${res.status} with something that is not JSON`);
  }
  if (!res.ok) {
    const e = body as { code?: string; message?: string } | undefined;
    if (res.status === 401) throw new ScoutError('unauthorized', `${login.server} refused the token: run scout login ${login.server} again`);
    throw new ScoutError(res.status === 404 ? 'not-found' : (e?.code ?? 'server-error'), `${login.server}: ${e?.message ?? `HTTP ${res.status}`}`);
  }
  return { status: res.status, body: body as T };
}

/** Every item of a paged list, following the server's cursors to the end. */
export async function fetchAll<T>(login: ServerLogin, path: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const { body } = await callApi<{ items: T[]; next?: string }>(login, { method: 'GET', path, query: { ...query, limit: '500', cursor } });
    appendAll(out, body.items);
    cursor = body.next;
  } while (cursor);
  return out;
}

/** Repository and tags to file a pushed image under: the options, else what the reference names. */
export function pushTarget(ref: string, sbom: Sbom, o: { repository?: string; tag?: string[] }): { repository?: string; tags?: string[] } {
  const tags = o.tag?.length ? o.tag : undefined;
  if (o.repository) return { repository: o.repository, ...(tags ? { tags } : {}) };
  const r = sbom.image?.registry;
  if (r?.repository) return { repository: `${r.host}/${r.repository}`, tags: tags ?? (r.tag ? [r.tag] : []) };
  // An archive or layout names its image after '@' (docker save's RepoTags, the OCI ref name).
  const reference = sbom.image?.reference ?? ref;
  const at = reference.lastIndexOf('@');
  const name = at > 0 ? reference.slice(at + 1) : '';
  const m = /^(.*[^:/]):([\w][\w.-]{0,127})$/.exec(name);
  if (m && !name.startsWith('sha256:')) return { repository: m[1], tags: tags ?? [m[2]] };
  return tags ? { tags } : {};
}
