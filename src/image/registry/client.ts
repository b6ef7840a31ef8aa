/**
 * A client for the OCI distribution API (what Docker Hub, GHCR, ECR, Harbor… all speak), on
 * Node's global fetch: manifests by tag or digest (verified), blobs as streams, with auth
 * challenges, redirects to blob storage and bounded retries of transient failures.
 */
import { Readable } from 'node:stream';
import { ScoutError } from '../../util/errors.js';
import { defaultLimits } from '../limits.js';
import { MediaTypes, isDigest, parseManifestOrIndex, sha256, verifyDigest } from '../manifest.js';
import type { Descriptor } from '../types.js';
import { DOCKER_HUB } from '../reference.js';
import type { Agent } from 'undici';
import { RegistryAuth, loginHint, readCappedBytes } from './auth.js';
import { credentialsFor, type Credentials } from './credentials.js';
import { DestinationGuard, type Lookup } from './destinations.js';
import { MAX_LISTING_NAMES, MAX_LISTING_PAGES, isRepositoryName, isTag, nextLink, sortNames, type Listing } from './listing.js';
import { defaultPace, pacedChunks, type TransferPace } from './pace.js';

/**
 * undici, loaded on the first request: loading it costs about 80 ms of CPU, which every
 * command that reads no registry (an archive, a local image, --help) would otherwise pay.
 */
const importUndici = () => import('undici');
let undici: ReturnType<typeof importUndici> | undefined;
const loadUndici = () => (undici ??= importUndici());

export const MANIFEST_ACCEPT = [MediaTypes.ociIndex, MediaTypes.ociManifest, MediaTypes.dockerList, MediaTypes.dockerManifest].join(', ');

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  tries: number;
  /** First back-off; doubled each time, with jitter. */
  baseDelayMs: number;
  /** No single wait (Retry-After included) is longer than this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { tries: 4, baseDelayMs: 250, maxDelayMs: 8000 };

export interface RegistryClientOptions {
  /** Registry host[:port] as references name it; docker.io for Docker Hub. */
  registry: string;
  /** Hosts to reach over plain HTTP (loopback always is). */
  insecureRegistries?: string[];
  /** Where credentials come from; default: environment, then Docker's config. */
  credentials?: () => Promise<Credentials | undefined>;
  retry?: Partial<RetryPolicy>;
  /** How long to wait for a response's headers before giving up on an attempt. */
  headersTimeoutMs?: number;
  /** How slow a blob may come before it is given up (default: defaultPace(), from the environment). */
  pace?: TransferPace;
  /** Follow redirects and token realms to private, loopback or link-local addresses (destinations.ts). */
  allowPrivateRedirects?: boolean;
  /** Name resolution for that check (tests give their own). */
  lookup?: Lookup;
}

export interface FetchedManifest {
  bytes: Buffer;
  /** Content-Type as the registry sent it (without parameters). */
  mediaType?: string;
  /** Verified digest of bytes. */
  digest: string;
}

const MAX_REDIRECTS = 5;
const MAX_ERROR_BODY = 64 * 1024;
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|ERR_OSSL_)/;
const PERMANENT_NET_CODE = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE']);

/** localhost, 127.0.0.1 or [::1], with or without a port. */
export function isLoopback(host: string): boolean {
  return /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i.test(host);
}

function stripScheme(h: string): string {
  return h.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase();
}

