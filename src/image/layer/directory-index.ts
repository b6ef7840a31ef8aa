import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CompiledCapture, type CaptureSpec } from '../capture.js';
import { FileTree } from '../filetree.js';
import type { LayerIndex } from '../layer-index.js';
import { LayerIndexBuilder } from './builder.js';

/**
 * Index a host directory as one layer. Symlinks are recorded, never followed, so a link to
 * the host's /etc stays a link inside the image view. Only wanted files are opened.
 */
export async function indexDirectory(root: string, spec: CaptureSpec | CompiledCapture, diffId = 'sha256:directory'): Promise<LayerIndex> {
  const capture = spec instanceof CompiledCapture ? spec : new CompiledCapture(spec);
  const b = new LayerIndexBuilder(diffId, capture, `directory ${root}`);
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const relPath = rel + '/' + name;
      const abs = join(root, relPath);
      const st = await lstat(abs);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) b.addEntry({ path: relPath, type: 'symlink', size: 0, mode, linkTarget: await readlink(abs) });
      else if (st.isDirectory()) {
        b.addEntry({ path: relPath, type: 'dir', size: 0, mode });
        await walk(relPath);
      } else if (st.isFile()) {
        const entry = { path: relPath, type: 'file' as const, size: st.size, mode };
        if (b.mightWant(relPath) && st.size > 0) await b.addFile(entry, createReadStream(abs));
        else b.addEntry(entry);
      } else b.addEntry({ path: relPath, type: 'other', size: 0, mode });
    }
  };
  await walk('');
  return await b.finish();
}

/** A FileTree of one host directory (a single layer). */
export async function treeFromDirectory(root: string, spec: CaptureSpec): Promise<FileTree> {
  const diffId = 'sha256:directory';
  return FileTree.fromLayers([{ ref: { index: 0, digest: diffId, diffId }, index: await indexDirectory(root, spec, diffId) }]);
}
