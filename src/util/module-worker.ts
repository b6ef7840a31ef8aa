/**
 * Worker threads running one of our modules. Built, the module is JavaScript and runs as is;
 * from the sources (tests and benchmarks run under tsx) it is TypeScript, so the thread first
 * registers tsx for itself.
 */
import { EventEmitter } from 'node:events';
import { Worker, type ResourceLimits, type TransferListItem } from 'node:worker_threads';

/**
 * The URL of our module `name` (no extension) beside the caller's (`base` is its
 * import.meta.url): .ts when running from the sources, .js when built.
 */
export function siblingModule(base: string, name: string): URL {
  return new URL(`./${name}.${base.endsWith('.ts') ? 'ts' : 'js'}`, base);
}

export interface ModuleWorkerOptions {
  /** Handed to the module as `workerData.data`. */
  data?: unknown;
  transferList?: TransferListItem[];
  resourceLimits?: ResourceLimits;
}

export function startModuleWorker(url: URL, opts: ModuleWorkerOptions = {}): Worker {
  const extra = { ...(opts.transferList ? { transferList: opts.transferList } : {}), ...(opts.resourceLimits ? { resourceLimits: opts.resourceLimits } : {}) };
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: { data: opts.data }, ...extra });
  const boot = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((m) => { m.register(); return import(workerData.url); });`;
  return new Worker(boot, { eval: true, workerData: { tsx: import.meta.resolve('tsx/esm/api'), url: url.href, data: opts.data }, ...extra });
}

/** What the callers use of a Worker, so an in-thread one (below) can stand in for it. */
export type ModuleThread = Pick<Worker, 'on' | 'off' | 'postMessage' | 'terminate'>;

/**
 * SCOUT_WORKERS_IN_THREAD=1: the layer-indexing pool and the analyzer helper run their jobs on
 * the calling thread instead of in worker threads. For mutation testing only (`npm run mutate
 * -- layer` sets it): Stryker sees which code a test reaches only on the thread it runs on.
 * Nothing runs in parallel then, so never set it in production.
 */
export function workersInThread(): boolean {
  return process.env.SCOUT_WORKERS_IN_THREAD === '1';
}

/**
 * A stand-in for a worker whose module answers each message with `serve(message)`: the same
 * messages go both ways, structured-cloned, and what is transferred is detached from the sender
 * as a real postMessage does; the answer comes as a 'message' event, a throw as 'error'.
 */
export function startInThread<M, R>(serve: (message: M) => Promise<R>): ModuleThread {
  return new InThreadWorker(serve as (message: unknown) => Promise<unknown>) as unknown as ModuleThread;
}

class InThreadWorker extends EventEmitter {
  private running = true;

  constructor(private readonly serve: (message: unknown) => Promise<unknown>) {
    super();
  }

  postMessage(value: unknown, transfer?: readonly TransferListItem[]): void {
    const message = structuredClone(value, transfer ? { transfer: [...transfer] as never } : undefined);
    // Answered later, as a thread would: never inside the caller's postMessage.
    setImmediate(() => {
      this.serve(message).then(
        (reply) => this.running && this.emit('message', structuredClone(reply)),
        (err: unknown) => this.running && this.emit('error', err instanceof Error ? err : new Error(String(err))),
      );
    });
  }

  /** Like Worker.terminate: no answer arrives afterwards, and 'exit' is emitted with code 1. */
  async terminate(): Promise<number> {
    if (this.running) {
      this.running = false;
      this.emit('exit', 1);
    }
    return 1;
  }
}
