import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { CompiledCapture, type CaptureSpec } from '../capture.js';
import { FileTree } from '../filetree.js';
import type { IndexEntry, LayerIndex } from '../layer-index.js';
import { LayerIndexBuilder } from './builder.js';
import { HEAD_BYTES } from './tar-parser.js';

/** Read size for the files that are kept. */
const READ_BYTES = 1024 * 1024;

/**
 * Index a host directory as one layer. Symlinks are recorded, never followed, so a link to
 * the host's /etc stays a link inside the image view. Only wanted files are read past their
 * first bytes.
 *
 * Synchronous file system calls: a directory's metadata and files are in the page cache or on
 * a local disk, where a blocking call costs microseconds and an awaited one a round trip to
 * the thread pool; a 51,000-file site-packages took 11 s awaiting each call, most of it idle.
 */
export async function indexDirectory(root: string, spec: CaptureSpec | CompiledCapture, diffId = 'sha256:directory'): Promise<LayerIndex> {
  const capture = spec instanceof CompiledCapture ? spec : new CompiledCapture(spec);
  const b = new LayerIndexBuilder(diffId, capture, `directory ${root}`);
  const walk = (rel: string): void => {
    const names = readdirSync(join(root, rel)).sort();
    for (const name of names) {
      const relPath = rel + '/' + name;
      const abs = join(root, relPath);
      const st = lstatSync(abs);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) b.addEntry({ path: relPath, type: 'symlink', size: 0, mode, linkTarget: readlinkSync(abs) });
      else if (st.isDirectory()) {
        b.addEntry({ path: relPath, type: 'dir', size: 0, mode });
        walk(relPath);
      } else if (st.isFile()) {
        const entry = { path: relPath, type: 'file' as const, size: st.size, mode };
        if (b.mightWant(relPath) && st.size > 0) addFile(b, entry, abs);
        else b.addEntry(entry);
      } else b.addEntry({ path: relPath, type: 'other', size: 0, mode });
    }
  };
  walk('');
  return await b.finish();
}

/**
 * A file something might want: its first bytes decide, and only a kept file is read on. One
 * that cannot be read (permissions, gone, grown while read) is a warning naming it.
 */
function addFile(b: LayerIndexBuilder, entry: IndexEntry, abs: string): void {
  let fd: number | undefined;
  let listed = false;
  try {
    fd = openSync(abs, 'r');
    const head = Buffer.allocUnsafe(Math.min(entry.size, HEAD_BYTES));
    const got = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    const sink = b.fileSink(entry, got);
    listed = true;
    if (!sink) return;
    sink.write(got);
    for (let pos = got.length; pos < entry.size; ) {
      const buf = Buffer.allocUnsafe(Math.min(READ_BYTES, entry.size - pos));
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      sink.write(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
    }
    sink.end();
  } catch (err) {
    if (!listed) b.addEntry(entry);
    b.warn('file-unreadable', `${entry.path}: cannot be read (${(err as Error).message}); left out`, entry.path);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A FileTree of one host directory (a single layer). */
export async function treeFromDirectory(root: string, spec: CaptureSpec): Promise<FileTree> {
  const diffId = 'sha256:directory';
  return FileTree.fromLayers([{ ref: { index: 0, digest: diffId, diffId }, index: await indexDirectory(root, spec, diffId) }]);
}
