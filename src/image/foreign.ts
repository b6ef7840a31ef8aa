/**
 * Foreign (non-distributable) layers: Windows base layers and the like, which a registry or an
 * archive need not hold. Their descriptor lists `urls` they are published at instead. Docker
 * fetches them from there; containerd only when told to.
 *
 * Scout fetches them only when allowed (--allow-foreign-layers, SCOUT_ALLOW_FOREIGN_LAYERS=1):
 * the URLs are whatever the image's author wrote, and a scanner that follows them for any image
 * it is given can be made to send requests anywhere. Allowed, each URL is tried in order (https,
 * or http on loopback only) and the bytes go through the same digest and diff_id checks as any
 * layer's. Otherwise the layer fails with a message that names its URL and the option.
 */
import { Readable } from 'node:stream';
import { ScoutError } from '../util/errors.js';
import { isLoopback } from './registry/client.js';
import type { Descriptor, OpenOptions } from './types.js';

/** Most URLs tried for one layer (a descriptor could list thousands). */
const MAX_URLS = 8;
const HEADERS_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 5;

/** Codes a source uses when it does not hold a blob. */
const NOT_HELD = new Set(['blob-unknown', 'missing-blob']);

export function foreignLayersAllowed(opts: OpenOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  return opts.allowForeignLayers ?? /^(1|true|yes)$/i.test(env.SCOUT_ALLOW_FOREIGN_LAYERS ?? '');
}

/** The descriptor's URLs as given (strings only, at most MAX_URLS). */
function urlsOf(d: Descriptor): string[] {
  return Array.isArray(d.urls) ? d.urls.filter((u): u is string => typeof u === 'string').slice(0, MAX_URLS) : [];
}

/**
 * The layer's blob from its source, or, when the source does not hold it and the descriptor
 * lists URLs, from those URLs (if allowed). Bytes are not verified here: the layer stream is.
 */
export async function openBlobOrForeign(openBlob: () => Promise<Readable>, d: Descriptor, label: string, opts: OpenOptions): Promise<Readable> {
  try {
    return await openBlob();
  } catch (err) {
    const urls = urlsOf(d);
    if (!urls.length || !(err instanceof ScoutError) || !NOT_HELD.has(err.code)) throw err;
    if (!foreignLayersAllowed(opts)) {
      const more = urls.length > 1 ? ` (and ${urls.length - 1} more)` : '';
      throw new ScoutError('foreign-layer', `${label} is a foreign layer the source does not hold; it is published at ${urls[0]}${more}. Scout does not fetch URLs an image names unless told to: pass --allow-foreign-layers (or set SCOUT_ALLOW_FOREIGN_LAYERS=1)`, { layer: label });
    }
    return fetchFirst(urls, label);
  }
}

/** Why a URL is not fetched, or undefined when it may be. */
function refusal(url: URL): string | undefined {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.host)) ? undefined : 'only https URLs are fetched';
}

async function fetchFirst(urls: string[], label: string): Promise<Readable> {
  const failures: string[] = [];
  for (const text of urls) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      failures.push(`${text.slice(0, 100)}: not a URL`);
      continue;
    }
    const why = refusal(url);
    if (why) {
      failures.push(`${url.href.slice(0, 100)}: ${why}`);
      continue;
    }
    try {
      return await fetchFollowing(url);
    } catch (err) {
      failures.push(`${url.href}: ${(err as Error).message}`);
    }
  }
  throw new ScoutError('foreign-layer-unavailable', `${label}: foreign layer could not be fetched from its URLs: ${failures.join('; ')}`, { layer: label });
}

/** GET with redirects followed by hand, each hop held to the same rule as the first URL. */
async function fetchFollowing(start: URL): Promise<Readable> {
  let url = start;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), HEADERS_TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(url, { headers: { 'user-agent': 'iechor-scout' }, redirect: 'manual', signal: ctl.signal });
    } catch (err) {
      throw new Error(ctl.signal.aborted ? `no answer within ${HEADERS_TIMEOUT_MS / 1000}s` : ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message, { cause: err });
    } finally {
      // Only the wait for headers is bounded; the body takes as long as it takes.
      clearTimeout(timer);
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel().catch(() => undefined);
      const next = new URL(location, url);
      const why = refusal(next);
      if (why) throw new Error(`redirected to ${next.href.slice(0, 100)}: ${why}`);
      url = next;
      continue;
    }
    if (res.ok && res.body) return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`${res.status} ${res.statusText}`);
  }
  throw new Error(`more than ${MAX_REDIRECTS} redirects`);
}
