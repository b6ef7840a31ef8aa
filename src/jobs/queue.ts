/**
 * The durable job queue: re-match jobs, webhook deliveries, advisory syncs and image analyses go
 * through it. Two implementations share one `jobs` table (src/jobs/table-queue.ts):
 * - PostgreSQL (pg-queue.ts): any number of `scout worker` processes on any machine claim jobs
 *   with `FOR UPDATE SKIP LOCKED` through a partial index over ready jobs, woken by NOTIFY.
 * - SQLite (inline-queue.ts): the server runs the same jobs in its own process.
 *
 * The contract every handler relies on:
 * - A job's effects and its completion commit in ONE transaction (`apply` gets it). A worker
 *   killed mid-job commits neither; the job is claimed again once its lease runs out and its
 *   effects apply exactly once. Two copies of one job can never both commit: completion checks
 *   that this worker still holds the job.
 * - `prepare` (optional) runs before that transaction, for network I/O such as a webhook POST,
 *   so no transaction stays open across a slow peer. It may run more than once for one job
 *   (at-least-once): what it does must be safe to repeat, or deduplicated by its receiver.
 * - `send` with `db` set to a transaction enqueues inside it: the job exists if and only if
 *   that transaction commits (the outbox pattern).
 * - `key` deduplicates pending jobs: while a job of that name and key waits to run, sending
 *   another is a no-op that returns the waiting job's id. A job already running does not count
 *   (it may have read its input already), so a new one is queued behind it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { JobPhases } from './phases.js';
import type { JobsDatabase } from './schema.js';

/** A database handle the queue can write through: the queue's own, or a caller's transaction. */
export type JobDb = Kysely<JobsDatabase> | Transaction<JobsDatabase>;

export interface SendOptions {
  /** Deduplicates against a pending (not yet started) job of the same name and key. */
  key?: string;
  /** Enqueue inside this transaction (or on this handle). Default: the queue's own database. */
  db?: JobDb;
  /** Not before this time. */
  runAt?: Date;
  /** Attempts before the job is marked failed (default 5). */
  maxAttempts?: number;
  /** First retry delay; each further retry doubles it, capped at one hour (default 1 s). */
  backoffMs?: number;
}

export interface Job<P = unknown> {
  id: string;
  name: string;
  payload: P;
  key?: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the queue stops: handlers check it between batches. */
  signal: AbortSignal;
  /** Where this attempt's time goes (phases.ts): handlers add their own phases with `timed`. */
  phases: JobPhases;
}

export interface JobHandler<P = unknown, R = void> {
  /** Runs outside any transaction (network I/O); its result is passed to `apply`. */
  prepare?(job: Job<P>): Promise<R>;
  /** The job's effects, in the transaction that also marks it done. */
  apply(job: Job<P>, trx: Transaction<JobsDatabase>, prepared: R): Promise<void>;
  /**
   * With `groupCommit`: the effects of several jobs at once (a multi-row insert instead of one
   * statement each: on PostgreSQL every statement is a round trip); `apply` when absent.
   */
  applyGroup?(items: readonly { job: Job<P>; prepared: R }[], trx: Transaction<JobsDatabase>): Promise<void>;
  /** The queue records the CPU of the job's prepare and commit too (phases.ts `cpu`): for long jobs. */
  phaseCpu?: boolean;
}

/** Thrown by a handler when retrying cannot help: the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export interface WorkOptions {
  /** Jobs of this name run at once in this process (default 1). */
  concurrency?: number;
  /**
   * Jobs of this name whose `prepare` ended at about the same time commit together: one
   * transaction runs each one's hold, `apply` and completion, so many small jobs (webhook
   * deliveries) cost one commit instead of one each. Each job's effects still commit with its
   * own completion; if anything in the group fails, every job of it runs again alone.
   */
  groupCommit?: boolean;
}

export interface QueueDepth {
  name: string;
  state: JobState;
  count: number;
}

export interface JobDurations {
  name: string;
  /** Finished jobs still kept (see `prune`), their total run time and how many failed. */
  count: number;
  totalMs: number;
  failed: number;
}

/** `retry`: waiting again after a failed or lost attempt (apart from `ready`, so a new job with the same key is not blocked by it). */
export type JobState = 'ready' | 'retry' | 'active' | 'done' | 'failed';

/** Something that happened to a job in this process: for logs and metrics. */
export interface JobOutcome {
  id: string;
  name: string;
  attempt: number;
  ok: boolean;
  durationMs: number;
  /** When this attempt was claimed (ms since the epoch). */
  startedAt: number;
  /** Where its time went: `claim` (waiting to be claimed once runnable), `prepare`, `commit`, and the handler's own. */
  phases: JobPhases;
  error?: string;
  /** Set when the job will run again. */
  retryAt?: Date;
}

export interface JobQueue {
  readonly dialect: 'sqlite' | 'postgres';
  /** Names this process in the jobs it holds (`locked_by`) and in its logs. */
  readonly workerId: string;
  /** Enqueues a job; returns its id (or the id of the pending job with the same key). */
  send<P>(name: string, payload: P, opts?: SendOptions): Promise<string>;
  /** Enqueues many jobs of one name in one statement (no key); one wake-up. */
  sendMany<P>(name: string, payloads: readonly P[], opts?: Omit<SendOptions, 'key'>): Promise<string[]>;
  /** Registers the handler of a job name; jobs start once `start()` was called. */
  work<P, R = void>(name: string, handler: JobHandler<P, R>, opts?: WorkOptions): void;
  work<P>(name: string, apply: JobHandler<P, void>['apply'], opts?: WorkOptions): void;
  /** Starts claiming jobs for the registered names. */
  start(): Promise<void>;
  /** Stops claiming, aborts `job.signal`, waits for running jobs (up to `graceMs`), closes listeners. */
  stop(graceMs?: number): Promise<void>;
  /** True between `start()` and `stop()`. */
  isRunning(): boolean;
  /** Makes a waiting job (one sent with a later `runAt`) runnable now; false when it is not waiting. */
  runNow(id: string): Promise<boolean>;
  /** Deletes a job that has not started; false when it started already (or is gone). */
  cancel(id: string): Promise<boolean>;
  /** Jobs by name and state. */
  depth(): Promise<QueueDepth[]>;
  /** Run times of the finished jobs still kept, by name. */
  durations(): Promise<JobDurations[]>;
  /** Deletes done and failed jobs finished before `olderThan`; returns how many. */
  prune(olderThan: Date): Promise<number>;
  /** Resolves once no job is ready or active (optionally only for these names); for tests and benchmarks. */
  idle(names?: readonly string[], timeoutMs?: number): Promise<void>;
  /** Called after each job attempt in this process. */
  onOutcome(listener: (o: JobOutcome) => void): void;
}

const MAX_BACKOFF_MS = 3_600_000;

/** The delay before retry number `attempt` (1 = after the first failure): base, 2×base, 4×base…, capped at one hour. */
export function backoffDelay(attempt: number, baseMs: number): number {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));
}
