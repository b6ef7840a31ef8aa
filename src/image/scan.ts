import { accessSync, constants, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { Warnings, type ScanWarning } from '../util/errors.js';
import { LayerCache } from './cache.js';
import { ImageBudget, imageBudgetLimits, type ImageBudgetLimits } from './image-budget.js';
import { scanIncomplete } from './incomplete.js';
import { CompiledCapture, type CaptureSpec } from './capture.js';
import { FileTree } from './filetree.js';
import type { LayerIndex, LayerRef } from './layer-index.js';
import { indexTarStream } from './layer/tar-index.js';
import { AnalyzerThread } from './layer/analyzer-thread.js';
import { LayerWorkerPool } from './layer/worker-pool.js';
import type { CaptureRef } from './layer/worker-protocol.js';
import { layerLabel } from './resolve.js';
import { captureLinkTargets } from './link-targets.js';
import type { Image, ImageLayer } from './types.js';
import { appendAll } from '../util/arrays.js';

export interface IndexedLayer {
  ref: LayerRef;
  /** Undefined when the layer could not be read; its warning says why. */
  index?: LayerIndex;
  fromCache: boolean;
}

export interface ImageScan {
  image: Image;
  layers: IndexedLayer[];
  /** Problems that did not stop the scan, per layer and path. */
  warnings: ScanWarning[];
  /**
   * Layers whose stream failed: not read at all, or read up to the failure only (`cutShort`: the
   * entries read whole before it are in the tree). Their files are missing from the tree.
   */
  failedLayers: number[];
}

export interface ScanOptions {
  /** Pass false to neither read nor write the layer cache. */
  cache?: LayerCache | false;
  concurrency?: number;
  onLayer?: (e: { index: number; fromCache: boolean; done: boolean }) => void;
  /**
   * Index layers in worker threads, which load the capture spec from this module export (it
   * must be the same spec passed to scanImage). Used when the image is big enough for threads
   * to pay off; small images are indexed on the main thread.
   */
  workerCapture?: CaptureRef;
  /** Compressed size from which threads are used (default 32 MiB). */
  workerThresholdBytes?: number;
  /** Compressed size from which big files are analyzed on a helper thread (default 16 MiB). */
  analyzerThreadThresholdBytes?: number;
  /** Limits of the image-wide budget other than those the environment sets (see image-budget.ts). */
  budget?: Partial<ImageBudgetLimits>;
}

/** Below this much compressed data, starting threads costs more than it saves. */
const WORKER_THRESHOLD_BYTES = 32 * 1024 * 1024;
const ANALYZER_THREAD_THRESHOLD_BYTES = 16 * 1024 * 1024;

/**
 * Index every layer of an image: each layer is decompressed exactly once and streamed (never
 * held whole in memory); results come from, and go to, the per-layer cache keyed by diff_id
 * and capture fingerprint. A layer that fails (corrupt, truncated, wrong digest, a bomb) is
 * reported and counts as failed; the others still give a result. What a failing layer read
 * whole before the failure is kept, flagged as partly read, when the whole blob still passes its
 * digest check (see indexTarStream keepPartial). Results of a failed layer are never cached.
 */
export async function scanImage(image: Image, spec: CaptureSpec, opts: ScanOptions = {}): Promise<ImageScan> {
  const capture = new CompiledCapture(spec);
  const cache = opts.cache === false ? undefined : opts.cache ?? new LayerCache();
  const warnings = new Warnings();
  const results: IndexedLayer[] = image.layers.map((l) => ({ ref: { index: l.index, digest: l.digest, diffId: l.diffId }, fromCache: false }));
  const failed: number[] = [];
  const writes = new CacheWrites(cache);
  const budget = new ImageBudget({ ...imageBudgetLimits(), ...opts.budget });
  // Two layers with the same diff_id (e.g. an empty layer repeated) are read once.
  const inflight = new Map<string, Promise<LayerIndex>>();
  const n = Math.max(1, Math.min(opts.concurrency ?? availableParallelism(), image.layers.length));
  const total = image.layers.reduce((s, l) => s + l.size, 0);
  const threaded = !!opts.workerCapture && n > 1 && total >= (opts.workerThresholdBytes ?? WORKER_THRESHOLD_BYTES);
  // The main thread indexes layers too (its inflating runs on zlib's threads); the other
  // lanes hand theirs to worker threads. Biggest first, so no lane starts a big layer last.
  const pool = threaded ? new LayerWorkerPool(n - 1) : undefined;
  // Big archives and binaries are analyzed on a helper thread while this one goes on
  // parsing (SCOUT_THREADS=0: everything on this thread).
  const analyzers = !threaded && n > 1 && process.env.SCOUT_THREADS !== '0' && capture.analyzers.some((a) => a.offThread) && total >= (opts.analyzerThreadThresholdBytes ?? ANALYZER_THREAD_THRESHOLD_BYTES)
    ? new AnalyzerThread()
    : undefined;
  const queue = [...image.layers].sort((a, b) => (threaded ? b.size - a.size : 0) || a.index - b.index);
  const lane = async (k: number): Promise<void> => {
    for (let layer = queue.shift(); layer; layer = queue.shift()) {
      const res = results[layer.index];
      try {
        let p = inflight.get(layer.diffId);
        const cached = !layer.indexWith && cache ? await cache.get(layer.diffId, capture) : undefined;
        if (cached) {
          res.index = cached;
          res.fromCache = true;
        } else {
          if (!p) {
            const inWorker = pool && k > 0 && layer.openBlob && !layer.indexWith;
            p = indexLayer(layer, capture, writes, inWorker ? { pool, ref: opts.workerCapture! } : undefined, analyzers, budget);
            inflight.set(layer.diffId, p);
          }
          res.index = await p;
          // Read up to a failure partway: its files before it are in the result, yet the layer was not read whole.
          if (res.index.cutShort) failed.push(layer.index);
        }
        opts.onLayer?.({ index: layer.index, fromCache: res.fromCache, done: true });
      } catch (err) {
        failed.push(layer.index);
        const label = layerLabel(layer.index, layer.digest);
        warnings.fromError(err, 'layer-failed', { layer: label });
        const w = warnings.items[warnings.items.length - 1];
        w.layerFailed = true;
        // Every failed layer says which one it is: a blob's own error (a folder or a FIFO in a
        // layout, a registry that stalled) names only the blob.
        if (!w.message.startsWith(`${label}: `)) w.message = `${label}: ${w.message}`;
        opts.onLayer?.({ index: layer.index, fromCache: false, done: true });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: n }, (_, k) => lane(k)));
  } finally {
    await Promise.all([pool?.close(), analyzers?.close()]);
  }
  // Wanted files that are links to files nobody asked for: their targets, read again.
  await captureLinkTargets(image, capture, results, warnings);
  // The source's own (a registry mirror that failed), blob fetches during this scan included.
  if (image.warnings) appendAll(warnings.items, image.warnings);
  for (const r of results) if (r.index) appendAll(warnings.items, r.index.warnings);
  if (writes.failure) warnings.add('cache-write-failed', writes.failure);
  return { image, layers: results, warnings: warnings.items, failedLayers: failed.sort((a, b) => a - b) };
}

