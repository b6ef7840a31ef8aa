import type { Readable } from 'node:stream';
import { ScoutError } from '../util/errors.js';
import { defaultLimits } from './limits.js';
import { hostPlatform, parseConfig, parseManifestOrIndex, pickFromIndex, sha256, verifyDigest } from './manifest.js';
import type { Descriptor, Image, ImageIndex, ImageLayer, OpenOptions, SourceKind } from './types.js';

/** Where an OCI-shaped source keeps its documents and blobs (registry, layout, archive). */
export interface BlobStore {
  /** Fetch a manifest or index by digest (bytes are verified by the caller). */
  manifest(digest: string, mediaType?: string): Promise<Buffer>;
  /** Fetch a small blob (the config) whole. */
  blob(digest: string, size: number): Promise<Buffer>;
  /** Stream a (layer) blob as stored. */
  openBlob(digest: string, size: number): Promise<Readable>;
  /** Human words for errors, e.g. "OCI layout ./img". */
  describe: string;
  /** The manifests whose subject is `digest` (OCI referrers), where the source can tell. */
  referrers?(digest: string): Promise<Descriptor[]>;
}

export interface ResolveInput {
  source: SourceKind;
  reference: string;
  /** The first document: a manifest or an index. */
  root: Buffer;
  /** Its digest, when known (verified here). */
  rootDigest?: string;
  rootMediaType?: string;
  store: BlobStore;
  opts: OpenOptions;
  registry?: string;
  repository?: string;
  tag?: string;
}

/**
 * From the first document to an Image: an index is narrowed to the requested platform (the
 * host's by default), the manifest and config are parsed and checked, and layers are tied to
 * their diff_ids. Every document's digest is verified.
 */
export async function resolveImage(input: ResolveInput): Promise<Image> {
  const { store, opts } = input;
  const limits = defaultLimits();
  if (input.root.length > limits.maxManifestBytes) throw new ScoutError('manifest-too-large', `${store.describe}: manifest is ${input.root.length} bytes, over ${limits.maxManifestBytes}`);
  if (input.rootDigest) verifyDigest(input.root, input.rootDigest, `${store.describe} manifest`);
  const rootDigest = input.rootDigest ?? sha256(input.root);
  let parsed = parseManifestOrIndex(input.root, `${store.describe} manifest ${rootDigest}`, input.rootMediaType);
  let index: ImageIndex | undefined;
  let indexDigest: string | undefined;
  let manifestDigest = rootDigest;
  if (parsed.kind === 'index') {
    index = parsed.index;
    indexDigest = rootDigest;
    const picked = pickFromIndex(index, opts.platform ?? hostPlatform(), `${store.describe} index ${rootDigest}`);
    if (picked.size > limits.maxManifestBytes) throw new ScoutError('manifest-too-large', `${store.describe}: manifest ${picked.digest} is ${picked.size} bytes`);
    const bytes = await store.manifest(picked.digest, picked.mediaType);
    verifyDigest(bytes, picked.digest, `${store.describe} manifest ${picked.digest}`);
    parsed = parseManifestOrIndex(bytes, `${store.describe} manifest ${picked.digest}`, picked.mediaType);
    if (parsed.kind === 'index') throw new ScoutError('nested-index', `${store.describe}: index ${picked.digest} points to another index; nested indexes are not supported`);
    manifestDigest = picked.digest;
  }
  const manifest = parsed.manifest;
  if (manifest.config.size > limits.maxManifestBytes) throw new ScoutError('config-too-large', `${store.describe}: config ${manifest.config.digest} is ${manifest.config.size} bytes`);
  const configBytes = await store.blob(manifest.config.digest, manifest.config.size);
  verifyDigest(configBytes, manifest.config.digest, `${store.describe} config`);
  const config = parseConfig(configBytes, `${store.describe} config ${manifest.config.digest}`);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new ScoutError('layer-count-mismatch', `${store.describe}: manifest lists ${manifest.layers.length} layers but the config has ${diffIds.length} diff_ids`);
  }
  // The layer readers are loaded when a layer is read: an image served from the caches reads none.
  const layers: ImageLayer[] = manifest.layers.map((d, i) => {
    const openBlob = async () => (await import('./foreign.js')).openBlobOrForeign(() => store.openBlob(d.digest, d.size), d, layerLabel(i, d.digest), opts);
    return {
      index: i,
      digest: d.digest,
      diffId: diffIds[i],
      mediaType: d.mediaType,
      size: d.size,
      open: async (o) => (await import('./layer/decompress.js')).openLayerStream(await openBlob(), { digest: d.digest, diffId: diffIds[i], size: d.size, label: layerLabel(i, d.digest), ...o }),
      openBlob,
    };
  });
  return {
    source: input.source,
    reference: input.reference,
    manifest,
    manifestDigest,
    index,
    indexDigest,
    config,
    configDigest: manifest.config.digest,
    layers,
    blobs: store,
    registry: input.registry,
    repository: input.repository,
    tag: input.tag,
  };
}

export function layerLabel(index: number, digest: string): string {
  return `layer ${index} (${digest.slice(0, 19)})`;
}
