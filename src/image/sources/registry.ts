import { defaultLimits } from '../limits.js';
import { parseReference } from '../reference.js';
import { RegistryClient, registryBaseUrl } from '../registry/client.js';
import { resolveImage, type BlobStore } from '../resolve.js';
import type { Image, ImageSource, OpenOptions } from '../types.js';

/**
 * Images pulled from a registry over the distribution API. Nothing is written to disk here:
 * layers stream from the registry when they are opened (the layer cache sits above this).
 */
export const registrySource: ImageSource = {
  kind: 'registry',
  async open(location: string, opts: OpenOptions): Promise<Image> {
    const ref = parseReference(location);
    const client = new RegistryClient({ registry: ref.registry, insecureRegistries: opts.insecureRegistries });
    const repo = ref.repository;
    // A digest pins the image; a tag beside it is only a label (Docker does the same).
    const root = await client.getManifest(repo, ref.digest ?? ref.tag ?? 'latest');
    const maxDoc = defaultLimits().maxManifestBytes;
    const progress = opts.onProgress;
    const store: BlobStore = {
      describe: `registry ${ref.registry}/${repo}`,
      manifest: async (digest) => (await client.getManifest(repo, digest)).bytes,
      blob: (digest, size) => client.getBlob(repo, digest, Math.min(size, maxDoc)),
      openBlob: async (digest, size) => {
        if (!progress) return client.openBlob(repo, digest);
        const stream = await client.openBlob(repo, digest, (n) => progress({ layer: digest, bytes: n, total: size }));
        stream.once('end', () => progress({ layer: digest, bytes: 0, total: size, done: true }));
        return stream;
      },
    };
    const image = await resolveImage({
      source: 'registry',
      reference: ref.canonical,
      root: root.bytes,
      rootDigest: root.digest,
      rootMediaType: root.mediaType,
      store,
      opts,
      registry: ref.registry,
      repository: repo,
      ...(ref.tag ? { tag: ref.tag } : {}),
    });
    // The URL actually used (plain HTTP for --insecure-registry hosts), for the metadata.
    return { ...image, registryUrl: registryBaseUrl(ref.registry, opts.insecureRegistries) };
  },
};
