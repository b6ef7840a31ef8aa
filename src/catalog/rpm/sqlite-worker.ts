/**
 * Worker thread for sqlite.ts: reads the rpmdb it is handed and answers on its port, then
 * wakes the waiting caller through the shared flag (the caller is blocked in Atomics.wait, so
 * it cannot take an ordinary message event).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { ScoutError } from '../../util/errors.js';
import { readRpmdbBlobs } from './sqlite-read.js';

interface Job {
  file: Uint8Array;
  port: MessagePort;
  flag: Int32Array;
}

const job = (workerData as { data: Job }).data;
try {
  const { blobs, problems } = readRpmdbBlobs(Buffer.from(job.file.buffer, job.file.byteOffset, job.file.byteLength));
  // One buffer and offsets: transferring one ArrayBuffer beats structured-cloning 100k small ones.
  const data = Buffer.concat(blobs);
  const ends = new Float64Array(blobs.length);
  let end = 0;
  blobs.forEach((b, i) => (ends[i] = end += b.length));
  job.port.postMessage({ ok: true, data, ends, problems }, [data.buffer, ends.buffer]);
} catch (err) {
  job.port.postMessage({ ok: false, code: err instanceof ScoutError ? err.code : 'rpm-sqlite', message: err instanceof Error ? err.message : String(err) });
} finally {
  Atomics.store(job.flag, 0, 1);
  Atomics.notify(job.flag, 0);
  job.port.close();
}
