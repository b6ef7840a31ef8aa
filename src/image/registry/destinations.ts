/**
 * Where a registry may send Scout: redirects (to blob storage) and Bearer token realms are
 * URLs the registry chooses, so a hostile or compromised registry could point a scanner that
 * runs on a CI runner or a cloud VM at the cloud metadata service (169.254.169.254) or at
 * services on the private network. They are followed to a loopback, private or link-local
 * address only when the registry the user named is itself at an address of that kind (a
 * registry on 10.0.0.5 with its storage on 10.0.0.6, a test registry on 127.0.0.1 with its
 * token service on another port), or when allowed (--allow-private-redirects,
 * SCOUT_ALLOW_PRIVATE_REDIRECTS=1). The registry's own host is always reached.
 *
 * Host names are resolved once per client, and every connection the client makes goes to the
 * addresses that were checked (`connectLookup`), so a name that answers with a public address
 * for the check and the metadata service for the connection (DNS rebinding) cannot switch.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ScoutError } from '../../util/errors.js';

export type AddressKind = 'loopback' | 'private' | 'link-local' | 'public';

function blocks(v4: string[], v6: string[]): BlockList {
  const b = new BlockList();
  for (const s of v4) b.addSubnet(s.split('/')[0], Number(s.split('/')[1]), 'ipv4');
  for (const s of v6) b.addSubnet(s.split('/')[0], Number(s.split('/')[1]), 'ipv6');
  return b;
}

// 0.0.0.0/8 and :: reach this machine on Linux.
const LOOPBACK = blocks(['127.0.0.0/8', '0.0.0.0/8'], ['::1/128', '::/128']);
const LINK_LOCAL = blocks(['169.254.0.0/16'], ['fe80::/10']);
// RFC 1918, carrier-grade NAT (100.64/10), benchmarking (198.18/15), unique local IPv6.
const PRIVATE = blocks(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '198.18.0.0/15'], ['fc00::/7']);

/** What kind of address an IP literal is (IPv4-mapped IPv6 as its IPv4 address). */
export function addressKind(ip: string): AddressKind {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const addr = mapped ? mapped[1] : ip;
  const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(addr, family)) return 'loopback';
  if (LINK_LOCAL.check(addr, family)) return 'link-local';
  if (PRIVATE.check(addr, family)) return 'private';
  return 'public';
}

export type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

export function privateRedirectsAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.SCOUT_ALLOW_PRIVATE_REDIRECTS ?? '');
}

export interface DestinationOptions {
  /** Follow redirects and realms anywhere (default: SCOUT_ALLOW_PRIVATE_REDIRECTS). */
  allowPrivate?: boolean;
  /** Name resolution (tests give their own). */
  lookup?: Lookup;
}

/** The check for one registry: `registryHost` is the host[:port] its API is reached at. */
export class DestinationGuard {
  private readonly allowPrivate: boolean;
  private readonly lookup: Lookup;
  private readonly resolved = new Map<string, Promise<Resolved>>();

  constructor(
    private readonly registry: string,
    private readonly registryHost: string,
    opts: DestinationOptions = {},
  ) {
    this.allowPrivate = opts.allowPrivate ?? privateRedirectsAllowed();
    this.lookup = opts.lookup ?? systemLookup;
  }

  /**
   * Throws when `url` (a redirect target or a token realm, `why` says which) leads to a kind of
   * address the registry is not at. A name that does not resolve passes: the request fails on it.
   */
  async check(url: URL, why: string): Promise<void> {
    if (this.allowPrivate || url.host === this.registryHost) return;
    const target = (await this.addresses(url.hostname)).list.find((a) => a.kind !== 'public');
    if (!target) return;
    const own = (await this.addresses(new URL(`http://${this.registryHost}`).hostname)).list;
    if (own.some((a) => a.kind === target.kind)) return;
    const at = target.ip === url.hostname.replace(/^\[|\]$/g, '') ? '' : ` (${target.ip})`;
    throw new ScoutError(
      'registry-private-address',
      `registry ${this.registry}: ${why} leads to ${url.origin}${at}, a ${target.kind} address, which the registry is not at; not followed (a registry could use this to reach the metadata service or the private network): pass --allow-private-redirects (or set SCOUT_ALLOW_PRIVATE_REDIRECTS=1) if it is yours`,
    );
  }

  /**
   * The resolver for this client's connections (undici's `connect.lookup`, Node's `lookup`
   * signature): the addresses `check` saw for the name, never a second answer.
   */
  readonly connectLookup = (hostname: string, options: LookupOptions | number, callback: ConnectLookupCallback): void => {
    const family = typeof options === 'number' ? options : options?.family;
    this.addresses(hostname).then(({ list, error }) => {
      const fitting = list.filter((a) => family !== 4 && family !== 6 ? true : isIP(a.ip) === family);
      if (!fitting.length) {
        callback(error ?? Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '');
        return;
      }
      if (typeof options === 'object' && options?.all) callback(null, fitting.map((a) => ({ address: a.ip, family: isIP(a.ip) })));
      else callback(null, fitting[0].ip, isIP(fitting[0].ip));
    }, (err: Error) => callback(err, ''));
  };

  /** A name's addresses, resolved once per client (a name that does not resolve: none, and why). */
  private addresses(hostname: string): Promise<Resolved> {
    const host = hostname.replace(/^\[|\]$/g, '');
    let r = this.resolved.get(host);
    if (!r) {
      const ips = isIP(host) ? Promise.resolve([host]) : this.lookup(host);
      r = ips.then(
        (list) => ({ list: list.map((ip) => ({ ip, kind: addressKind(ip) })) }),
        (error: Error) => ({ list: [], error }),
      );
      this.resolved.set(host, r);
    }
    return r;
  }
}

interface Resolved {
  list: { ip: string; kind: AddressKind }[];
  /** Why the name did not resolve. */
  error?: Error;
}

type ConnectLookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
