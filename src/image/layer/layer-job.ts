/**
 * One layer job of the indexing threads (see worker-pool.ts): the compressed blob arrives on
 * the job's port, and digest checks, decompression and the tar pass turn it into a LayerIndex.
 * worker.ts runs it in a worker thread; SCOUT_WORKERS_IN_THREAD=1 runs it on the calling
 * thread (see module-worker.ts).
 */
import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import { ScoutError } from '../../util/errors.js';
import { CompiledCapture, type CaptureSpec } from '../capture.js';
import { openLayerStream } from './decompress.js';
import { indexTarStream } from './tar-index.js';
import { ImageBudget } from '../image-budget.js';
import type { LayerJob, LayerJobResult } from './worker-protocol.js';

const captures = new Map<string, Promise<CompiledCapture>>();

function captureFor(ref: LayerJob['capture']): Promise<CompiledCapture> {
  const key = `${ref.module}#${ref.name}`;
  let p = captures.get(key);
  if (!p) {
    p = import(ref.module).then((m: Record<string, CaptureSpec>) => {
      const spec = m[ref.name];
      if (!spec) throw new Error(`${ref.module} exports no ${ref.name}`);
      return new CompiledCapture(spec);
    });
    captures.set(key, p);
  }
  return p;
}

/** A Readable fed from a MessagePort, acknowledging bytes as the consumer takes them. */
function portStream(port: MessagePort): Readable {
  const queue: Buffer[] = [];
  let ended = false;
  let wanting = false;
  const s = new Readable({
    highWaterMark: 1024 * 1024,
    read() {
      const next = queue.shift();
      if (next) {
        port.postMessage(next.length);
        s.push(next);
      } else if (ended) s.push(null);
      else wanting = true;
    },
  });
  port.on('message', (m: ArrayBuffer | null | { error: string }) => {
    if (m === null) {
      ended = true;
      if (wanting && queue.length === 0) s.push(null);
      return;
    }
    if (m instanceof ArrayBuffer) {
      const b = Buffer.from(m);
      if (wanting) {
        wanting = false;
        port.postMessage(b.length);
        s.push(b);
      } else queue.push(b);
      return;
    }
    s.destroy(new ScoutError('layer-read-failed', m.error));
  });
  return s;
}

/** Index the job's layer; a failure is answered as an error (code, message, where), never thrown. */
export async function runLayerJob(job: LayerJob): Promise<LayerJobResult> {
  let result: LayerJobResult;
  try {
    const capture = await captureFor(job.capture);
    const tar = await openLayerStream(portStream(job.port), { digest: job.digest, diffId: job.diffId, size: job.size, label: job.label, verifyAfterFailure: true });
    result = { id: job.id, index: await indexTarStream(tar, job.diffId, capture, job.label, undefined, undefined, job.budget && ImageBudget.attach(job.budget), true) };
  } catch (err) {
    const e = err as ScoutError;
    result = { id: job.id, error: { code: e.code ?? 'layer-failed', message: e.message, layer: e.layer, path: e.path } };
  }
  job.port.close();
  return result;
}
