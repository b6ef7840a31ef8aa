import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { ScoutError } from '../../util/errors.js';
import type { CompiledCapture } from '../capture.js';
import type { EntryType, LayerIndex } from '../layer-index.js';
import { defaultLimits, type Limits } from '../limits.js';
import type { AnalyzerThread } from './analyzer-thread.js';
import { LayerIndexBuilder } from './builder.js';
import type { ImageBudget } from '../image-budget.js';
import { wrapStreamError } from './decompress.js';
import { parseTar } from './tar-parser.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** A name that needs the general case: '..' or '.' segments, doubled or back slashes, a trailing '/'. */
const IRREGULAR_NAME = /(^|\/)\.\.?(\/|$)|\/\/|\\|\/$/;

/**
 * Confine a tar member name to the image root. Returns the normalised absolute path, or
 * undefined when the name climbs out of the root with '..' (such entries are hostile).
 */
export function confineTarPath(name: string): { path?: string; absolute: boolean } {
  const absolute = name.startsWith('/');
  // Layers list tens of thousands of names like 'usr/lib/x' or './usr/lib/x': keep those cheap.
  const plain = name.startsWith('./') ? name.slice(2) : name;
  if (plain !== '' && !IRREGULAR_NAME.test(plain)) return { path: absolute ? plain : '/' + plain, absolute };
  const parts: string[] = [];
  for (const part of name.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return { absolute };
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return { path: '/' + parts.join('/'), absolute };
}

/**
 * One streaming pass over an uncompressed layer tar: every entry is listed, whiteouts are
 * recognised, wanted files captured and analyzed, everything else drained. Nothing is written
 * to disk. Hostile member names are skipped with a warning naming the layer and the path.
 */
/** Warnings about single tar members named per layer before the rest are only counted. */
const NAMED_PER_KIND = 100;
const REPEATED: Record<string, string> = {
  'path-escape': "climbing out of the image root with '..', skipped",
  'absolute-path': 'with absolute paths, read inside the image root',
  'link-escape': 'hard links pointing out of the image root, skipped',
};

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
  try {
    await parseTar(tar, (h, head) => {
      if (++count > limits.maxEntries) {
        throw new ScoutError('too-many-entries', `${label}: more than ${limits.maxEntries} entries (SCOUT_MAX_LAYER_ENTRIES)`, { layer: label });
      }
      const { path, absolute } = confineTarPath(h.name);
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
  } catch (err) {
    tar.destroy();
    if (err instanceof ScoutError) {
      if (err.layer) throw err;
      throw new ScoutError(err.code, `${label}: ${err.message}`, { layer: label, path: err.path, cause: err });
    }
    throw wrapStreamError(err as Error, label);
  } finally {
    for (const [code, n] of seen) {
      if (n > NAMED_PER_KIND) b.warn(code, `${label}: ${n - NAMED_PER_KIND} more entries like those above (${REPEATED[code] ?? code}), ${n} in all; only the first ${NAMED_PER_KIND} are named`);
    }
  }
  return await b.finish();
}