/**
 * The layer-cache writes of one scan. A write that fails costs the next scan a re-read, not
 * this one its layer: the index is whole in memory, so the layer stays in the result and one
 * warning per scan names the cache directory.
 */
class CacheWrites {
  failure: string | undefined;
  constructor(private readonly cache: LayerCache | undefined) {}

  /**
   * Only a fully read, digest-verified layer may come here, so only those are cached; one that
   * a limit cut short (an image-wide budget, spent partly by other layers) is left out too.
   */
  put(index: LayerIndex, fingerprint: string, label: string): void {
    if (!this.cache || scanIncomplete(index.warnings)) return;
    try {
      this.cache.put(index, fingerprint);
    } catch (err) {
      // Only a directory that cannot be written calls for another SCOUT_CACHE_DIR; an entry
      // that cannot be made (too big to serialise, a full disk) is named as what it is.
      const said = (err as NodeJS.ErrnoException).code;
      const code = unwritableBecause(said, this.cache.dir);
      const why = code === said ? (err as Error).message : `${this.cache.dir} cannot be written (${code})`;
      const hint = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' ? '; SCOUT_CACHE_DIR names a writable directory' : code === 'ENOSPC' ? '; the disk is full' : '';
      this.failure ??= `cannot write the layer cache at ${this.cache.dir} (the entry of ${label}): ${why}; its layers will be read again next time${hint}`;
    }
  }
}

/**
 * Why a cache folder could not be made. Creating folders below a read-only mount (a CI image's
 * baked-in cache, a pod's read-only volume) fails with ENOENT for the first missing folder,
 * which reads as a bug; the nearest folder that exists says the real reason (EROFS, EACCES).
 */
function unwritableBecause(code: string | undefined, dir: string): string | undefined {
  if (code !== 'ENOENT') return code;
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(d)) {
      try {
        accessSync(d, constants.W_OK);
        return code;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code ?? code;
      }
    }
    if (dirname(d) === d) return code;
  }
}

async function indexLayer(layer: ImageLayer, capture: CompiledCapture, writes: CacheWrites, threads?: { pool: LayerWorkerPool; ref: CaptureRef }, analyzers?: AnalyzerThread, budget?: ImageBudget): Promise<LayerIndex> {
  if (layer.indexWith) return layer.indexWith(capture, budget);
  const label = layerLabel(layer.index, layer.digest);
  const index = threads ? await threads.pool.index(layer, threads.ref, budget) : await indexTarStream(await layer.open({ verifyAfterFailure: true }), layer.diffId, capture, label, undefined, analyzers, budget, true);
  writes.put(index, capture.fingerprint, label);
  return index;
}

/** The squashed view of the layers that could be read (sparse: see FileTree). */
export function treeOf(scan: ImageScan, sparse = false): FileTree {
  const tree = new FileTree(sparse);
  for (const l of scan.layers) if (l.index) tree.apply(l.ref, l.index);
  return tree;
}
