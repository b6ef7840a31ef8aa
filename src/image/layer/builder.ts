import type { Readable } from 'node:stream';
import { CompiledCapture } from '../capture.js';
import type { IndexEntry, LayerIndex } from '../layer-index.js';
import { ScoutError, Warnings } from '../../util/errors.js';

const HEAD_BYTES = 512;

/**
 * Turns a sequence of entries (from a tar stream, a directory or memory) into a LayerIndex:
 * the listing, the captured contents catalogers asked for, and analyzer results. Contents of
 * files nobody wants are drained, never kept; wanted files are held one at a time and bounded.
 */
export class LayerIndexBuilder {
  private readonly entries: IndexEntry[] = [];
  private readonly captured = new Map<string, Buffer>();
  private readonly analyses = new Map<string, Record<string, unknown>>();
  private readonly warnings = new Warnings();
  private uncompressed = 0;

  constructor(
    private readonly diffId: string,
    private readonly capture: CompiledCapture,
    /** Label used in warnings, e.g. "layer 2 (sha256:ab12…)". */
    private readonly layerLabel: string,
  ) {}

  addEntry(e: IndexEntry): void {
    this.entries.push(e);
    if (e.type === 'file') this.uncompressed += e.size;
  }

  warn(code: string, message: string, path?: string): void {
    this.warnings.add(code, message, { layer: this.layerLabel, path });
  }

  /** Whether anything could want this file's bytes (before reading any of them). */
  mightWant(path: string): boolean {
    return this.capture.analyzers.length > 0 || this.capture.captureLimit(path) > 0;
  }

  /**
   * Record a regular file and consume its body. `body` yields the file's bytes; it is fully
   * consumed (drained when unwanted) so a tar stream can move on.
   */
  async addFile(e: IndexEntry, body: AsyncIterable<Buffer> | Readable): Promise<void> {
    this.addEntry(e);
    const it = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const chunks: Buffer[] = [];
    let have = 0;
    while (have < HEAD_BYTES) {
      const r = await it.next();
      if (r.done) break;
      chunks.push(r.value);
      have += r.value.length;
    }
    const head = Buffer.concat(chunks, have).subarray(0, HEAD_BYTES);
    const captureMax = this.capture.captureLimit(e.path);
    const analyzers = this.capture.analyzersFor(e.path, e.size, head);
    if (captureMax === 0 && analyzers.length === 0) {
      await drain(it);
      return;
    }
    const fitting = analyzers.filter((a) => e.size <= a.maxSize);
    const wantCapture = captureMax > 0 && e.size <= captureMax;
    if (!wantCapture && fitting.length === 0) {
      this.warn('file-too-large', `${e.path} is ${e.size} bytes, over the ${Math.max(captureMax, ...analyzers.map((a) => a.maxSize))}-byte limit for reading it; skipped`, e.path);
      await drain(it);
      return;
    }
    const limit = e.size;
    while (true) {
      const r = await it.next();
      if (r.done) break;
      have += r.value.length;
      if (have > limit) {
        // The header promised less than the body delivers: hostile or corrupt.
        await drain(it);
        throw new ScoutError('entry-size-mismatch', `${e.path}: body is longer than its header's size ${limit}`, { layer: this.layerLabel, path: e.path });
      }
      chunks.push(r.value);
    }
    const content = Buffer.concat(chunks, have);
    if (wantCapture) this.captured.set(e.path, content);
    for (const a of fitting) {
      try {
        const result = a.analyze(content, e.path);
        if (result !== undefined) {
          const rec = this.analyses.get(e.path) ?? {};
          rec[a.name] = result;
          this.analyses.set(e.path, rec);
        }
      } catch (err) {
        this.warnings.fromError(err, `analyzer-${a.name}`, { layer: this.layerLabel, path: e.path });
      }
    }
  }

  finish(): LayerIndex {
    return {
      diffId: this.diffId,
      entries: this.entries,
      captured: this.captured,
      analyses: this.analyses,
      warnings: this.warnings.items,
      uncompressedSize: this.uncompressed,
    };
  }
}

async function drain(it: AsyncIterator<Buffer>): Promise<void> {
  while (!(await it.next()).done) {
    /* discard */
  }
}
