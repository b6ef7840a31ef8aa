/**
 * Worker threads running one of our modules. Built, the module is JavaScript and runs as is;
 * from the sources (tests and benchmarks run under tsx) it is TypeScript, so the thread first
 * registers tsx for itself.
 */
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
