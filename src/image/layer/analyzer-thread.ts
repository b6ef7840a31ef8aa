/**
 * Runs file analyzers (Java archives, Go binaries) on a helper thread while the main thread
 * goes on parsing layers. On a cold SBOM the main thread is what everyone waits for, and an
 * archive's analysis (inflating nested jars) is the biggest piece of it that needs nothing
 * but the file's bytes. The bytes are transferred, not copied: the builder owns them.
 */
import { ScoutError } from '../../util/errors.js';
import { siblingModule, startInThread, startModuleWorker, workersInThread, type ModuleThread } from '../../util/module-worker.js';
import { runAnalyzerJob } from './analyzer-job.js';
import type { OffThread } from '../capture.js';
import type { ImageBudget, ImageBudgetState } from '../image-budget.js';

const WORKER_URL = siblingModule(import.meta.url, 'analyzer-worker');

/** A file for the thread: its bytes (transferred) and the analyzers to run on them, in order. */
export interface AnalyzerJob {
  id: number;
  analyzers: OffThread[];
  content: ArrayBuffer;
  path: string;
  /** The scan's budget (its counters are shared, not copied). */
  budget?: ImageBudgetState;
}

export type Outcome = { result?: unknown; error?: { code?: string; message: string; path?: string } };
export type AnalyzerReply = { id: number; out: Outcome[] };

/** What one analyzer made of a file: its result, or the error it threw (as it threw it). */
export type AnalyzerOutcome = { result: unknown } | { error: Error };

/**
 * Bytes handed to the thread and not analyzed yet, above which files are analyzed on the
 * calling thread instead: the tar pass runs faster than the analyses, and a layer of many big
 * archives must not pile up in memory waiting for the helper.
 */
const MAX_IN_FLIGHT_BYTES = 256 * 1024 * 1024;

/** One helper thread shared by every layer of a scan; closed with the scan. */
export class AnalyzerThread {
  private worker: ModuleThread | undefined;
  private nextId = 0;
  private inFlight = 0;

  constructor(private readonly maxInFlight = MAX_IN_FLIGHT_BYTES) {}
  private readonly pending = new Map<number, { resolve: (r: AnalyzerOutcome[]) => void; reject: (e: Error) => void }>();

  private start(): ModuleThread {
    if (this.worker) return this.worker;
    // SCOUT_WORKERS_IN_THREAD=1 (mutation testing): the same job and messages on this thread.
    const w = workersInThread() ? startInThread(runAnalyzerJob) : startModuleWorker(WORKER_URL);
    w.on('message', (m: AnalyzerReply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      // Errors as the analyzers threw them: a ScoutError keeps its code, anything else is a plain Error.
      p.resolve(m.out.map((o) => (o.error
        ? { error: o.error.code ? new ScoutError(o.error.code, o.error.message, o.error.path ? { path: o.error.path } : {}) : new Error(o.error.message) }
        : { result: o.result })));
    });
    const fail = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.worker = undefined;
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`analyzer thread exited (${code})`)));
    this.worker = w;
    return w;
  }

  /**
   * Run these analyzers on `content` on the thread, in order. `content` must own its whole
   * ArrayBuffer: it is transferred, and unusable here afterwards.
   */
  run(analyzers: OffThread[], content: Buffer, path: string, budget?: ImageBudget): Promise<AnalyzerOutcome[]> {
    const w = this.start();
    const id = this.nextId++;
    const size = content.length;
    const ab = content.buffer as ArrayBuffer;
    this.inFlight += size;
    const done = new Promise<AnalyzerOutcome[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const job: AnalyzerJob = { id, analyzers, content: ab, path, ...(budget ? { budget: budget.state } : {}) };
      w.postMessage(job, [ab]);
    });
    return done.finally(() => (this.inFlight -= size));
  }

  /** Whether a file of `size` bytes may be sent now (see MAX_IN_FLIGHT_BYTES). */
  canTake(size: number): boolean {
    return this.inFlight + size <= this.maxInFlight;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

/** Whether `b` can be transferred: it spans its whole, unshared ArrayBuffer. */
export function ownsItsMemory(b: Buffer): boolean {
  return b.byteOffset === 0 && b.buffer.byteLength === b.length && !(b.buffer instanceof SharedArrayBuffer);
}
