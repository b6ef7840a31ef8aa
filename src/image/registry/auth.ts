/**
 * Registry authentication as the distribution spec and Docker Hub do it: a 401 carries a
 * WWW-Authenticate challenge; Basic means "send credentials with every request", Bearer means
 * "get a token for this scope from the realm, then send the token". Tokens are cached per
 * registry, scope and identity until shortly before they expire.
 */
import { createHash } from 'node:crypto';
import { ScoutError } from '../../util/errors.js';
import type { Credentials } from './credentials.js';
import { defaultPace, pacedChunks, type TransferPace } from './pace.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parse a WWW-Authenticate header: one or more `Scheme k=v, k="v"` challenges. Quoted values
 * may hold commas and escaped quotes.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && /[\s,]/.test(s[i])) i++;
  };
  const token = () => {
    const m = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(s.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  while (i < s.length) {
    skipWs();
    const scheme = token();
    if (!scheme) break;
    const params: Record<string, string> = {};
    while (i < s.length) {
      while (i < s.length && /\s/.test(s[i])) i++;
      const save = i;
      const key = token();
      while (i < s.length && /\s/.test(s[i])) i++;
      if (!key || s[i] !== '=') {
        // Not a parameter: the start of the next challenge (or junk, which ends this one).
        i = save;
        break;
      }
      i++;
      while (i < s.length && /\s/.test(s[i])) i++;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i++];
        }
        i++;
      } else {
        const m = /^[^\s,]*/.exec(s.slice(i))!;
        value = m[0];
        i += value.length;
      }
      params[key.toLowerCase()] = value;
      while (i < s.length && /\s/.test(s[i])) i++;
      if (s[i] === ',') i++;
    }
    out.push({ scheme: scheme.toLowerCase(), params });
  }
  return out;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

/** Shared by every client in the process: one token per registry, scope and identity. */
const tokenCache = new Map<string, CachedToken>();

/** Forget cached tokens (tests; or after credentials change). */
export function clearTokenCache(): void {
  tokenCache.clear();
}

// Tokens are used until this long before they expire, so a slow pull never sends a stale one.
const EXPIRY_MARGIN_MS = 10_000;
const DEFAULT_TOKEN_SECONDS = 60;
const MAX_TOKEN_RESPONSE = 1024 * 1024;

/**
 * Who a cached token was issued to. An identity token names no user, so its hash stands for it:
 * two logins with different identity tokens must not share one access token.
 */
function identity(c: Credentials | undefined): string {
  if (!c) return 'anonymous';
  if (c.username) return `user:${c.username}`;
  if (c.identityToken) return `identity-token:${createHash('sha256').update(c.identityToken).digest('hex')}`;
  return c.registryToken ? 'registry-token' : 'anonymous';
}

export function basicHeader(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64');
}

export function loginHint(registry: string): string {
  return `log in with \`docker login ${registry}\` or set SCOUT_REGISTRY_USER and SCOUT_REGISTRY_PASSWORD`;
}

export interface TokenFetchDeps {
  /** Fetch used for the token endpoint (the client's, with its retries). */
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** How slow the token response may come (the client's, so the flags apply; default: the environment's). */
  pace?: TransferPace;
  now?: () => number;
}

/** The Authorization to send for one registry + repository scope, learned from challenges. */
export class RegistryAuth {
  /** The header to send up front, once a challenge told us which scheme the registry wants. */
  private basic?: string;

  constructor(
    readonly registry: string,
    private readonly credentials: () => Promise<Credentials | undefined>,
    private readonly deps: TokenFetchDeps,
  ) {}

  private key(scope: string, creds: Credentials | undefined): string {
    return `${this.registry}|${scope}|${identity(creds)}`;
  }

  /** What to send before any challenge: a cached token or Basic header, if we have one. */
  async current(scope: string): Promise<string | undefined> {
    if (this.basic) return this.basic;
    const creds = await this.credentials();
    const t = tokenCache.get(this.key(scope, creds));
    if (t && t.expiresAt > (this.deps.now ?? Date.now)()) return t.header;
    return undefined;
  }

  /**
   * Answer a 401's challenge: returns the Authorization header to retry with, or throws a
   * ScoutError saying why we cannot authenticate.
   */
  async answer(wwwAuthenticate: string | null, scope: string, what: string): Promise<string> {
    const challenges = wwwAuthenticate ? parseChallenges(wwwAuthenticate) : [];
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    const creds = await this.credentials();
    if (bearer) return this.bearerToken(bearer, scope, creds, what);
    if (basic) {
      if (!creds || (!creds.username && !creds.password)) {
        throw new ScoutError('registry-unauthorized', `registry ${this.registry} requires authentication for ${what}: ${loginHint(this.registry)}`);
      }
      this.basic = basicHeader(creds);
      return this.basic;
    }
    throw new ScoutError('registry-unauthorized', `registry ${this.registry} answered 401 for ${what} without a usable WWW-Authenticate challenge (${wwwAuthenticate ?? 'none'}): ${loginHint(this.registry)}`);
  }

