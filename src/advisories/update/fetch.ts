/**
 * HTTP(S) downloads for feed updates, with Node's fetch (`file:` URLs, a mirror directory, are
 * read by local-file.ts).
 *
 * A feed body is written to `<dest>.part` and renamed to `dest` only once it is complete, so an
 * interrupted download never looks like a file. "Complete" means: the stream ended without a
 * network error, and the byte count matches Content-Length (or Content-Range's total). A server
 * that sends neither can still truncate silently; the importer's zip/gzip checks catch that.
 *
 * - Conditional requests: pass the previous ETag / Last-Modified; a 304 comes back as
 *   `{ status: 'not-modified' }`.
 * - Retries: network errors, truncated bodies, idle timeouts, 5xx and 429 are retried with
 *   exponential backoff (Retry-After honoured, capped); other 4xx fail at once.
 * - Resumption: when an attempt dies mid-body and the server gave a validator, the next attempt
 *   (in this run or a later one) asks for the rest with Range + If-Range. A server that answers
 *   200 instead gets a clean restart; a 206 that does not continue where we stopped is discarded.
 * - Size cap: a Content-Length above `maxBytes` is refused before reading; a body that grows past
 *   it is cut off.
 */
import { open, readFile, rename, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ScoutError } from '../../util/errors.js';

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export interface DownloadProgress {
  url: string;
  /** Bytes of the body on disk so far (a resumed download starts at the resumed offset). */
  bytes: number;
  /** Full size when the server said it. */
  total?: number;
}

export interface FetchOptions {
  /** Largest body accepted. Default 1 GiB. */
  maxBytes?: number;
  /** Attempts after the first one. Default 3. */
  retries?: number;
  /** Backoff base: attempt n waits about base·2^(n-1). Default 1000 ms. */
  retryDelayMs?: number;
  /** Longest wait between attempts, Retry-After included. Default 30 s. */
  maxRetryDelayMs?: number;
  /** Abort an attempt when no byte (or no response) arrives for this long. Default 60 s. */
  idleTimeoutMs?: number;
  /** Previous validators: sent as If-None-Match / If-Modified-Since. */
  validators?: Validators;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Extra request headers (an API key). */
  headers?: Record<string, string>;
  /** Called before each retry (for logs). */
  onRetry?: (info: { url: string; attempt: number; error: ScoutError; delayMs: number }) => void;
}

export type DownloadResult =
  | { status: 'not-modified'; url: string }
  | { status: 'ok'; url: string; path: string; bytes: number; validators: Validators; contentType?: string };

export const DEFAULT_MAX_BYTES = 1024 ** 3;

/** A failed download. `retryable` says whether another attempt could help. */
export class DownloadError extends ScoutError {
  /** From a Retry-After header, when the server sent one. */
  retryAfterMs?: number;
  constructor(code: string, message: string, readonly url: string, readonly retryable: boolean, readonly httpStatus?: number, cause?: unknown) {
    super(code, message, { path: url, cause });
    this.name = 'DownloadError';
  }
}

interface PartMeta {
  url: string;
  etag?: string;
  lastModified?: string;
}

/**
 * Downloads `url` to `dest` (its folder is created). `dest` is replaced only on success; on
 * failure a `<dest>.part` may stay behind for resumption. Throws DownloadError.
 */
