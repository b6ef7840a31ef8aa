/**
 * The job queue on SQLite: the server runs its jobs in its own process, so one machine needs
 * nothing else. Jobs are rows in the same database file (they survive a restart); a `send`
 * wakes this process's loop, and since better-sqlite3 is one connection that Kysely hands out
 * to one transaction at a time, the claim after a `send` inside a transaction waits for that
 * transaction to commit. Only one process may run jobs on a SQLite file: separate workers
 * need PostgreSQL.
 */
import type { JobDb } from './queue.js';
import { TableJobQueue } from './table-queue.js';

export class InlineJobQueue extends TableJobQueue {
  readonly dialect = 'sqlite' as const;
  protected readonly skipLocked = false;

  protected async notify(_db: JobDb, name: string): Promise<void> {
    this.wake(name);
  }

  protected async listen(): Promise<void> {}

  protected async unlisten(): Promise<void> {}
}
