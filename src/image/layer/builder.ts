import type { Readable } from 'node:stream';
import type { CompiledCapture, FileAnalyzer, StreamTest } from '../capture.js';
import type { IndexEntry, LayerIndex } from '../layer-index.js';
import { maxOf } from '../../util/arrays.js';
import { ScoutError, Warnings, type ScanWarning } from '../../util/errors.js';
import { HEAD_BYTES, type BodySink } from './tar-parser.js';
import { ownsItsMemory, type AnalyzerThread } from './analyzer-thread.js';
import { BUDGET_VARIABLES, type ImageBudget } from '../image-budget.js';

/** Smaller files are analyzed here: sending them costs about what analyzing them does. */
const OFF_THREAD_MIN_BYTES = 64 * 1024;

/** Files a limit cut short (see FileAnalyzer.cutShort) named per layer; the rest are counted. */
const CUT_SHORT_NAMED = 20;

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
  /** Regular files listed so far: where in the layer a limit stopped (see PartlyRead). */
  private files = 0;
  private readonly tallies = new Map<string, number>();
  private cutShort = 0;
  /** The warning of a stream that failed partway (see streamFailed). */
  private streamFailure: ScanWarning | undefined;

  private readonly pending: Promise<void>[] = [];
  /** Each analyzer's stream test (FileAnalyzer.prefilter) in a list of one, made once per layer: files come one at a time. */
  private readonly testLists = new Map<FileAnalyzer, StreamTest[]>();
  /** The Use of a file only one analyzer wants (see decide); shared, never changed. */
  private analyzeOnly: Use | undefined;

  constructor(
    private readonly diffId: string,
    private readonly capture: CompiledCapture,
    /** Label used in warnings, e.g. "layer 2 (sha256:ab12…)". */
    private readonly layerLabel: string,
    /** Where big files' analyses may run (see FileAnalyzer.offThread); none: all run here. */
    private readonly thread?: AnalyzerThread,
    /** The image-wide allowance for kept file contents and nested archives; none: only each file's own caps. */
    private readonly budget?: ImageBudget,
  ) {}

  addEntry(e: IndexEntry): void {
    this.entries.push(e);
    if (e.type === 'file') {
      this.uncompressed += e.size;
      this.files++;
    }
  }

  /** Entries listed so far (see dropFrom). */
  get entryCount(): number {
    return this.entries.length;
  }

  /**
   * Forget the entries listed from `n` on: those of a tar member whose body the stream never
   * delivered whole. Its contents were never kept (a file is captured when it ends).
   */
  dropFrom(n: number): void {
    for (const e of this.entries.splice(n)) {
      if (e.type !== 'file') continue;
      this.uncompressed -= e.size;
      this.files--;
    }
  }

  /**
   * The layer's stream failed after `entries` were read whole: they stay, and this warning
   * makes the layer count as failed (the image commands exit 3, the layer is not cached) and
   * says where the reading stopped. `stoppedAt` is the member being read, or the one after
   * the last read whole. The caller has checked the whole blob's digest first.
   */
  streamFailed(err: ScoutError, stoppedAt: string): void {
    const reason = err.message.startsWith(`${this.layerLabel}: `) ? err.message.slice(this.layerLabel.length + 2) : err.message;
    const partlyRead = { stoppedAt, reason, filesBefore: this.files, filesAfter: -1 };
    const n = this.entries.length;
    const message = `${this.layerLabel}: ${reason}; stopped at ${stoppedAt}: the ${n} ${n === 1 ? 'entry' : 'entries'} read whole before it are kept (the blob's digest checks out)`;
    this.streamFailure = { code: err.code, message, layer: this.layerLabel, ...(err.path ? { path: err.path } : {}), layerFailed: true, partlyRead };
  }

  warn(code: string, message: string, path?: string): void {
    this.warnings.add(code, message, { layer: this.layerLabel, path });
  }

  /** Whether anything could want this file's bytes (before reading any of them). */
  mightWant(path: string): boolean {
    return this.capture.analyzers.length > 0 || this.capture.captureLimit(path) > 0;
  }

  /**
   * Record a regular file and return where its body should go, or undefined when nobody wants
   * it (its bytes are then skipped unseen). Given the body's first bytes (`head`, see
   * EntryHandler), the decision is made now; otherwise the sink makes it once 512 bytes have
   * arrived. A kept file is captured or analyzed when it ends, synchronously.
   */
  fileSink(e: IndexEntry, head?: Buffer): BodySink | undefined {
    this.addEntry(e);
    if (e.size === 0) return undefined;
    const captureMax = this.capture.captureLimit(e.path);
    if (captureMax === 0 && this.capture.analyzers.length === 0) return undefined;
    if (!head) return new FileSink(this, e, captureMax);
    const use = this.decide(e, captureMax, head);
    return use && new FileSink(this, e, captureMax, use);
  }

  /** What to do with a file, from its first bytes: keep it (for capture and/or analyzers) or not. */
  decide(e: IndexEntry, captureMax: number, head: Buffer): Use | undefined {
    const analyzers = this.capture.analyzersFor(e.path, e.size, head, this.tallies);
    if (captureMax === 0 && analyzers.length === 0) return undefined;
    // The secret scan alone wants nearly every file: its Use is made once, not once a file.
    if (captureMax === 0 && analyzers.length === 1 && e.size <= analyzers[0].maxSize) {
      if (this.analyzeOnly?.analyzers !== analyzers) this.analyzeOnly = { capture: false, analyzers };
      return this.analyzeOnly;
    }
    const fitting = analyzers.filter((a) => e.size <= a.maxSize);
    let capture = captureMax > 0 && e.size <= captureMax;
    if (!capture && fitting.length === 0) {
      this.warn('file-too-large', `${e.path} is ${e.size} bytes, over the ${maxOf(analyzers.map((a) => a.maxSize), captureMax)}-byte limit for reading it; skipped`, e.path);
      return undefined;
    }
    if (capture && this.budget && !this.budget.take('capturedBytes', e.size)) {
      capture = false;
      this.budgetSkip(e, this.budget);
      if (fitting.length === 0) return undefined;
    }
    return { capture, analyzers: fitting };
  }

  /**
   * Record a regular file and consume its body (a stream from a directory or memory). `body`
   * is read to its end even when nobody wants the bytes.
   */
  async addFile(e: IndexEntry, body: AsyncIterable<Buffer> | Readable): Promise<void> {
    const sink = this.fileSink(e);
    for await (const chunk of body as AsyncIterable<Buffer>) sink?.write(chunk);
    sink?.end();
  }

  /**
   * The stream tests of a file only analyzers want, each analyzer having one, reset for it; or
   * undefined, when the file is captured or an analyzer needs every file whole.
   */
  testsFor(use: Use): StreamTest[] | undefined {
    const analyzers = use.analyzers;
    if (use.capture || analyzers.length === 0) return undefined;
    for (let i = 0; i < analyzers.length; i++) if (!analyzers[i].prefilter) return undefined;
    // One analyzer (the common case: the secret scan alone wants most text files): its list is kept.
    if (analyzers.length === 1) {
      const list = this.testLists.get(analyzers[0]) ?? [analyzers[0].prefilter!()];
      this.testLists.set(analyzers[0], list);
      list[0].reset();
      return list;
    }
    return analyzers.map((a) => {
      const t = (this.testLists.get(a) ?? [a.prefilter!()])[0];
      this.testLists.set(a, [t]);
      t.reset();
      return t;
    });
  }

  /** Keep what a finished file yielded: its bytes, and what each analyzer made of them. */
  keep(e: IndexEntry, content: Buffer, capture: boolean, analyzers: readonly FileAnalyzer[]): void {
    if (capture) this.captured.set(e.path, content);
    // This file is the last one listed: those before it were read before it.
    const before = this.files - 1;
    // Big files nobody captures, wanted only by analyzers that can run elsewhere, go to the
    // helper thread. Their slot is taken now so results land in file order, as they do here.
    if (this.thread && !capture && content.length >= OFF_THREAD_MIN_BYTES && analyzers.every((a) => a.offThread) && this.thread.canTake(content.length) && ownsItsMemory(content)) {
      const rec: Record<string, unknown> = {};
      this.analyses.set(e.path, rec);
      this.pending.push(this.thread.run(analyzers.map((a) => a.offThread!), content, e.path, this.budget).then(
        (outcomes) => outcomes.forEach((o, i) => {
          if ('error' in o) this.warnings.fromError(o.error, `analyzer-${analyzers[i].name}`, { layer: this.layerLabel, path: e.path });
          else if (o.result !== undefined) {
            rec[analyzers[i].name] = o.result;
            this.noteCutShort(analyzers[i], o.result, e.path, before);
          }
        }),
        (err: unknown) => this.warnings.fromError(err, `analyzer-${analyzers[0].name}`, { layer: this.layerLabel, path: e.path }),
      ).finally(() => {
        if (Object.keys(rec).length === 0 && this.analyses.get(e.path) === rec) this.analyses.delete(e.path);
      }));
      return;
    }
    for (const a of analyzers) {
      try {
        const result = a.analyze(content, e.path, { budget: this.budget });
        if (result !== undefined) {
          const rec = this.analyses.get(e.path) ?? {};
          rec[a.name] = result;
          this.analyses.set(e.path, rec);
          this.noteCutShort(a, result, e.path, before);
        }
      } catch (err) {
        this.warnings.fromError(err, `analyzer-${a.name}`, { layer: this.layerLabel, path: e.path });
      }
    }
  }

  /**
   * A file a cataloger asked for (a package database, a lockfile, an SBOM) that the image's
   * captured-bytes budget left unread: its packages are missing, so the layer is partly read
   * (the image commands exit 3, the layer is not cached) rather than passing a gate with a
   * package database silently left out. Each such file is named: they are the files to look at.
   */
  private budgetSkip(e: IndexEntry, budget: ImageBudget): void {
    const partlyRead = { stoppedAt: e.path, reason: 'captured-bytes budget exceeded', filesBefore: this.files - 1, filesAfter: -1 };
    const message = `${this.layerLabel}: ${e.path} (${e.size} bytes) not read: files kept from this image already take ${budget.taken('capturedBytes')} of its ${budget.limits.capturedBytes}-byte budget (${BUDGET_VARIABLES.capturedBytes})`;
    this.warnings.items.push({ code: 'capture-budget', message, layer: this.layerLabel, path: e.path, layerFailed: true, partlyRead });
  }

  /**
   * A file a limit cut short leaves packages out of this layer's result: its warning marks the
   * layer incomplete (the image commands exit 3, the layer is not cached), though everything
   * that was read stays in the result.
   */
  private noteCutShort(a: FileAnalyzer, result: unknown, path: string, filesBefore: number): void {
    for (const p of a.cutShort?.(result) ?? []) {
      if (++this.cutShort > CUT_SHORT_NAMED) continue;
      // filesAfter is known once the layer is listed (finish).
      const partlyRead = { stoppedAt: p.at ?? path, reason: p.reason ?? p.code, filesBefore, filesAfter: -1 };
      this.warnings.items.push({ code: p.code, message: `${this.layerLabel}: ${p.message}`, layer: this.layerLabel, path, layerFailed: true, partlyRead });
    }
  }

  get label(): string {
    return this.layerLabel;
  }

  /** The index, once analyses running on the helper thread have come back. */
  async finish(): Promise<LayerIndex> {
    await Promise.all(this.pending);
    for (const w of this.warnings.items) if (w.partlyRead) w.partlyRead.filesAfter = this.files - w.partlyRead.filesBefore - 1;
    // Files after the place the stream failed are unknown: its filesAfter stays -1.
    if (this.streamFailure) this.warnings.items.push(this.streamFailure);
    if (this.cutShort > CUT_SHORT_NAMED) {
      this.warnings.items.push({ code: 'cut-short', message: `${this.layerLabel}: ${this.cutShort - CUT_SHORT_NAMED} more files cut short by a limit like those above, ${this.cutShort} in all; only the first ${CUT_SHORT_NAMED} are named`, layer: this.layerLabel, layerFailed: true });
    }
    return {
      diffId: this.diffId,
      entries: this.entries,
      captured: this.captured,
      analyses: this.analyses,
      warnings: this.warnings.items,
      uncompressedSize: this.uncompressed,
      ...(this.tallies.size ? { tallies: Object.fromEntries(this.tallies) } : {}),
      ...(this.streamFailure ? { cutShort: true as const } : {}),
    };
  }
}