  /** Drop what we sent, after the registry refused it. */
  forget(scope: string, creds: Credentials | undefined): void {
    this.basic = undefined;
    tokenCache.delete(this.key(scope, creds));
  }

  async credentialsNow(): Promise<Credentials | undefined> {
    return this.credentials();
  }

  private async bearerToken(ch: Challenge, fallbackScope: string, creds: Credentials | undefined, what: string): Promise<string> {
    const now = (this.deps.now ?? Date.now)();
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    const realm = ch.params.realm;
    if (!realm) throw new ScoutError('registry-auth', `registry ${this.registry}: Bearer challenge without a realm`);
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new ScoutError('registry-auth', `registry ${this.registry}: Bearer realm "${realm}" is not a URL`);
    }
    if (realmUrl.protocol !== 'https:' && realmUrl.protocol !== 'http:') throw new ScoutError('registry-auth', `registry ${this.registry}: Bearer realm "${realm}" is not http(s)`);
    // The challenge's scope is what the registry wants for this request; ours is the fallback.
    const scope = ch.params.scope || fallbackScope;
    const key = this.key(scope, creds);
    const cached = tokenCache.get(key);
    if (cached && cached.expiresAt > now) return cached.header;

    let res: Response;
    const headers: Record<string, string> = { 'user-agent': 'iechor-scout' };
    if (creds?.identityToken) {
      // OAuth2 refresh-token grant, as Docker does with an identity token.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'iechor-scout', scope });
      if (ch.params.service) form.set('service', ch.params.service);
      headers['content-type'] = 'application/x-www-form-urlencoded';
      res = await this.deps.fetch(realmUrl.toString(), { method: 'POST', headers, body: form.toString() });
    } else {
      if (ch.params.service) realmUrl.searchParams.set('service', ch.params.service);
      for (const sc of scope.split(' ').filter(Boolean)) realmUrl.searchParams.append('scope', sc);
      if (creds && (creds.username || creds.password)) {
        headers.authorization = basicHeader(creds);
        realmUrl.searchParams.set('account', creds.username ?? '');
      }
      res = await this.deps.fetch(realmUrl.toString(), { method: 'GET', headers });
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => undefined);
      if (creds) throw new ScoutError('registry-unauthorized', `registry ${this.registry} rejected the credentials from ${creds.origin} for ${what} (token service answered ${res.status}): ${loginHint(this.registry)}`);
      throw new ScoutError('registry-unauthorized', `registry ${this.registry} refused an anonymous token for ${what} (${res.status}): ${loginHint(this.registry)}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new ScoutError('registry-auth', `registry ${this.registry}: token service ${realmUrl.origin} answered ${res.status} for ${what}`);
    }
    const text = (await readCappedBytes(res, MAX_TOKEN_RESPONSE, `registry ${this.registry}: token response`, this.deps.pace ?? defaultPace())).toString('utf8');
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw new ScoutError('registry-bad-response', `registry ${this.registry}: token service ${realmUrl.origin} did not answer JSON (content-type ${res.headers.get('content-type') ?? 'none'})`);
    }
    const token = typeof body?.token === 'string' && body.token ? body.token : typeof body?.access_token === 'string' ? body.access_token : '';
    if (!token) throw new ScoutError('registry-bad-response', `registry ${this.registry}: token service ${realmUrl.origin} answered without a token`);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    const header = `Bearer ${token}`;
    tokenCache.set(key, { header, expiresAt: now + Math.max(0, seconds * 1000 - EXPIRY_MARGIN_MS) });
    return header;
  }
}

/**
 * A whole response body (a manifest, a config, a token, an error), refusing more than max
 * bytes, and held to the same pace as blobs: a registry that sends the headers and then
 * nothing, or a byte every few seconds, fails the read instead of hanging the scan.
 */
export async function readCappedBytes(res: Response, max: number, what: string, pace: TransferPace = defaultPace()): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new ScoutError('response-too-large', `${what} is ${declared} bytes, over ${max}`);
  }
  if (!res.body) return Buffer.alloc(0);
  const host = res.url ? ` from ${new URL(res.url).host}` : '';
  const chunks: Buffer[] = [];
  let len = 0;
  for await (const value of pacedChunks(res.body, pace, (why) => new ScoutError('registry-stalled', `${what}${host}: ${why}, after ${len} bytes`))) {
    len += value.length;
    // Leaving the loop cancels the body (pacedChunks' finally).
    if (len > max) throw new ScoutError('response-too-large', `${what} is over ${max} bytes`);
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
