import type { Readable } from 'node:stream';
import type { ImageBudget } from './image-budget.js';
import type { CompiledCapture } from './capture.js';
import type { LayerIndex } from './layer-index.js';

/** os/architecture[/variant], as OCI image configs and indexes spell them. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export type SourceKind = 'registry' | 'docker-archive' | 'oci-archive' | 'oci-layout' | 'directory' | 'docker-engine';

/** One layer of an image, in manifest order (index 0 is the base). */
export interface ImageLayer {
  index: number;
  /** Digest of the blob as stored (compressed), from the manifest. */
  digest: string;
  /** Digest of the uncompressed tar, from the config's rootfs.diff_ids. */
  diffId: string;
  mediaType: string;
  /** Compressed size in bytes, from the manifest. */
  size: number;
  /**
   * The uncompressed tar as a stream. The stream verifies the blob digest and the diff_id
   * while it flows and fails with a ScoutError at the end if either does not match, so a
   * consumer must treat everything it read as void when the stream errors, unless it asked
   * for `verifyAfterFailure` and the blob's check (layer/decompress.ts blobCheck) passed.
   */
  open(opts?: { verifyAfterFailure?: boolean }): Promise<Readable>;
  /**
   * The blob as stored (compressed, unverified), for readers that decompress and verify
   * elsewhere (a worker thread); they must apply the same checks as open().
   */
  openBlob?(): Promise<Readable>;
  /**
   * For layers that are not tar blobs (a plain directory): index directly, opening only the
   * files the capture wants. Such layers are never cached (their content has no digest).
   */
  indexWith?(capture: CompiledCapture, budget?: ImageBudget): Promise<LayerIndex>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The parts of the OCI image config we read (docker's config is the same shape). */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, unknown>;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
  };
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

export interface Descriptor {
  mediaType: string;
  /** The kind of artifact a referrer is (OCI 1.1), e.g. application/vnd.dev.sigstore.bundle.v0.3+json. */
  artifactType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform & { 'os.version'?: string; 'os.features'?: string[] };
  urls?: string[];
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** An image as any source yields it: what it is, where it came from, and its layers. */
export interface Image {
  source: SourceKind;
  /** The reference the user gave, normalised (e.g. docker.io/library/alpine:3.19). */
  reference: string;
  manifest: ImageManifest;
  manifestDigest: string;
  /** The index/manifest list the image was picked from, when there was one. */
  index?: ImageIndex;
  indexDigest?: string;
  config: ImageConfig;
  configDigest: string;
  layers: ImageLayer[];
  /**
   * Where the image's documents came from, for reading what sits beside it: the attestation
   * manifests of its index and its OCI referrers (src/attest). Absent for a plain directory.
   */
  blobs?: import('./resolve.js').BlobStore;
  /** Registry host (docker.io for Docker Hub) when the image came from, or names, a registry. */
  registry?: string;
  /** The registry's base URL as reached, when the image was pulled from one. */
  registryUrl?: string;
  /** Repository path within the registry (library/alpine), when known. */
  repository?: string;
  tag?: string;
  /** The registry mirror the image was pulled through (its configured URL), when one served it. */
  mirror?: string;
  /** Problems met while opening the image that did not stop it (a registry mirror that failed). */
  warnings?: import('../util/errors.js').ScanWarning[];
}

export interface OpenOptions {
  platform?: Platform;
  /** For archives holding several images: which one (a repo:tag or a digest). */
  pick?: string;
  insecureRegistries?: string[];
  /** Fetch foreign layers a source does not hold from the URLs their descriptors list (foreign.ts). */
  allowForeignLayers?: boolean;
  /** Follow registry redirects and token realms to private, loopback or link-local addresses (registry/destinations.ts). */
  allowPrivateRedirects?: boolean;
  /** REGISTRY=URL entries naming registry mirrors, tried before SCOUT_REGISTRY_MIRRORS' (registry/mirrors.ts). */
  registryMirrors?: string[];
  /** How slow a registry blob may come before its layer fails (default: registry/pace.ts defaultPace). */
  transferPace?: import('./registry/pace.js').TransferPace;
  /** false: remember nothing between runs (the digests of an archive's layers, file-digests.ts), as --no-cache. */
  cache?: false;
  /** One line for the user about where an image was read from (`image://`: the local engine or the registry). */
  onNotice?: (message: string) => void;
  /** Called as bytes are fetched, for progress bars. */
  onProgress?: (event: { layer?: string; bytes: number; total?: number; done?: boolean }) => void;
}

/** One kind of place images come from. One implementation per file under src/image/sources/. */
export interface ImageSource {
  kind: SourceKind;
  open(location: string, opts: OpenOptions): Promise<Image>;
}
