import { Readable } from 'node:stream';
import { CompiledCapture, type CaptureSpec } from '../capture.js';
import { FileTree, normalizePath } from '../filetree.js';
import type { LayerIndex, LayerRef } from '../layer-index.js';
import { LayerIndexBuilder } from './builder.js';

/** A file in a layer described in code: content, or a link, or a directory, or a deletion. */
export type MemoryEntry =
  | string
  | Buffer
  | { symlink: string }
  | { hardlink: string }
  | { dir: true }
  | { whiteout: true }
  | { opaque: true };

/**
 * Index a layer described as { path: entry } the same way a tar layer is indexed (same
 * capture rules, same analyzers). Used by tests and by the in-memory image builder.
 */
export async function indexFromMemory(
  files: Record<string, MemoryEntry>,
  spec: CaptureSpec,
  diffId = 'sha256:memory',
): Promise<LayerIndex> {
  const b = new LayerIndexBuilder(diffId, new CompiledCapture(spec), diffId);
  for (const [raw, v] of Object.entries(files)) {
    const path = normalizePath(raw);
    if (typeof v === 'string' || Buffer.isBuffer(v)) {
      const buf = Buffer.isBuffer(v) ? v : Buffer.from(v);
      await b.addFile({ path, type: 'file', size: buf.length, mode: 0o644 }, Readable.from([buf]));
    } else if ('symlink' in v) b.addEntry({ path, type: 'symlink', size: 0, mode: 0o777, linkTarget: v.symlink });
    else if ('hardlink' in v) b.addEntry({ path, type: 'hardlink', size: 0, mode: 0o644, linkTarget: normalizePath(v.hardlink) });
    else if ('dir' in v) b.addEntry({ path, type: 'dir', size: 0, mode: 0o755 });
    else if ('whiteout' in v) b.addEntry({ path, type: 'whiteout', size: 0, mode: 0 });
    else b.addEntry({ path, type: 'opaque', size: 0, mode: 0 });
  }
  return await b.finish();
}

/** A FileTree from layers described in memory; layer i gets diff_id sha256:layer<i>. */
export async function treeFromMemory(layers: Record<string, MemoryEntry>[], spec: CaptureSpec): Promise<FileTree> {
  const tree = new FileTree();
  for (let i = 0; i < layers.length; i++) {
    const diffId = `sha256:layer${i}`;
    const ref: LayerRef = { index: i, digest: diffId, diffId };
    tree.apply(ref, await indexFromMemory(layers[i], spec, diffId));
  }
  return tree;
}
