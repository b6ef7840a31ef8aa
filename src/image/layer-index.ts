import type { ScanWarning } from '../util/errors.js';

/** Which layer something came from. */
export interface LayerRef {
  index: number;
  /** Compressed blob digest (the manifest's); equals diffId for uncompressed or directory layers. */
  digest: string;
  diffId: string;
}

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'whiteout' | 'opaque' | 'other';

/** One tar entry of a layer, normalised. Paths are absolute, '/'-separated, without trailing '/'. */
export interface IndexEntry {
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  /** symlink target as written (may be relative), or hardlink target as an absolute path. */
  linkTarget?: string;
}

/**
 * What one streaming pass over a layer produced. Serialisable: the cache stores it under the
 * layer's diff_id, so an image sharing this layer never reads it again.
 */
export interface LayerIndex {
  diffId: string;
  entries: IndexEntry[];
  /** Contents of the files catalogers asked for, keyed by path. */
  captured: Map<string, Buffer>;
  /** Results of file analyzers (binaries, archives), keyed by path then analyzer name. */
  analyses: Map<string, Record<string, unknown>>;
  warnings: ScanWarning[];
  /** Sum of the uncompressed regular-file sizes in the layer. */
  uncompressedSize: number;
  /** Files analyzers chose not to read, counted by `<analyzer>:<reason>` (see FileAnalyzer.tally). */
  tallies?: Record<string, number>;
  /**
   * The layer's stream failed partway (truncated, corrupt, a cap, a network error): only the
   * entries read whole before the failure are here, and a `partlyRead` warning says where it
   * stopped. Such an index is never cached.
   */
  cutShort?: true;
}
