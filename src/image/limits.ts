/**
 * Caps that keep hostile images from exhausting memory or disk. Each can be raised through an
 * environment variable for the rare honest image that needs it.
 */
export interface Limits {
  /** Largest uncompressed size of one layer. */
  maxLayerBytes: number;
  /** Largest ratio of uncompressed to compressed bytes, checked once past ratioGraceBytes. */
  maxCompressionRatio: number;
  ratioGraceBytes: number;
  /** Most tar entries in one layer. */
  maxEntries: number;
  /** Largest manifest, index or config document. */
  maxManifestBytes: number;
}

/** A positive number from the environment, or `fallback` when unset or not one. */
export function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (!v) return fallback;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function defaultLimits(): Limits {
  return {
    maxLayerBytes: envNumber('SCOUT_MAX_LAYER_BYTES', 32 * 1024 ** 3),
    maxCompressionRatio: envNumber('SCOUT_MAX_COMPRESSION_RATIO', 250),
    ratioGraceBytes: envNumber('SCOUT_RATIO_GRACE_BYTES', 64 * 1024 ** 2),
    maxEntries: envNumber('SCOUT_MAX_LAYER_ENTRIES', 2_000_000),
    maxManifestBytes: envNumber('SCOUT_MAX_MANIFEST_BYTES', 4 * 1024 ** 2),
  };
}

/**
 * Read size for layer blobs on disk. Each chunk travels through the digest check and into
 * zlib's thread; Node's 64 KiB default made a 30 MB layer cost ~460 such round trips.
 */
export const BLOB_READ_BYTES = 1024 * 1024;

/** Size of the decompressed chunks a layer's tar pass receives (fewer, larger hand-overs). */
export const INFLATE_CHUNK_BYTES = 1024 * 1024;
