import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { ScoutError } from '../../util/errors.js';
import type { CompiledCapture } from '../capture.js';
import type { EntryType, LayerIndex } from '../layer-index.js';
import { defaultLimits, type Limits } from '../limits.js';
import type { AnalyzerThread } from './analyzer-thread.js';
import { LayerIndexBuilder } from './builder.js';
import type { ImageBudget } from '../image-budget.js';
import { blobCheck, wrapStreamError } from './decompress.js';
import { TarParser } from './tar-parser.js';
import { confineTarPath } from './tar-path.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';


/** Warnings about single tar members named per layer before the rest are only counted. */
const NAMED_PER_KIND = 100;
const REPEATED: Record<string, string> = {
  'path-escape': "climbing out of the image root with '..', skipped",
  'absolute-path': 'with absolute paths, read inside the image root',
  'link-escape': 'hard links pointing out of the image root, skipped',
};

/**
 * One streaming pass over an uncompressed layer tar: every entry is listed, whiteouts are
 * recognised, wanted files captured and analyzed, everything else drained. Nothing is written
 * to disk. Hostile member names are skipped with a warning naming the layer and the path.
 */
export async function indexTarStream(
  tar: Readable,
  diffId: string,
  capture: CompiledCapture,
  label: string,
  limits: Limits = defaultLimits(),
  /** Where big files' analyses may run while the pass goes on. */
  thread?: AnalyzerThread,
  /** The scan's allowance for kept file contents and nested archives, shared by its layers. */
  budget?: ImageBudget,
  /**
   * When the stream fails partway, keep the entries read whole before the failure, flagged as
   * partly read (the layer still counts as failed, so no gate passes on it, and it is never
   * cached); otherwise throw. Only for a stream opened with `verifyAfterFailure` (see
   * blobCheck), and only once the rest of its blob has passed the digest check: then what was
   * read is the start of the blob the manifest pins. A blob that fails its digest (a mirror or
   * an attacker substituted it) or never arrives whole (a cut download cannot be told from a
   * substitute) vouches for nothing it delivered: the layer is left out whole, so no one else's
   * package list gets into the SBOM under this image's name.
   */
  keepPartial = false,
): Promise<LayerIndex> {
  const b = new LayerIndexBuilder(diffId, capture, label, thread, budget);
  // A hostile layer can hold hundreds of thousands of such members: each kind is named up to
  // NAMED_PER_KIND times, then counted in one closing warning.
  const seen = new Map<string, number>();
  const perEntry = (code: string, message: string, path: string) => {
    const n = (seen.get(code) ?? 0) + 1;
    seen.set(code, n);
    if (n <= NAMED_PER_KIND) b.warn(code, message, path);
  };
  let count = 0;
  // Where the member being read starts in the listing, and its path: a stream that fails in
  // its body drops it (see keepPartial).
  let current = { from: 0, path: '' };
  const parser = new TarParser((h, head) => {
    if (++count > limits.maxEntries) {
      throw new ScoutError('too-many-entries', `${label}: more than ${limits.maxEntries} entries (SCOUT_MAX_LAYER_ENTRIES)`, { layer: label });
    }
    const { path, absolute } = confineTarPath(h.name);
    current = { from: b.entryCount, path: path ?? h.name };
    if (path === undefined) {
      perEntry('path-escape', `${label}: entry "${h.name}" climbs out of the image root with '..'; skipped`, h.name);
      return undefined;
    }
    if (absolute) perEntry('absolute-path', `${label}: entry "${h.name}" has an absolute path; read as ${path} inside the image root`, path);
    const slash = path.lastIndexOf('/');
    const mode = h.mode;
    // Whiteouts are rare: look at the base name only when it starts with '.wh.'.
    if (path.startsWith(WHITEOUT, slash + 1)) {
      const dir = slash === 0 ? '/' : path.slice(0, slash);
      const base = path.slice(slash + 1);
      if (base === OPAQUE) b.addEntry({ path: dir, type: 'opaque', size: 0, mode });
      else b.addEntry({ path: posix.join(dir, base.slice(WHITEOUT.length)), type: 'whiteout', size: 0, mode });
      return undefined;
    }
    if (h.type === '0' || h.type === '7') return b.fileSink({ path, type: 'file', size: h.size, mode }, head);
    if (h.type === '1') {
      const target = confineTarPath(h.linkname);
      if (target.path === undefined) perEntry('link-escape', `${label}: hard link "${h.name}" points out of the image root ("${h.linkname}"); skipped`, path);
      else b.addEntry({ path, type: 'hardlink', size: 0, mode, linkTarget: target.path });
      return undefined;
    }
    const type: EntryType = h.type === '5' ? 'dir' : h.type === '2' ? 'symlink' : 'other';
    b.addEntry({ path, type, size: 0, mode, linkTarget: type === 'symlink' ? h.linkname : undefined });
    return undefined;
  });
  try {
    // The source is read to its end even after the end-of-archive block, so digest checks on it run.
    for await (const chunk of tar as AsyncIterable<Buffer>) if (!parser.done) parser.push(chunk);
    parser.end();
  } catch (caught) {
    const check = blobCheck(tar);
    tar.destroy();
    const err = caught instanceof ScoutError ? (caught.layer ? caught : new ScoutError(caught.code, `${label}: ${caught.message}`, { layer: label, path: caught.path, cause: caught })) : wrapStreamError(caught as Error, label);
    // The member whose body was cut off is not kept: its listing would claim a file whose bytes never came.
    const cut = parser.inBody;
    if (keepPartial && cut) b.dropFrom(current.from);
    // Nothing read whole (or nothing to keep): the layer could not be read.
    if (!keepPartial || !check || err.code === 'digest-mismatch' || b.entryCount === 0) {
      check?.abort();
      throw err;
    }
    // Kept only when the whole blob checks out: then what was read is the layer's own.
    await check.done.catch(() => {
      throw err;
    });
    b.streamFailed(err, cut ? current.path : `the member after ${current.path}`);
  } finally {
    for (const [code, n] of seen) {
      if (n > NAMED_PER_KIND) b.warn(code, `${label}: ${n - NAMED_PER_KIND} more entries like those above (${REPEATED[code] ?? code}), ${n} in all; only the first ${NAMED_PER_KIND} are named`);
    }
  }
  return await b.finish();
}
