import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { CompiledCapture, type CaptureSpec } from '../capture.js';
import { FileTree } from '../filetree.js';
import type { IndexEntry, LayerIndex } from '../layer-index.js';
import { LayerIndexBuilder } from './builder.js';
import type { ImageBudget } from '../image-budget.js';
import { HEAD_BYTES } from './tar-parser.js';

/** Read size for the files that are kept. */
const READ_BYTES = 1024 * 1024;

/**
 * Kernel file systems a host root has mounted (statfs magic numbers): proc, sysfs, devpts,
 * cgroup, cgroup2, debugfs, securityfs, tracefs, bpf, mqueue, pstore, configfs, fusectl,
 * hugetlbfs, binfmt_misc. They hold no packages, and reading them fails or never ends
 * (`/proc/1/cwd` is EACCES even for root in a container): `fs:///` skips them, as Syft does.
 */
const PSEUDO_FS = new Set([0x9fa0, 0x62656572, 0x1cd1, 0x27e0eb, 0x63677270, 0x64626720, 0x73636673, 0x74726163, 0xcafe4a11, 0x19800202, 0x6165676c, 0x62656570, 0x65735543, 0x958458f6, 0x42494e4d]);

function pseudoFileSystem(abs: string): boolean {
  try {
    return PSEUDO_FS.has(Number(statfsSync(abs).type));
  } catch {
    return false;
  }
}

/** Entries walked between two turns of the event loop (a turn costs microseconds). */
const YIELD_EVERY = 500;

/**
 * Index a host directory as one layer. Symlinks are recorded, never followed, so a link to
 * the host's /etc stays a link inside the image view. Only wanted files are read past their
 * first bytes.
 *
 * Synchronous file system calls: a directory's metadata and files are in the page cache or on
 * a local disk, where a blocking call costs microseconds and an awaited one a round trip to
 * the thread pool; a 51,000-file site-packages took 11 s awaiting each call, most of it idle.
 * The walk still lets the event loop run every YIELD_EVERY entries, so the progress line's
 * timer can draw during a host root's minute-long walk instead of only after it.
 */
export async function indexDirectory(root: string, spec: CaptureSpec | CompiledCapture, diffId = 'sha256:directory', budget?: ImageBudget): Promise<LayerIndex> {
  const capture = spec instanceof CompiledCapture ? spec : new CompiledCapture(spec);
  const b = new LayerIndexBuilder(diffId, capture, `directory ${root}`, undefined, budget);
  // A directory or entry that cannot be read (permissions, removed while walked) is a warning
  // naming it, not the end of the scan: a live host root always has a few.
  const unreadable = (relPath: string, err: unknown) => b.warn('file-unreadable', `${relPath || '/'}: cannot be read (${(err as Error).message}); left out`, relPath || '/');
  let sinceYield = 0;
  const walk = async (rel: string, dev: number): Promise<void> => {
    let names: string[];
    try {
      names = readdirSync(join(root, rel)).sort();
    } catch (err) {
      unreadable(rel, err);
      return;
    }
    for (const name of names) {
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const relPath = rel + '/' + name;
      const abs = join(root, relPath);
      let st: ReturnType<typeof lstatSync>;
      let linkTarget = '';
      try {
        st = lstatSync(abs);
        if (st.isSymbolicLink()) linkTarget = readlinkSync(abs);
      } catch (err) {
        unreadable(relPath, err);
        continue;
      }
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) b.addEntry({ path: relPath, type: 'symlink', size: 0, mode, linkTarget });
      else if (st.isDirectory()) {
        // Only a mount point (another device) can be a kernel file system: statfs is asked there alone.
        if (st.dev !== dev && pseudoFileSystem(abs)) continue;
        b.addEntry({ path: relPath, type: 'dir', size: 0, mode });
        await walk(relPath, st.dev);
      } else if (st.isFile()) {
        const entry = { path: relPath, type: 'file' as const, size: st.size, mode };
        if (b.mightWant(relPath) && st.size > 0) addFile(b, entry, abs);
        else b.addEntry(entry);
      } else b.addEntry({ path: relPath, type: 'other', size: 0, mode });
    }
  };
  await walk('', lstatSync(root).dev);
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