export async function downloadToFile(url: string, dest: string, opts: FetchOptions = {}): Promise<DownloadResult> {
  if (url.startsWith('file:')) return (await import('./local-file.js')).downloadLocalFile(url, dest, opts, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  checkUrl(url);
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  const metaFile = `${dest}.part.json`;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;

  return withRetries(url, opts, async () => {
    const resume = await resumableOffset(part, metaFile, url);
    const headers: Record<string, string> = { ...opts.headers, 'accept-encoding': 'identity', ...conditionalHeaders(opts.validators) };
    if (resume) {
      headers.range = `bytes=${resume.offset}-`;
      headers['if-range'] = resume.validator;
    }
    const idle = new IdleTimer(opts.idleTimeoutMs, opts.signal);
    try {
      const res = await fetchResponse(url, headers, idle);
      if (res.status === 304) {
        await discard(part, metaFile);
        return { status: 'not-modified', url };
      }
      if (res.status === 416) {
        // Our partial file no longer fits the resource: start over.
        await discard(part, metaFile);
        throw new DownloadError('download-restart', `${url}: range not satisfiable; restarting`, url, true, 416);
      }
      failOnStatus(res, url);

      const validators: Validators = {};
      const etag = res.headers.get('etag');
      const lastModified = res.headers.get('last-modified');
      if (etag) validators.etag = etag;
      if (lastModified) validators.lastModified = lastModified;

      let offset = 0;
      let total: number | undefined;
      const encoded = isEncoded(res);
      if (res.status === 206 && resume) {
        const range = parseContentRange(res.headers.get('content-range'));
        if (!range || range.start !== resume.offset) {
          await discard(part, metaFile);
          throw new DownloadError('download-restart', `${url}: server resumed at the wrong offset; restarting`, url, true, 206);
        }
        offset = resume.offset;
        total = range.total;
      } else if (res.status === 206) {
        throw new DownloadError('download-http', `${url}: unexpected partial content`, url, false, 206);
      } else {
        total = encoded ? undefined : contentLength(res);
      }
      if (total !== undefined && total > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new DownloadError('download-too-large', `${url}: ${total} bytes is over the ${maxBytes}-byte limit`, url, false);
      }

      // Remember the validator first: if this attempt dies, the next one can ask for the rest.
      if (validators.etag || validators.lastModified) await writeFile(metaFile, JSON.stringify({ url, ...validators } satisfies PartMeta));
      else await rm(metaFile, { force: true });
      const fh = await open(part, offset > 0 ? 'a' : 'w');
      let bytes = offset;
      try {
        opts.onProgress?.({ url, bytes, total });
        if (res.body) {
          for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
            idle.touch();
            bytes += chunk.length;
            if (bytes > maxBytes) throw new DownloadError('download-too-large', `${url}: body grew past the ${maxBytes}-byte limit`, url, false);
            await fh.write(chunk);
            opts.onProgress?.({ url, bytes, total });
          }
        }
      } catch (err) {
        if (err instanceof DownloadError) {
          if (!err.retryable) await discardAfterClose(fh, part, metaFile);
          throw err;
        }
        throw networkError(url, err, idle, `after ${bytes} bytes`);
      } finally {
        await fh.close().catch(() => undefined);
      }
      if (total !== undefined && bytes !== total) {
        // The stream "ended" early without an error (a proxy, a lying server): keep what we have
        // for resumption only if a validator makes that safe.
        throw new DownloadError('download-truncated', `${url}: got ${bytes} of ${total} bytes`, url, true);
      }
      await rename(part, dest);
      await rm(metaFile, { force: true });
      const contentType = res.headers.get('content-type') ?? undefined;
      return { status: 'ok', url, path: dest, bytes, validators, ...(contentType ? { contentType } : {}) };
    } finally {
      idle.stop();
    }
  });
}

/** A small document (one OSV record, a change list) into memory, with the same retry rules. */
export async function fetchBuffer(url: string, opts: FetchOptions = {}): Promise<{ status: 'not-modified' } | { status: 'ok'; body: Buffer; validators: Validators }> {
  if (url.startsWith('file:')) return (await import('./local-file.js')).readLocalFile(url, opts, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  checkUrl(url);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  return withRetries(url, opts, async () => {
    const idle = new IdleTimer(opts.idleTimeoutMs, opts.signal);
    try {
      const res = await fetchResponse(url, { ...opts.headers, 'accept-encoding': 'identity', ...conditionalHeaders(opts.validators) }, idle);
      if (res.status === 304) return { status: 'not-modified' as const };
      failOnStatus(res, url);
      const total = isEncoded(res) ? undefined : contentLength(res);
      if (total !== undefined && total > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new DownloadError('download-too-large', `${url}: ${total} bytes is over the ${maxBytes}-byte limit`, url, false);
      }
      const parts: Uint8Array[] = [];
      let bytes = 0;
      try {
        if (res.body) {
          for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
            idle.touch();
            bytes += chunk.length;
            if (bytes > maxBytes) throw new DownloadError('download-too-large', `${url}: body grew past the ${maxBytes}-byte limit`, url, false);
            parts.push(chunk);
          }
        }
      } catch (err) {
        if (err instanceof DownloadError) throw err;
        throw networkError(url, err, idle, `after ${bytes} bytes`);
      }
      if (total !== undefined && bytes !== total) throw new DownloadError('download-truncated', `${url}: got ${bytes} of ${total} bytes`, url, true);
      const validators: Validators = {};
      const etag = res.headers.get('etag');
      const lm = res.headers.get('last-modified');
      if (etag) validators.etag = etag;
      if (lm) validators.lastModified = lm;
      return { status: 'ok' as const, body: Buffer.concat(parts), validators };
    } finally {
      idle.stop();
    }
  });
}