/** Why a file's bytes are kept. */
interface Use {
  readonly capture: boolean;
  readonly analyzers: readonly FileAnalyzer[];
}

/**
 * The body of one kept regular file, or of one whose first 512 bytes have not been seen yet
 * (an analyzer may want it): those are held until the decision, then kept or dropped. A file
 * only analyzers with a stream test want (the secret scan's keyword search) is tested chunk by
 * chunk as it passes, and is put together only when a test passes: most text files hold no
 * keyword, and copying each one whole cost about a third as much as searching it.
 */
class FileSink implements BodySink {
  private chunks: Buffer[] = [];
  private have = 0;
  private discarding = false;
  /** The analyzers' stream tests, in the order of use.analyzers (see testsFor). */
  private tests: StreamTest[] | undefined;

  constructor(
    private readonly b: LayerIndexBuilder,
    private readonly e: IndexEntry,
    private readonly captureMax: number,
    private use?: Use,
  ) {
    if (use) this.tests = b.testsFor(use);
  }

  write(chunk: Buffer): void {
    if (this.discarding) return;
    this.have += chunk.length;
    if (this.have > this.e.size) {
      // The header promised less than the body delivers (a file that grew while being read).
      this.discarding = true;
      this.chunks = [];
      throw new ScoutError('entry-size-mismatch', `${this.e.path}: body is longer than its header's size ${this.e.size}`, { layer: this.b.label, path: this.e.path });
    }
    // Held as views, not copied: a file that passes a test is put together from them at its end.
    this.chunks.push(chunk);
    const tests = this.tests;
    if (tests) for (let i = 0; i < tests.length; i++) tests[i].write(chunk);
    else if (!this.use && this.have >= HEAD_BYTES) this.decide();
  }

