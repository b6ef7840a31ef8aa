import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
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
 * The thread is kept for the next read while it behaves (see readSqliteRpmdb).
 */
export interface RpmdbReadLimits {
  /** Wall-clock budget for the whole read, the worker's start included when it needs one. */
  timeoutMs?: number;
  /** JavaScript heap of the worker. */
  heapMb?: number;
}

export const RPMDB_SQLITE_LIMITS = { timeoutMs: 60_000, heapMb: 1024 } as const;

const WORKER = siblingModule(import.meta.url, 'sqlite-worker');

/** A reader thread, kept between reads: starting one cost more than most reads (see readSqliteRpmdb). */
interface Reader {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
  heapMb: number;
}

let idle: Reader | undefined;
let started = 0;

/** Reader threads started in this process so far (each read that overran its budget costs one). */
export function rpmdbReadersStarted(): number {
  return started;
}

function reader(heapMb: number): Reader {
  if (idle && idle.heapMb === heapMb) {
    const r = idle;
    idle = undefined;
    return r;
  }
  retire(idle);
  idle = undefined;
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = startModuleWorker(WORKER, { data: { port: port2, flag }, transferList: [port2], resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  // An idle reader must not keep the process alive.
  worker.unref();
  port1.unref();
  started++;
  return { worker, port: port1, flag, heapMb };
}

function retire(r: Reader | undefined): void {
  if (!r) return;
  r.port.close();
  void r.worker.terminate();
}

/**
 * Each read gets the whole time budget and the heap limit of its thread, as when every read had
 * a thread of its own: a read that overruns the time (or dies of the heap limit, and so never
 * answers) has its thread terminated, and the next read starts a new one. A thread that
 * answered is kept for the next read; it holds nothing of the last one.
 */
export function readSqliteRpmdb(file: Buffer, limits: RpmdbReadLimits = {}): { blobs: Buffer[]; problems: string[] } {
  if (file.length < 100 || file.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
    throw new ScoutError('rpm-sqlite', 'not an SQLite database (bad header)');
  }
  const timeoutMs = limits.timeoutMs ?? RPMDB_SQLITE_LIMITS.timeoutMs;
  const r = reader(limits.heapMb ?? RPMDB_SQLITE_LIMITS.heapMb);
  let keep = false;
  try {
    Atomics.store(r.flag, 0, 0);
    // A copy the worker owns: the captured file stays the tree's.
    const copy = new Uint8Array(file);
    r.port.postMessage(copy, [copy.buffer]);
    const waited = Atomics.wait(r.flag, 0, 0, timeoutMs);
    const msg = receiveMessageOnPort(r.port)?.message as
      | { ok: true; data: Uint8Array; ends: Float64Array; problems: string[] }
      | { ok: false; code: string; message: string }
      | undefined;
    if (waited === 'timed-out' || !msg) {
      throw new ScoutError('rpm-sqlite-limit', waited === 'timed-out' ? `reading the database took longer than ${timeoutMs} ms; stopped` : 'the database reader stopped without an answer (out of memory?)');
    }
    keep = true;
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
    if (keep && !idle) idle = r;
    else retire(r);
  }
}
