/**
 * What `scout watch` reads from a registry, through the one registry client (its auth, TLS,
 * redirect and DNS-pinning rules): the repositories (the catalog, or the ones named), their
 * tags, the digest each tag points at, and which image manifest an analysis of that digest
 * stores (for an index, the platform's, picked as `scout push` picks it).
 */
import { RegistryClient } from '../image/registry/client.js';
import { isRepositoryName, type Listing } from '../image/registry/listing.js';
import { hostPlatform, MediaTypes, parseManifestOrIndex, pickFromIndex } from '../image/manifest.js';
import type { Platform } from '../image/types.js';
import type { TransferPace } from '../image/registry/pace.js';
import { ScoutError } from '../util/errors.js';

export interface RegistryViewOptions {
  /** host[:port], as image references name it. */
  registry: string;
  insecureRegistries: string[];
  platform?: Platform;
  pace?: TransferPace;
  allowPrivateRedirects?: boolean;
  /** Names per catalog or tag-list page (default 100). */
  pageSize?: number;
}

/** What analysing a digest would store: an image manifest's digest, or why there is nothing to analyse. */
export type ImageTarget = { kind: 'image'; manifestDigest: string } | { kind: 'not-an-image'; why: string };

const IMAGE_CONFIGS = new Set<string>([MediaTypes.ociConfig, MediaTypes.dockerConfig]);

/**
 * Tags that hold no image of their own: the OCI referrers tag schema (`sha256-<hex>`) and
 * cosign's signatures, attestations and SBOMs beside it (`sha256-<hex>.sig`, `.att`, `.sbom`).
 */
export function isReferrerTag(tag: string): boolean {
  return /^sha(256|512)-[a-f0-9]{64,128}(\.[\w-]+)?$/.test(tag);
}

/**
 * `--registry`: `host[:port]`, or a URL. `http://` means plain HTTP (as --insecure-registry
 * says for a host), `https://` or no scheme HTTPS (plain HTTP for loopback, as everywhere).
 */
export function parseRegistryUrl(s: string): { registry: string; insecure: boolean } {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'http' && scheme !== 'https') throw new ScoutError('bad-option', `--registry ${s}: only http:// and https:// registries can be watched`);
  let u: URL;
  try {
    u = new URL(scheme ? s : `https://${s}`);
  } catch {
    throw new ScoutError('bad-option', `--registry "${s}" is not a registry address (host[:port] or a URL)`);
  }
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || u.username || u.password) {
    throw new ScoutError('bad-option', `--registry ${s}: give the registry's address only (host[:port]); name repositories with --repository, credentials come from SCOUT_REGISTRY_USER/PASSWORD or docker login`);
  }
  return { registry: u.host, insecure: scheme === 'http' };
}

/** `--repository` names must be repository names: they go into the registry's URLs. */
export function checkRepositoryNames(named: readonly string[]): void {
  for (const r of named) if (!isRepositoryName(r)) throw new ScoutError('bad-option', `--repository "${r}" is not a repository name (lowercase path components such as team/app)`);
}

export class RegistryView {
  readonly registry: string;
  private readonly client: RegistryClient;
  private readonly platform: Platform;
  private readonly pageSize: number;
  /** Index digest → the platform's manifest in it: content-addressed, so it holds for the life of the process. */
  private readonly picked = new Map<string, string>();

  constructor(opts: RegistryViewOptions) {
    this.registry = opts.registry;
    this.client = new RegistryClient({ registry: opts.registry, insecureRegistries: opts.insecureRegistries, ...(opts.pace ? { pace: opts.pace } : {}), ...(opts.allowPrivateRedirects ? { allowPrivateRedirects: true } : {}) });
    this.platform = opts.platform ?? hostPlatform();
    this.pageSize = opts.pageSize ?? 100;
  }

  /** The repositories named (checked against the distribution grammar), else the registry's catalog. */
  async repositories(named: readonly string[]): Promise<Listing> {
    if (!named.length) return this.client.catalog(this.pageSize);
    checkRepositoryNames(named);
    return { names: [...new Set(named)], rejectedCount: 0, rejected: [] };
  }

  tags(repository: string): Promise<Listing> {
    return this.client.listTags(repository, this.pageSize);
  }

  /** The digest a tag points at now: the registry's Docker-Content-Digest, else the manifest's own. */
  async tagDigest(repository: string, tag: string): Promise<string> {
    const head = await this.client.headManifest(repository, tag);
    if (head.digest && /^sha256:[a-f0-9]{64}$/.test(head.digest)) return head.digest;
    return (await this.client.getManifest(repository, tag)).digest;
  }

  /** What an analysis of `digest` stores (see ImageTarget). A platform the index lacks is an error naming those it has. */
  async target(repository: string, digest: string): Promise<ImageTarget> {
    const known = this.picked.get(digest);
    if (known) return { kind: 'image', manifestDigest: known };
    const m = await this.client.getManifest(repository, digest);
    const what = `${this.registry}/${repository}@${digest}`;
    const parsed = parseManifestOrIndex(m.bytes, what, m.mediaType);
    if (parsed.kind === 'index') {
      const chosen = pickFromIndex(parsed.index, this.platform, `${what} (index)`);
      this.picked.set(digest, chosen.digest);
      return { kind: 'image', manifestDigest: chosen.digest };
    }
    const doc = parsed.manifest as { artifactType?: unknown; subject?: unknown; config: { mediaType: string } };
    if (typeof doc.artifactType === 'string') return { kind: 'not-an-image', why: `an artifact (${doc.artifactType.slice(0, 100)}), not a container image` };
    if (doc.subject) return { kind: 'not-an-image', why: 'a manifest about another one (a signature, attestation or SBOM), not a container image' };
    if (doc.config.mediaType && !IMAGE_CONFIGS.has(doc.config.mediaType)) return { kind: 'not-an-image', why: `not a container image (its config is ${JSON.stringify(doc.config.mediaType.slice(0, 100))})` };
    return { kind: 'image', manifestDigest: digest };
  }
}
