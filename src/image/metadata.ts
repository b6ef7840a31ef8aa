import type { Platform, SourceKind } from './types.js';

export interface LayerMetadata {
  index: number;
  /** Compressed blob digest from the manifest. */
  digest: string;
  diffId: string;
  mediaType: string;
  /** Compressed size. */
  size: number;
  /** Uncompressed size of its regular files, when the layer was read. */
  uncompressedSize?: number;
  /** The history entry that created this layer. */
  createdBy?: string;
  created?: string;
  comment?: string;
}

export interface HistoryMetadata {
  created?: string;
  createdBy?: string;
  comment?: string;
  emptyLayer: boolean;
  /** Index of the layer this entry made, absent for empty layers. */
  layerIndex?: number;
}

export type RegistryType = 'dockerhub' | 'ghcr' | 'ecr' | 'gcr' | 'artifact-registry' | 'acr' | 'quay' | 'gitlab' | 'harbor' | 'local' | 'other';

/**
 * Exactly what `scout image inspect` reports and the platform stores: the image metadata our
 * data-handling page lists (creation time, digests, ports, env, labels, layer order, arch,
 * OS type and version, registry URL and type), plus run settings and sizes.
 */
export interface ImageMetadata {
  reference: string;
  source: SourceKind;
  created?: string;
  /** Manifest digest. */
  digest: string;
  /** Digest of the index/manifest list, when the image was picked from one. */
  indexDigest?: string;
  configDigest: string;
  platform: Platform;
  os: { type: string; name?: string; version?: string; prettyName?: string; osVersion?: string };
  exposedPorts: string[];
  env: { name: string; value: string }[];
  labels: Record<string, string>;
  user?: string;
  workingDir?: string;
  entrypoint?: string[];
  cmd?: string[];
  layers: LayerMetadata[];
  history: HistoryMetadata[];
  /** `mirror`: the configured registry mirror that served the image, when one did. */
  registry?: { host: string; url: string; type: RegistryType; repository?: string; tag?: string; mirror?: string };
  size: { compressed: number; uncompressed?: number };
}
