/**
 * Worker thread for sqlite.ts: reads each rpmdb it is handed on its port and answers there,
 * then wakes the waiting caller through the shared flag (the caller is blocked in Atomics.wait,
 * so it cannot take an ordinary message event). It stays for the next read: nothing of a read
 * outlives it (the database is closed, the answer's buffers are transferred away).
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { ScoutError } from '../../util/errors.js';
import { readRpmdbBlobs } from './sqlite-read.js';

interface Setup {
  port: MessagePort;
  flag: Int32Array;
}

const { port, flag } = (workerData as { data: Setup }).data;

port.on('message', (file: Uint8Array) => {
  try {
    const { blobs, problems } = readRpmdbBlobs(Buffer.from(file.buffer, file.byteOffset, file.byteLength));
    // One buffer and offsets: transferring one ArrayBuffer beats structured-cloning 100k small ones.
    const data = Buffer.concat(blobs);
    const ends = new Float64Array(blobs.length);
    let end = 0;
    blobs.forEach((b, i) => (ends[i] = end += b.length));
    port.postMessage({ ok: true, data, ends, problems }, [data.buffer, ends.buffer]);
  } catch (err) {
    port.postMessage({ ok: false, code: err instanceof ScoutError ? err.code : 'rpm-sqlite', message: err instanceof Error ? err.message : String(err) });
  } finally {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
});
