import { MessageChannel } from 'node:worker_threads';
import { ScoutError } from '../../util/errors.js';
import { siblingModule, startInThread, startModuleWorker, workersInThread, type ModuleThread } from '../../util/module-worker.js';
import { runLayerJob } from './layer-job.js';
import type { LayerIndex } from '../layer-index.js';
import { layerLabel } from '../resolve.js';
import type { ImageLayer } from '../types.js';
import type { ImageBudget } from '../image-budget.js';
import { HIGH_WATER, type CaptureRef, type LayerJob, type LayerJobResult } from './worker-protocol.js';

const WORKER_URL = siblingModule(import.meta.url, 'worker');

/**
 * Threads that index layers. The main thread reads each blob (file or network) and hands the
 * compressed bytes over with flow control; decompression, digest checks and the tar pass run
 * in the worker, so several layers are indexed on several cores at once.
 */
export class LayerWorkerPool {
  private idle: ModuleThread[] = [];
  private all: ModuleThread[] = [];
  private nextId = 0;

  constructor(private readonly size: number) {}

  private acquire(): ModuleThread {
    const w = this.idle.pop();
    if (w) return w;
    if (this.all.length >= this.size) throw new Error('worker pool exhausted');
    // SCOUT_WORKERS_IN_THREAD=1 (mutation testing): the same job and messages on this thread.
    const created = workersInThread() ? startInThread(runLayerJob) : startModuleWorker(WORKER_URL);
    this.all.push(created);
    return created;
  }

  async index(layer: ImageLayer, capture: CaptureRef, budget?: ImageBudget): Promise<LayerIndex> {
    if (!layer.openBlob) throw new Error('layer has no blob stream');
    const label = layerLabel(layer.index, layer.digest);
    const worker = this.acquire();
    const { port1, port2 } = new MessageChannel();
    const id = this.nextId++;
    const job: LayerJob = { id, digest: layer.digest, diffId: layer.diffId, size: layer.size, label, capture, port: port2, ...(budget ? { budget: budget.state } : {}) };
    try {
      const done = new Promise<LayerIndex>((resolve, reject) => {
        const onMessage = (r: LayerJobResult) => {
          if (r.id !== id) return;
          worker.off('message', onMessage);
          worker.off('error', onError);
          if ('index' in r) resolve(revive(r.index));
          else reject(new ScoutError(r.error.code, r.error.message, { layer: r.error.layer ?? label, path: r.error.path }));
        };
        const onError = (err: Error) => reject(new ScoutError('layer-failed', `${label}: worker failed: ${err.message}`, { layer: label }));
        worker.on('message', onMessage);
        worker.on('error', onError);
      });
      worker.postMessage(job, [port2]);
      const blob = await layer.openBlob();
      let unacked = 0;
      port1.on('message', (n: number) => {
        unacked -= n;
        if (unacked < HIGH_WATER / 2 && blob.isPaused()) blob.resume();
      });
      blob.on('data', (chunk: Buffer) => {
        const ab = chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) as ArrayBuffer;
        port1.postMessage(ab, [ab]);
        unacked += chunk.length;
        if (unacked > HIGH_WATER) blob.pause();
      });
      blob.on('end', () => port1.postMessage(null));
      blob.on('error', (err) => port1.postMessage({ error: `${label}: ${err.message}` }));
      return await done;
    } finally {
      port1.close();
      this.idle.push(worker);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
    this.all = [];
    this.idle = [];
  }
}

/** Structured cloning turns Buffers into plain Uint8Arrays; catalogers expect Buffers. */
function revive(index: LayerIndex): LayerIndex {
  for (const [k, v] of index.captured) index.captured.set(k, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  return index;
}
