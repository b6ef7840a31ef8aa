/**
 * Runs file analyzers (Java archives, Go binaries) on a helper thread while the main thread
 * goes on parsing layers. On a cold SBOM the main thread is what everyone waits for, and an
 * archive's analysis (inflating nested jars) is the biggest piece of it that needs nothing
 * but the file's bytes. The bytes are transferred, not copied: the builder owns them.
 */
import { Worker } from 'node:worker_threads';
import { ScoutError } from '../../util/errors.js';
import type { OffThread } from '../capture.js';

// Under tsx (tests, benchmarks) this file is TypeScript; built, it is JavaScript.
const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * The thread imports each analyzer module on first use and calls the named exports, one per
 * analyzer that wants the file; each answers with its result or the error it threw.
 */
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const modules = new Map();
const fail = (err) => ({ error: { code: err && err.name === 'ScoutError' ? err.code : undefined, message: String((err && err.message) || err), path: err && err.path } });
parentPort.on('message', async (m) => {
  const content = Buffer.from(m.content, 0, m.content.byteLength);
  const out = [];
  for (const a of m.analyzers) {
    try {
      let mod = modules.get(a.module);
      if (!mod) { mod = import(a.module); modules.set(a.module, mod); }
      const fn = (await mod)[a.fn];
      if (typeof fn !== 'function') throw new Error(a.module + ' exports no function ' + a.fn);
      out.push({ result: fn(content, m.path) });
    } catch (err) {
      out.push(fail(err));
    }
  }
  parentPort.postMessage({ id: m.id, out });
});`;

const BOOT_FROM_SOURCE = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((m) => { m.register(); ${SOURCE.replace(/`/g, '\\`')} });`;

type Outcome = { result?: unknown; error?: { code?: string; message: string; path?: string } };
type Reply = { id: number; out: Outcome[] };

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
  private worker: Worker | undefined;
  private nextId = 0;
  private inFlight = 0;

  constructor(private readonly maxInFlight = MAX_IN_FLIGHT_BYTES) {}
  private readonly pending = new Map<number, { resolve: (r: AnalyzerOutcome[]) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = FROM_SOURCE
      ? new Worker(BOOT_FROM_SOURCE, { eval: true, workerData: { tsx: import.meta.resolve('tsx/esm/api') } })
      : new Worker(SOURCE, { eval: true });
    w.on('message', (m: Reply) => {
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
  run(analyzers: OffThread[], content: Buffer, path: string): Promise<AnalyzerOutcome[]> {
    const w = this.start();
    const id = this.nextId++;
    const size = content.length;
    const ab = content.buffer as ArrayBuffer;
    this.inFlight += size;
    const done = new Promise<AnalyzerOutcome[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, analyzers: analyzers.map((a) => ({ module: moduleUrl(a.module), fn: a.fn })), content: ab, path }, [ab]);
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

/** Analyzer modules are named by their built URL (.js); from the sources they are .ts files. */
function moduleUrl(url: string): string {
  return FROM_SOURCE && url.endsWith('.js') && url.includes('/src/') ? url.slice(0, -3) + '.ts' : url;
}

/** Whether `b` can be transferred: it spans its whole, unshared ArrayBuffer. */
export function ownsItsMemory(b: Buffer): boolean {
  return b.byteOffset === 0 && b.buffer.byteLength === b.length && !(b.buffer instanceof SharedArrayBuffer);
}