  end(): void {
    if (!this.use && !this.discarding) this.decide();
    if (this.discarding || !this.use) return;
    let analyzers = this.use.analyzers;
    const tests = this.tests;
    if (tests) {
      let passed = 0;
      for (let i = 0; i < tests.length; i++) if (tests[i].passed()) passed++;
      // Nothing for any analyzer: exactly what analyzing it would have kept.
      if (passed === 0) {
        this.chunks = [];
        return;
      }
      if (passed < tests.length) analyzers = analyzers.filter((_, i) => tests[i].passed());
    }
    const content = this.chunks.length === 1 ? Buffer.from(this.chunks[0]) : Buffer.concat(this.chunks, this.have);
    this.chunks = [];
    this.b.keep(this.e, content, this.use.capture, analyzers);
  }

  private decide(): void {
    // A file that shrank while being read may have delivered nothing.
    const first = this.chunks[0] ?? Buffer.alloc(0);
    const head = first.length >= HEAD_BYTES || this.chunks.length === 1 ? first.subarray(0, HEAD_BYTES) : Buffer.concat(this.chunks, this.have).subarray(0, HEAD_BYTES);
    this.use = this.b.decide(this.e, this.captureMax, head);
    if (!this.use) {
      this.discarding = true;
      this.chunks = [];
      return;
    }
    // The tests see the bytes held so far, then the rest as it comes.
    const tests = (this.tests = this.b.testsFor(this.use));
    if (tests) for (const c of this.chunks) for (const t of tests) t.write(c);
  }
}
