import { ScoutError, type ScanWarning } from '../../util/errors.js';
import { defaultLimits } from '../limits.js';
import { parseReference } from '../reference.js';
import { RegistryClient, registryBaseUrl, type RetryPolicy } from '../registry/client.js';
import { credentialsFor } from '../registry/credentials.js';
import { mirrorsFor, type RegistryMirror } from '../registry/mirrors.js';
import { resolveImage, type BlobStore } from '../resolve.js';
import type { Image, ImageSource, OpenOptions } from '../types.js';

/** One place to pull from: a mirror, or the registry itself (no `mirror`). */
interface Host {
  client: RegistryClient;
  repository: string;
  mirror?: RegistryMirror;
}

/**
 * A mirror that does not answer is passed over quickly for the next host: one retry, not the
 * registry's four with back-off.
 */
const MIRROR_RETRY: Partial<RetryPolicy> = { tries: 2, baseDelayMs: 100, maxDelayMs: 500 };

function withoutEnvCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { SCOUT_REGISTRY_USER: _user, SCOUT_REGISTRY_PASSWORD: _password, ...rest } = env;
  return rest;
}

/** Failures after which the next host is tried; anything else (a bad digest, a hostile answer) stops. */
const TRY_NEXT = new Set(['manifest-unknown', 'blob-unknown', 'registry-unreachable', 'registry-error', 'registry-tls', 'registry-timeout', 'registry-unauthorized', 'registry-denied', 'registry-bad-response']);

/**
 * `attempt` on each host in turn until one succeeds. Mirrors that fail are noted (`failed`);
 * the last host's error is thrown, naming the mirrors that failed before it.
 */
async function firstAnswer<T>(hosts: Host[], attempt: (h: Host) => Promise<T>, failed: (h: Host, err: ScoutError) => void): Promise<{ value: T; host: Host }> {
  const tried: string[] = [];
  for (let i = 0; ; i++) {
    const h = hosts[i];
    try {
      return { value: await attempt(h), host: h };
    } catch (err) {
      const last = i === hosts.length - 1;
      if (!(err instanceof ScoutError) || !TRY_NEXT.has(err.code) || last) {
        if (err instanceof ScoutError && tried.length) throw new ScoutError(err.code, `${err.message} (mirrors tried first: ${tried.join('; ')})`, { layer: err.layer, path: err.path, cause: err });
        throw err;
      }
      if (h.mirror) tried.push(`${h.mirror.url}: ${err.code}`);
      failed(h, err);
    }
  }
}

/**
 * Images pulled from a registry over the distribution API, through its configured mirrors
 * first (see registry/mirrors.ts). Nothing is written to disk here: layers stream from the
 * registry when they are opened (the layer cache sits above this).
 */
export const registrySource: ImageSource = {
  kind: 'registry',
  async open(location: string, opts: OpenOptions): Promise<Image> {
    const ref = parseReference(location);
    const shared = { ...(opts.transferPace ? { pace: opts.transferPace } : {}), ...(opts.allowPrivateRedirects ? { allowPrivateRedirects: true } : {}) };
    const upstream: Host = { client: new RegistryClient({ registry: ref.registry, insecureRegistries: opts.insecureRegistries, ...shared }), repository: ref.repository };
    const mirrors: Host[] = mirrorsFor(ref.registry, opts.registryMirrors).map((m) => ({
      // SCOUT_REGISTRY_USER/PASSWORD are for the image's registry: a mirror is another party and
      // gets only what Docker's config holds for its own host.
      client: new RegistryClient({ registry: m.host, insecureRegistries: m.insecure ? [m.host] : [], retry: MIRROR_RETRY, ...shared, credentials: () => credentialsFor(m.host, { env: withoutEnvCredentials(process.env) }) }),
      repository: `${m.prefix}${ref.repository}`,
      mirror: m,
    }));
    const warnings: ScanWarning[] = [];
    const warned = new Set<string>();
    // A mirror without the image is normal (a pull-through cache not filled yet, a private
    // image): only a mirror that cannot be used at all is worth a warning, once.
    const failed = (h: Host, err: ScoutError) => {
      if (h.mirror && err.code !== 'manifest-unknown' && err.code !== 'blob-unknown' && !warned.has(h.mirror.url)) {
        warned.add(h.mirror.url);
        warnings.push({ code: 'mirror-failed', message: `registry mirror ${h.mirror.url} failed (${err.message}); used the next host` });
      }
    };
    // A digest pins the image; a tag beside it is only a label (Docker does the same).
    const wanted = ref.digest ?? ref.tag ?? 'latest';
    const root = await firstAnswer([...mirrors, upstream], (h) => h.client.getManifest(h.repository, wanted), failed);
    // Everything else from the host that had the manifest, then the others.
    const order = [root.host, ...[...mirrors, upstream].filter((h) => h !== root.host)];
    const maxDoc = defaultLimits().maxManifestBytes;
    const progress = opts.onProgress;
    const store: BlobStore = {
      describe: `registry ${ref.registry}/${ref.repository}`,
      manifest: async (digest) => (await firstAnswer(order, (h) => h.client.getManifest(h.repository, digest), failed)).value.bytes,
      blob: async (digest, size) => (await firstAnswer(order, (h) => h.client.getBlob(h.repository, digest, Math.min(size, maxDoc)), failed)).value,
      openBlob: async (digest, size) => {
        const onBytes = progress ? (n: number) => progress({ layer: digest, bytes: n, total: size }) : undefined;
        const { value: stream } = await firstAnswer(order, (h) => h.client.openBlob(h.repository, digest, onBytes), failed);
        if (progress) stream.once('end', () => progress({ layer: digest, bytes: 0, total: size, done: true }));
        return stream;
      },
      referrers: async (digest) => (await firstAnswer(order, (h) => h.client.referrers(h.repository, digest), failed)).value,
    };
    const image = await resolveImage({
      source: 'registry',
      reference: ref.canonical,
      root: root.value.bytes,
      rootDigest: root.value.digest,
      rootMediaType: root.value.mediaType,
      store,
      opts,
      registry: ref.registry,
      repository: ref.repository,
      ...(ref.tag ? { tag: ref.tag } : {}),
    });
    return {
      ...image,
      // The registry's URL (plain HTTP for --insecure-registry hosts): the image's home, also
      // when a mirror served it.
      registryUrl: registryBaseUrl(ref.registry, opts.insecureRegistries),
      ...(root.host.mirror ? { mirror: root.host.mirror.url } : {}),
      // Warnings of later blob fetches land here too: the array is shared with the scan.
      warnings,
    };
  },
};
