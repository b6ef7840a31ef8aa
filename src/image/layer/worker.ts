/**
 * Worker thread that turns one compressed layer blob into a LayerIndex (see layer-job.ts):
 * digest checks, decompression and the tar pass all run here, so layers are indexed on every
 * core while the main thread only moves bytes.
 */
import { parentPort } from 'node:worker_threads';
import { runLayerJob } from './layer-job.js';
import type { LayerJob } from './worker-protocol.js';

parentPort!.on('message', async (job: LayerJob) => parentPort!.postMessage(await runLayerJob(job)));
