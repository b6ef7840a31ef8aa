/**
 * Registry mirrors: places to pull a registry's images from before the registry itself, as
 * Docker's `registry-mirrors` and containerd's hosts.toml do. A pull-through cache in front of
 * Docker Hub spares its rate limits; a Harbor proxy-cache project serves another registry's
 * images under a path of its own.
 *
 * Configured as REGISTRY=URL entries (`--registry-mirror`, or SCOUT_REGISTRY_MIRRORS separated
 * by commas or spaces); a bare URL mirrors docker.io, as in Docker's daemon.json:
 *
 *   docker.io=https://mirror.gcr.io
 *   ghcr.io=https://harbor.example.com/ghcr-proxy     (repositories under ghcr-proxy/)
 *   http://127.0.0.1:5001                              (docker.io, plain HTTP)
 *
 * A URL's path is a repository prefix. http:// URLs are reached over plain HTTP; anything else
 * over TLS. Mirrors are tried in the order given, the registry itself last.
 */
import { ScoutError } from '../../util/errors.js';
import { DOCKER_HUB } from '../reference.js';

export interface RegistryMirror {
  /** The entry as configured, for messages and metadata. */
  url: string;
  /** host[:port] of the mirror's API. */
  host: string;
  /** Prepended to repository paths ('' or 'ghcr-proxy/'). */
  prefix: string;
  /** Reached over plain HTTP. */
  insecure: boolean;
}

const HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', 'registry-1.docker.io']);

function sameRegistry(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (HUB_ALIASES.has(x) && HUB_ALIASES.has(y));
}

/** One configured entry; throws a ScoutError naming what is wrong with it. */
export function parseMirror(entry: string): { registry: string; mirror: RegistryMirror } {
  const text = entry.trim();
  const eq = text.indexOf('=');
  const registry = eq > 0 ? text.slice(0, eq).trim() : DOCKER_HUB;
  const raw = eq > 0 ? text.slice(eq + 1).trim() : text;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new ScoutError('bad-mirror', `registry mirror "${entry}": "${raw}" is not a URL (expected REGISTRY=https://host[:port][/path])`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ScoutError('bad-mirror', `registry mirror "${entry}": only http:// and https:// mirrors are supported`);
  if (u.username || u.password || u.search || u.hash) throw new ScoutError('bad-mirror', `registry mirror "${entry}": credentials, queries and fragments do not belong in a mirror URL (credentials come from docker login or SCOUT_REGISTRY_USER)`);
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(registry)) throw new ScoutError('bad-mirror', `registry mirror "${entry}": "${registry}" is not a registry host`);
  const path = u.pathname.replace(/^\/+|\/+$/g, '');
  // The API root is /v2 on the host: a path that already says so would be doubled.
  if (path === 'v2' || path.startsWith('v2/')) throw new ScoutError('bad-mirror', `registry mirror "${entry}": give the mirror's base URL, without /v2`);
  return {
    registry: registry.toLowerCase(),
    mirror: { url: `${u.protocol}//${u.host}${path ? `/${path}` : ''}`, host: u.host.toLowerCase(), prefix: path ? `${path}/` : '', insecure: u.protocol === 'http:' },
  };
}

/** Entries from the environment: SCOUT_REGISTRY_MIRRORS, separated by commas or white space. */
export function envMirrorEntries(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.SCOUT_REGISTRY_MIRRORS ?? '').split(/[\s,]+/).filter(Boolean);
}

/** The mirrors of `registry`, in order: command-line entries first, then the environment's. */
export function mirrorsFor(registry: string, entries: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): RegistryMirror[] {
  const out: RegistryMirror[] = [];
  for (const e of [...entries, ...envMirrorEntries(env)]) {
    const { registry: r, mirror } = parseMirror(e);
    if (sameRegistry(r, registry) && !out.some((m) => m.url === mirror.url)) out.push(mirror);
  }
  return out;
}