// --- internals ---

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DownloadError('download-bad-url', `not a URL: ${url.slice(0, 200)}`, url, false);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new DownloadError('download-bad-url', `${url}: only http and https are fetched`, url, false);
}

function conditionalHeaders(v: Validators | undefined): Record<string, string> {
  const h: Record<string, string> = {};
  if (v?.etag) h['if-none-match'] = v.etag;
  if (v?.lastModified) h['if-modified-since'] = v.lastModified;
  return h;
}

async function fetchResponse(url: string, headers: Record<string, string>, idle: IdleTimer): Promise<Response> {
  try {
    return await fetch(url, { headers, signal: idle.signal, redirect: 'follow' });
  } catch (err) {
    throw networkError(url, err, idle, 'before a response');
  }
}

function failOnStatus(res: Response, url: string): void {
  if (res.status === 200 || res.status === 206) return;
  void res.body?.cancel().catch(() => undefined);
  const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
  const err = new DownloadError('download-http', `${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, url, retryable, res.status);
  const after = res.headers.get('retry-after');
  if (after !== null) err.retryAfterMs = parseRetryAfter(after);
  throw err;
}

function parseRetryAfter(v: string): number | undefined {
  if (/^\d{1,6}$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

function isEncoded(res: Response): boolean {
  const enc = res.headers.get('content-encoding');
  return enc !== null && enc.toLowerCase() !== 'identity';
}

function contentLength(res: Response): number | undefined {
  const v = res.headers.get('content-length');
  return v !== null && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
}

function parseContentRange(v: string | null): { start: number; total?: number } | undefined {
  const m = v ? /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/.exec(v.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), ...(m[3] !== '*' ? { total: Number(m[3]) } : {}) };
}

function networkError(url: string, err: unknown, idle: IdleTimer, when: string): DownloadError {
  if (idle.callerAborted) return new DownloadError('download-aborted', `${url}: aborted`, url, false, undefined, err);
  if (idle.timedOut) return new DownloadError('download-timeout', `${url}: no data for ${idle.ms} ms ${when}`, url, true, undefined, err);
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new DownloadError('download-network', `${url}: connection failed ${when}: ${detail}`, url, true, undefined, err);
}

/** A partial file we may continue: same URL, a validator to send as If-Range, some bytes. */
async function resumableOffset(part: string, metaFile: string, url: string): Promise<{ offset: number; validator: string } | undefined> {
  const st = await stat(part).catch(() => undefined);
  if (!st || st.size === 0) return undefined;
  let meta: PartMeta | undefined;
  try {
    meta = JSON.parse(await readFile(metaFile, 'utf8')) as PartMeta;
  } catch {
    meta = undefined;
  }
  // If-Range needs a strong ETag or a date; a weak ETag would never match.
  const validator = meta?.etag && !meta.etag.startsWith('W/') ? meta.etag : meta?.lastModified;
  if (!meta || meta.url !== url || !validator) {
    await discard(part, metaFile);
    return undefined;
  }
  return { offset: st.size, validator };
}

async function discard(part: string, metaFile: string): Promise<void> {
  await rm(part, { force: true });
  await rm(metaFile, { force: true });
}

async function discardAfterClose(fh: { close(): Promise<void> }, part: string, metaFile: string): Promise<void> {
  await fh.close().catch(() => undefined);
  await discard(part, metaFile);
}

async function withRetries<T>(url: string, opts: FetchOptions, attempt: () => Promise<T>): Promise<T> {
  const retries = opts.retries ?? 3;
  const base = opts.retryDelayMs ?? 1000;
  const cap = opts.maxRetryDelayMs ?? 30_000;
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const e = err instanceof DownloadError ? err : new DownloadError('download-failed', `${url}: ${err instanceof Error ? err.message : String(err)}`, url, false, undefined, err);
      if (!e.retryable || n >= retries || opts.signal?.aborted) throw e;
      const retryAfter = e.retryAfterMs;
      const backoff = base * 2 ** n * (1 + Math.random() * 0.25);
      const delayMs = Math.min(cap, Math.max(backoff, retryAfter ?? 0));
      opts.onRetry?.({ url, attempt: n + 1, error: e, delayMs });
      await sleep(delayMs, opts.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Aborts the request when nothing arrives for `ms`, or when the caller's signal fires. */
class IdleTimer {
  readonly ms: number;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  timedOut = false;
  callerAborted = false;
  private readonly onCallerAbort = () => {
    this.callerAborted = true;
    this.controller.abort();
  };

  constructor(ms: number | undefined, private readonly caller?: AbortSignal) {
    this.ms = ms ?? 60_000;
    if (caller?.aborted) this.onCallerAbort();
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}