/** The API base URL: Docker Hub's API host for docker.io, plain HTTP only where allowed. */
export function registryBaseUrl(registry: string, insecure: string[] = []): string {
  if (registry === DOCKER_HUB || registry === 'index.docker.io') return 'https://registry-1.docker.io';
  const r = registry.toLowerCase();
  const hostOnly = r.replace(/:\d+$/, '');
  const plain = isLoopback(r) || insecure.map(stripScheme).some((h) => h === r || h === hostOnly);
  return `${plain ? 'http' : 'https'}://${registry}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The innermost error code of a failed fetch (undici wraps the socket error in `cause`). */
function netCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && e.code !== 'UND_ERR_SOCKET' && e.code !== 'UND_ERR') return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

function netMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  let msg = '';
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.message) msg = e.message;
    e = e.cause as typeof e;
  }
  return msg;
}

/** The registry's own words for an error: `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"…"}]}`. */
async function errorDetail(res: Response, pace: TransferPace): Promise<string> {
  let text: string;
  try {
    text = (await readCappedBytes(res, MAX_ERROR_BODY, 'error body', pace)).toString('utf8');
  } catch {
    return '';
  }
  try {
    const v = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    if (Array.isArray(v?.errors)) {
      return v.errors
        .slice(0, 3)
        .map((e) => [e?.code, e?.message].filter((x) => typeof x === 'string' && x).join(': '))
        .filter(Boolean)
        .join('; ');
    }
  } catch {
    // not JSON: fall through to plain text
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function contentType(res: Response): string | undefined {
  const ct = res.headers.get('content-type');
  return ct ? ct.split(';')[0].trim().toLowerCase() : undefined;
}

export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly headersTimeoutMs: number;
  private readonly pace: TransferPace;
  private readonly auths = new Map<string, RegistryAuth>();
  private readonly credentials: () => Promise<Credentials | undefined>;
  private credsOnce?: Promise<Credentials | undefined>;
  private readonly destinations: DestinationGuard;
  /** Connections of this client, resolved by the destination guard (see connectLookup); made on the first request. */
  private dispatcher?: Agent;

  constructor(opts: RegistryClientOptions) {
    this.registry = opts.registry;
    this.baseUrl = registryBaseUrl(opts.registry, opts.insecureRegistries);
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.headersTimeoutMs = opts.headersTimeoutMs ?? 60_000;
    this.pace = opts.pace ?? defaultPace();
    this.destinations = new DestinationGuard(opts.registry, new URL(this.baseUrl).host, { ...(opts.allowPrivateRedirects !== undefined ? { allowPrivate: opts.allowPrivateRedirects } : {}), ...(opts.lookup ? { lookup: opts.lookup } : {}) });
    const lookup = opts.credentials ?? (() => credentialsFor(opts.registry));
    // Looked up at most once per client, and only when a registry asks for authentication.
    this.credentials = () => (this.credsOnce ??= lookup());
  }

  /** The repository's authentication state; '' is the catalog's. */
  private authFor(repository: string): RegistryAuth {
    let a = this.auths.get(repository);
    if (!a) {
      a = new RegistryAuth(this.registry, this.credentials, { fetch: (url, init) => this.send(url, init, `a token for ${repository || 'the catalog'} (Bearer realm)`), pace: this.pace });
      this.auths.set(repository, a);
    }
    return a;
  }

  /** Fetch a manifest or index by tag or digest; its digest is verified before it is returned. */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const what = this.refText(repository, reference);
    const res = await this.request('GET', repository, `manifests/${reference}`, what, { accept: MANIFEST_ACCEPT });
    if (res.status === 404) throw new ScoutError('manifest-unknown', `registry ${this.registry}: manifest unknown: ${what} was not found (${(await errorDetail(res, this.pace)) || '404 Not Found'})`);
    if (!res.ok) throw await this.statusError(res, what);
    const max = defaultLimits().maxManifestBytes;
    const bytes = await readCappedBytes(res, max, `registry ${this.registry}: manifest of ${what}`, this.pace);
    const mediaType = contentType(res);
    if (mediaType === 'text/html' || mediaType === 'text/plain') {
      throw new ScoutError('registry-bad-response', `registry ${this.registry}: answered ${what} with ${mediaType}, not a manifest; is ${this.baseUrl} a registry (a proxy or login page in the way)?`);
    }
    try {
      JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ScoutError('registry-bad-response', `registry ${this.registry}: the manifest of ${what} is not JSON (content-type ${mediaType ?? 'none'}, ${bytes.length} bytes)`);
    }
    const header = res.headers.get('docker-content-digest') ?? undefined;
    if (header !== undefined && isDigest(header)) verifyDigest(bytes, header, `registry ${this.registry}: manifest of ${what} (Docker-Content-Digest)`);
    if (isDigest(reference)) verifyDigest(bytes, reference, `registry ${this.registry}: manifest of ${what}`);
    const digest = isDigest(reference) ? reference : header !== undefined && isDigest(header) ? header : sha256(bytes);
    return { bytes, mediaType, digest };
  }

  /** The digest, media type and size of a manifest, without fetching it. */
  async headManifest(repository: string, reference: string): Promise<{ digest?: string; mediaType?: string; size?: number }> {
    const what = this.refText(repository, reference);
    const res = await this.request('HEAD', repository, `manifests/${reference}`, what, { accept: MANIFEST_ACCEPT });
    if (res.status === 404) throw new ScoutError('manifest-unknown', `registry ${this.registry}: manifest unknown: ${what} was not found`);
    if (!res.ok) throw await this.statusError(res, what);
    const size = Number(res.headers.get('content-length'));
    const digest = res.headers.get('docker-content-digest') ?? undefined;
    return { ...(digest ? { digest } : {}), mediaType: contentType(res), ...(Number.isFinite(size) ? { size } : {}) };
  }

  /**
   * The manifests that name `digest` as their subject: the referrers API when the registry has
   * it, else the index tagged `sha256-<hex>` (the OCI tag-schema fallback). None: an empty list.
   */
  async referrers(repository: string, digest: string): Promise<Descriptor[]> {
    if (!isDigest(digest)) throw new ScoutError('bad-digest', `registry ${this.registry}: "${digest}" is not a valid digest`);
    const what = `referrers of ${this.refText(repository, digest)}`;
    const res = await this.request('GET', repository, `referrers/${digest}`, what, { accept: MediaTypes.ociIndex });
    let bytes: Buffer | undefined;
    if (res.ok && contentType(res) === MediaTypes.ociIndex) {
      bytes = await readCappedBytes(res, defaultLimits().maxManifestBytes, `registry ${this.registry}: ${what}`, this.pace);
    } else {
      // 404 (or 400/405 from registries that route the path elsewhere): no referrers API.
      await res.body?.cancel().catch(() => undefined);
      if (res.ok || ![400, 404, 405].includes(res.status)) throw await this.statusError(res, what);
      const tag = digest.replace(':', '-');
      try {
        bytes = (await this.getManifest(repository, tag)).bytes;
      } catch (err) {
        if (err instanceof ScoutError && err.code === 'manifest-unknown') return [];
        throw err;
      }
    }
    const parsed = parseManifestOrIndex(bytes, `registry ${this.registry}: ${what}`, MediaTypes.ociIndex);
    return parsed.kind === 'index' ? parsed.index.manifests : [];
  }

  /**
   * The repositories the registry lists (`/v2/_catalog`), every page. Registries that keep
   * their catalog to themselves (Docker Hub, most hosted ones) answer 401, 403 or 404: an error
   * saying to name the repositories instead.
   */
  async catalog(pageSize = 100): Promise<Listing> {
    const what = `the catalog of ${this.registry}`;
    try {
      return await this.listPages(`${this.baseUrl}/v2/_catalog?n=${pageSize}`, 'registry:catalog:*', this.authFor(''), 'repositories', isRepositoryName, what);
    } catch (err) {
      if (err instanceof ScoutError && ['registry-unauthorized', 'registry-denied', 'repository-unknown'].includes(err.code)) {
        throw new ScoutError(err.code, `${err.message}; registries that do not list their repositories need them named (--repository)`, { cause: err });
      }
      throw err;
    }
  }

  /** The tags of a repository (`/v2/<name>/tags/list`), every page. */
  async listTags(repository: string, pageSize = 100): Promise<Listing> {
    return this.listPages(`${this.baseUrl}/v2/${repository}/tags/list?n=${pageSize}`, `repository:${repository}:pull`, this.authFor(repository), 'tags', isTag, `the tags of ${this.registry}/${repository}`);
  }

  /** A listing's pages, following `Link: rel="next"` on the registry's own origin only. */
  private async listPages(first: string, scope: string, auth: RegistryAuth, field: 'repositories' | 'tags', valid: (s: string) => boolean, what: string): Promise<Listing> {
    const out: Listing = { names: [], rejectedCount: 0, rejected: [] };
    const origin = new URL(this.baseUrl).origin;
    const seen = new Set<string>();
    let url: string | undefined = first;
    for (let page = 1; url; page++) {
      if (page > MAX_LISTING_PAGES) throw new ScoutError('registry-bad-response', `registry ${this.registry}: ${what} goes on past ${MAX_LISTING_PAGES} pages`);
      seen.add(url);
      const res = await this.requestUrl('GET', url, scope, auth, what, { accept: 'application/json' });
      if (res.status === 404) throw new ScoutError('repository-unknown', `registry ${this.registry}: ${what}: not found (${(await errorDetail(res, this.pace)) || '404 Not Found'})`);
      if (!res.ok) throw await this.statusError(res, what);
      const bytes = await readCappedBytes(res, defaultLimits().maxManifestBytes, `registry ${this.registry}: ${what}`, this.pace);
      let body: unknown;
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw new ScoutError('registry-bad-response', `registry ${this.registry}: ${what} is not JSON (content-type ${contentType(res) ?? 'none'}, ${bytes.length} bytes)`);
      }
      const list = (body as Record<string, unknown> | null)?.[field];
      // An empty repository answers `"tags": null`.
      if (list !== null && list !== undefined && !Array.isArray(list)) throw new ScoutError('registry-bad-response', `registry ${this.registry}: ${what}: "${field}" is not a list`);
      sortNames(list ?? [], valid, out);
      if (out.names.length > MAX_LISTING_NAMES) throw new ScoutError('registry-bad-response', `registry ${this.registry}: ${what} lists over ${MAX_LISTING_NAMES} names`);
      const link = nextLink(res.headers.get('link'));
      if (!link) break;
      let next: URL;
      try {
        next = new URL(link, url);
      } catch {
        throw new ScoutError('registry-bad-response', `registry ${this.registry}: ${what}: the next page's link ${JSON.stringify(link.slice(0, 100))} is not a URL`);
      }
      // Our credentials go with the request: never to another origin.
      if (next.origin !== origin) throw new ScoutError('registry-bad-response', `registry ${this.registry}: ${what}: the next page is at ${next.origin}, not at the registry (${origin}); not followed`);
      if (seen.has(next.href)) throw new ScoutError('registry-bad-response', `registry ${this.registry}: ${what}: page ${page} links back to a page already read (${next.pathname}${next.search})`);
      url = next.href;
    }
    return out;
  }

  /** A small blob (a config) whole; its digest is left for the caller to verify. */
  async getBlob(repository: string, digest: string, maxBytes: number): Promise<Buffer> {
    const res = await this.openBlobResponse(repository, digest, 0);
    return readCappedBytes(res, maxBytes, `registry ${this.registry}: blob ${digest} of ${repository}`, this.pace);
  }

  /**
   * A blob as stored, streamed. Bytes are not verified here: layer readers hash them as they
   * flow (resolveImage's layer streams) and fail at the end on a mismatch. A connection that
   * breaks mid-blob is resumed where it stopped (a Range request; or, when the server ignores
   * Range, the bytes already delivered are skipped), within the retry budget.
   */
  async openBlob(repository: string, digest: string, onBytes?: (n: number) => void): Promise<Readable> {
    const first = await this.openBlobResponse(repository, digest, 0);
    const { tries, baseDelayMs, maxDelayMs } = this.retry;
    const registry = this.registry;
    const what = `blob ${digest} of ${registry}/${repository}`;
    const reopen = (offset: number) => this.openBlobResponse(repository, digest, offset);
    const backoff = (n: number) => this.backoff(n, baseDelayMs, maxDelayMs);
    const pace = this.pace;
    async function* chunks(): AsyncGenerator<Buffer> {
      let res = first;
      let delivered = 0;
      // Bytes at the start of the current response that were already delivered.
      let skip = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          if (!res.body) return;
          // A stall or a trickle is not retried: the next attempt would most likely do the same.
          const host = new URL(res.url || 'http://unknown').host;
          const slow = (why: string) => new ScoutError('registry-stalled', `registry ${registry}: ${what} from ${host}: ${why}, after ${delivered} bytes`);
          for await (const c of pacedChunks(res.body, pace, slow)) {
            let buf = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
            if (skip > 0) {
              const drop = Math.min(skip, buf.length);
              skip -= drop;
              buf = buf.subarray(drop);
              if (!buf.length) continue;
            }
            delivered += buf.length;
            onBytes?.(buf.length);
            yield buf;
          }
          return;
        } catch (err) {
          if (err instanceof ScoutError) throw err;
          if (attempt >= tries) throw new ScoutError('registry-stream', `registry ${registry}: ${what}: the connection broke after ${delivered} bytes, ${attempt} times (${netMessage(err)})`, { cause: err });
          await sleep(backoff(attempt));
          res = await reopen(delivered);
          skip = res.status === 206 ? 0 : delivered;
        }
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  private async openBlobResponse(repository: string, digest: string, offset: number): Promise<Response> {
    if (!isDigest(digest)) throw new ScoutError('bad-digest', `registry ${this.registry}: "${digest}" is not a valid blob digest`);
    const what = `blob ${digest} of ${this.registry}/${repository}`;
    const res = await this.request('GET', repository, `blobs/${digest}`, what, offset > 0 ? { range: offset } : {});
    if (res.status === 404) throw new ScoutError('blob-unknown', `registry ${this.registry}: ${what} was not found${this.redirectedTo(res)} (${(await errorDetail(res, this.pace)) || '404 Not Found'})`);
    if (!res.ok) throw await this.statusError(res, what);
    if (res.status === 206 && !(res.headers.get('content-range') ?? '').startsWith(`bytes ${offset}-`)) {
      await res.body?.cancel().catch(() => undefined);
      throw new ScoutError('registry-bad-response', `registry ${this.registry}: resuming ${what} at byte ${offset} returned range ${res.headers.get('content-range') ?? 'none'}`);
    }
    return res;
  }

  private refText(repository: string, reference: string): string {
    return `${this.registry}/${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
  }

  private async statusError(res: Response, what: string): Promise<ScoutError> {
    const detail = await errorDetail(res, this.pace);
    const redirected = this.redirectedTo(res);
    if (res.status === 403) {
      return new ScoutError('registry-denied', `registry ${this.registry} denied access to ${what}${redirected} (403 Forbidden${detail ? `: ${detail}` : ''}); check that your account may pull it: ${loginHint(this.registry)}`);
    }
    return new ScoutError('registry-error', `registry ${this.registry} answered ${res.status} ${res.statusText} for ${what}${redirected}${detail ? `: ${detail}` : ''}`);
  }

  /** ", at <origin> where the registry redirected it" when a redirect's target gave the answer. */
  private redirectedTo(res: Response): string {
    if (!res.url) return '';
    const at = new URL(res.url);
    return at.origin === new URL(this.baseUrl).origin ? '' : `, at ${at.origin} where the registry redirected it`;
  }

  /**
   * One API call with authentication: send what we know, answer a 401 challenge once, and
   * call a second 401 what it is (credentials refused).
   */
  private async request(method: 'GET' | 'HEAD', repository: string, path: string, what: string, o: { accept?: string; range?: number }): Promise<Response> {
    return this.requestUrl(method, `${this.baseUrl}/v2/${repository}/${path}`, `repository:${repository}:pull`, this.authFor(repository), what, o);
  }

  private async requestUrl(method: 'GET' | 'HEAD', url: string, scope: string, auth: RegistryAuth, what: string, o: { accept?: string; range?: number }): Promise<Response> {
    let authorization = await auth.current(scope);
    for (let round = 0; ; round++) {
      const headers: Record<string, string> = { 'user-agent': 'iechor-scout' };
      if (o.accept) headers.accept = o.accept;
      if (o.range) headers.range = `bytes=${o.range}-`;
      if (authorization) headers.authorization = authorization;
      const res = await this.send(url, { method, headers }, what);
      if (res.status !== 401) return res;
      const challenge = res.headers.get('www-authenticate');
      const detail = method === 'HEAD' ? '' : await errorDetail(res, this.pace);
      const creds = await auth.credentialsNow();
      if (round > 0 || (authorization && !challenge)) {
        auth.forget(scope, creds);
        const who = creds ? `the credentials from ${creds.origin}` : 'anonymous access';
        // Registries (Docker Hub among them) answer 401, not 404, for repositories that do not exist.
        const maybe = creds ? '' : '; the repository may be private or may not exist';
        throw new ScoutError('registry-unauthorized', `registry ${this.registry} refused ${who} for ${what} (401 Unauthorized${detail ? `: ${detail}` : ''})${maybe}: ${loginHint(this.registry)}`);
      }
      if (authorization) auth.forget(scope, creds); // what we had expired or was refused; start over
      authorization = await auth.answer(challenge, scope, what);
    }
  }

  /** fetch with redirects (Authorization never follows to another origin) and retries. */
  private async send(url: string, init: RequestInit, what: string): Promise<Response> {
    const { tries, baseDelayMs, maxDelayMs } = this.retry;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      // The URL of the last hop: a failure at a redirect's target names that target.
      const hop = { url: new URL(url) };
      try {
        res = await this.followRedirects(url, init, what, hop);
      } catch (err) {
        if (err instanceof ScoutError) throw err;
        const redirected = hop.url.origin === new URL(url).origin ? '' : ` (where ${new URL(url).host} redirected ${what})`;
        const code = netCode(err);
        const msg = netMessage(err).split('\n')[0].replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:/, '').replace(/:[^:]*\.c:\d+:?$/, '').trim();
        if (code && TLS_CODE.test(code)) {
          const plain = code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(msg);
          const hint = plain ? `; it does not seem to speak TLS: if ${this.registry} serves plain HTTP, pass --insecure-registry ${this.registry}` : '';
          throw new ScoutError('registry-tls', `registry ${this.registry}: TLS error talking to ${hop.url.host}${redirected} (${code}: ${msg})${hint}`, { cause: err });
        }
        if (attempt >= tries || (code && PERMANENT_NET_CODE.has(code))) {
          const hint = code === 'ENOTFOUND' ? ' (no such host)' : '';
          throw new ScoutError('registry-unreachable', `registry ${this.registry}: cannot reach ${hop.url.origin}${redirected}${hint}: ${[code, msg].filter(Boolean).join(' ')}` + (attempt > 1 ? ` (after ${attempt} tries)` : ''), { cause: err });
        }
        await sleep(this.backoff(attempt, baseDelayMs, maxDelayMs));
        continue;
      }
      if (!RETRY_STATUS.has(res.status) || attempt >= tries) return res;
      const retryAfter = Number(res.headers.get('retry-after'));
      await res.body?.cancel().catch(() => undefined);
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, maxDelayMs) : this.backoff(attempt, baseDelayMs, maxDelayMs);
      await sleep(wait);
    }
  }

  /** Exponential back-off with "equal jitter": half fixed, half random, so clients spread out. */
  private backoff(attempt: number, base: number, max: number): number {
    const d = Math.min(max, base * 2 ** (attempt - 1));
    return d / 2 + Math.random() * (d / 2);
  }

  private async followRedirects(startUrl: string, init: RequestInit, what: string, last: { url: URL }): Promise<Response> {
    let url = new URL(startUrl);
    const origin = url.origin;
    let method = init.method ?? 'GET';
    let body = init.body;
    const headers = { ...(init.headers as Record<string, string>) };
    for (let hop = 0; ; hop++) {
      last.url = url;
      // A token realm (the first hop, elsewhere) or a redirect: the registry chose where.
      await this.destinations.check(url, hop > 0 ? `a redirect for ${what}` : what);
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(new ScoutError('registry-timeout', `registry ${this.registry}: no answer from ${url.host} within ${this.headersTimeoutMs / 1000}s for ${what}`)), this.headersTimeoutMs);
      let res: Response;
      try {
        // Through our dispatcher: it connects to the addresses the check above saw.
        const { Agent, fetch: undiciFetch } = await loadUndici();
        this.dispatcher ??= new Agent({ connect: { lookup: this.destinations.connectLookup } });
        res = (await undiciFetch(url, { method, headers, body: body as string | undefined, redirect: 'manual', signal: ctl.signal, dispatcher: this.dispatcher })) as unknown as Response;
      } catch (err) {
        if (ctl.signal.aborted && ctl.signal.reason instanceof ScoutError) throw ctl.signal.reason;
        throw err;
      } finally {
        // Only the wait for headers is bounded; a large blob may take as long as it takes.
        clearTimeout(timer);
      }
      const location = res.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      await res.body?.cancel().catch(() => undefined);
      if (hop >= MAX_REDIRECTS) throw new ScoutError('registry-redirects', `registry ${this.registry}: more than ${MAX_REDIRECTS} redirects for ${what}`);
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new ScoutError('registry-redirects', `registry ${this.registry}: redirect to ${next.href.slice(0, 100)} (${next.protocol} is not supported) for ${what}`);
      // Blob storage (S3, GCS, a CDN) gets a pre-signed URL, never our registry credentials.
      if (next.origin !== origin) delete headers.authorization;
      if (res.status === 303 && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }
}
