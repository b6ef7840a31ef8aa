import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { ScoutError } from '../../util/errors.js';
import { siblingModule, startModuleWorker } from '../../util/module-worker.js';

/**
 * Reader for rpm's SQLite backend (rpmdb.sqlite, rpm >= 4.16): the Packages table holds one
 * header blob per row. The captured bytes are deserialised into an in-memory database, so
 * nothing is written to disk and the image file is never opened by path.
 *
 * The work is bounded: sqlite-read.ts refuses schemas that could run long (views, triggers,
 * generated columns), and the read runs on a worker thread that is terminated past a time
 * budget and runs with a heap limit (better-sqlite3 is built without SQLite's progress
 * handler, so a statement cannot be interrupted from inside). Catalogers are synchronous:
 * the caller waits on a shared flag, which also keeps the wait free of the event loop.
 */
export interface RpmdbReadLimits {
  /** Wall-clock budget for the whole read, worker start included. */
  timeoutMs?: number;
  /** JavaScript heap of the worker. */
  heapMb?: number;
}

export const RPMDB_SQLITE_LIMITS = { timeoutMs: 60_000, heapMb: 1024 } as const;

const WORKER = siblingModule(import.meta.url, 'sqlite-worker');

export function readSqliteRpmdb(file: Buffer, limits: RpmdbReadLimits = {}): { blobs: Buffer[]; problems: string[] } {
  if (file.length < 100 || file.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
    throw new ScoutError('rpm-sqlite', 'not an SQLite database (bad header)');
  }
  const timeoutMs = limits.timeoutMs ?? RPMDB_SQLITE_LIMITS.timeoutMs;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  // A copy the worker owns: the captured file stays the tree's.
  const copy = new Uint8Array(file);
  const worker = startModuleWorker(WORKER, {
    data: { file: copy, port: port2, flag },
    transferList: [port2, copy.buffer],
    resourceLimits: { maxOldGenerationSizeMb: limits.heapMb ?? RPMDB_SQLITE_LIMITS.heapMb },
  });
  try {
    const waited = Atomics.wait(flag, 0, 0, timeoutMs);
    const msg = receiveMessageOnPort(port1)?.message as
      | { ok: true; data: Uint8Array; ends: Float64Array; problems: string[] }
      | { ok: false; code: string; message: string }
      | undefined;
    if (waited === 'timed-out' || !msg) {
      throw new ScoutError('rpm-sqlite-limit', waited === 'timed-out' ? `reading the database took longer than ${timeoutMs} ms; stopped` : 'the database reader stopped without an answer (out of memory?)');
    }
    if (!msg.ok) throw new ScoutError(msg.code, msg.message);
    const data = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
    const blobs: Buffer[] = [];
    let start = 0;
    for (const end of msg.ends) {
      blobs.push(data.subarray(start, end));
      start = end;
    }
    return { blobs, problems: msg.problems };
  } finally {
    port1.close();
    void worker.terminate();
    worker.unref();
  }
}
