/**
 * One writer at a time per SQLite file, in this process, waited for without blocking the event loop.
 *
 * The server's advisory store and platform store are separate better-sqlite3 connections, often
 * to the same file. SQLite lets one connection write at a time; a second that asks meanwhile
 * spins in busy_timeout, which in better-sqlite3 sleeps the whole thread, so the holder (an
 * advisory import streamed across awaits, on this same thread) can never finish and release:
 * the second writer stalls the server for the full timeout and then fails "database is locked".
 * Every writer of a file in this process therefore takes the file's gate, keyed by its real
 * path, before it begins a write transaction and gives it back after COMMIT or ROLLBACK; a
 * writer that finds it taken awaits its turn (first come, first served) while the event loop,
 * the holder included, carries on. Readers take nothing (WAL lets them read while one writes).
 * Other processes on the same file (a CLI `scout server db import`) do not see this gate: for
 * them busy_timeout still applies, which is fine as their sleeping blocks only themselves.
 * The gate is not re-entrant: a holder must not wait for the gate again (see the callers for
 * how a transaction's own statements are let through).
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

export class WriteGate {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;
  private ended = 0;

  /** Waits for the gate; the returned function gives it back (calling it again does nothing). */
  async acquire(): Promise<() => void> {
    let open!: () => void;
    const mine = new Promise<void>((r) => (open = r));
    const before = this.tail;
    this.tail = before.then(() => mine);
    this.waiting++;
    await before;
    this.waiting--;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.ended++;
      open();
    };
  }

  /** Runs `fn` holding the gate. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Writes of this process to the file that have ended (committed or not): a reader's cue that the data may have changed. */
  get writesEnded(): number {
    return this.ended;
  }

  /** Writers waiting for the gate (not counting the holder). */
  get queued(): number {
    return this.waiting;
  }
}

const gates = new Map<string, WriteGate>();

/**
 * The gate of the database file at `path`, shared by every connection to it in this process
 * (by real path, so a symlink or a relative path meets the same gate). An in-memory database
 * is private to its connection: it gets a gate of its own.
 */
export function writeGateFor(path: string): WriteGate {
  if (path === ':memory:' || path === '') return new WriteGate();
  let key: string;
  try {
    key = realpathSync(path);
  } catch {
    // Not created yet: callers open the file before asking, so this is the path it will have.
    key = resolve(path);
  }
  let gate = gates.get(key);
  if (!gate) {
    gate = new WriteGate();
    gates.set(key, gate);
  }
  return gate;
}
