/**
 * The queue over the `jobs` table, written once for both backends; pg-queue.ts and
 * inline-queue.ts add how a worker is woken and whether claims skip locked rows.
 *
 * How exactly-once effects hold (see queue.ts for the contract):
 * 1. claim: one UPDATE moves ready jobs to `active`, stamping this worker and a lease.
 * 2. the handler's transaction first re-stamps its own row (`WHERE locked_by = me AND state =
 *    'active'`): on PostgreSQL that row lock lasts until commit, so a live job is never
 *    reclaimed (the reclaim skips locked rows), and a job reclaimed meanwhile is abandoned.
 * 3. completion in the same transaction must update exactly that one row, or everything rolls back.
 * A worker killed after 1 leaves an `active` row with no lock: once its lease has passed, any
 * worker moves it to `retry`, and the next claim runs it again from scratch.
 * A live job is not taken for a dead one however long it runs: while its `prepare` works (a
 * re-match over 100,000 images, an advisory download), a heartbeat renews the lease every third
 * of it; from step 2 on, the row lock (PostgreSQL) or the one connection (SQLite) protects it.
 * A heartbeat that finds the job no longer its own aborts `job.signal`.
 * Leases are reckoned by the database's clock, in the statement that writes or reads them: a
 * claim or renewal that waited (the server's SQLite write gate during a long advisory import, a
 * busy pool) writes a deadline from when it ran, not from when it was asked for, and workers on
 * machines whose clocks disagree judge a lease alike. And a queue never reclaims a job it is
 * running itself: that job is alive whatever its lease says (on SQLite its renewals may be
 * waiting at the gate behind an import while the reclaim's own turn comes first).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { uuidv7 } from '../util/uuid7.js';
import {
  backoffDelay,
  PermanentJobError,
  type Job,
  type JobDb,
  type JobDurations,
  type JobHandler,
  type JobOutcome,
  type JobQueue,
  type JobState,
  type QueueDepth,
  type SendOptions,
  type WorkOptions,
} from './queue.js';
import { timed } from './phases.js';
import type { JobsDatabase, JobsTable } from './schema.js';

export interface TableQueueOptions {
  /** How long a claimed job is protected before another worker may take it over (default 30 s). */
  leaseMs?: number;
  /** How often to look for jobs when nothing woke the worker (default 1 s). */
  pollMs?: number;
  /** How often to reclaim jobs of dead workers (default: leaseMs / 2, at most 5 s). */
  reclaimMs?: number;
  /** Names this worker in `locked_by` (default host:pid:random). */
  workerId?: string;
}

interface Registered {
  handler: JobHandler<unknown, unknown>;
  concurrency: number;
  running: number;
  /** Of those, still in `prepare`: a group waits for them (briefly) before it commits. */
  preparing: number;
  /** With groupCommit: prepared jobs waiting for the group's transaction. */
  group?: PreparedJob[];
  /** The group's commit is scheduled: at the next turn (`now`), or when GROUP_WAIT_MS end. */
  flush?: { now: boolean; timer?: NodeJS.Timeout };
}

/** A job whose `prepare` is done, waiting to commit with others of its name. */
interface PreparedJob {
  job: Job;
  row: JobsTable;
  prepared: unknown;
  started: number;
  /** Settles once its effects committed (true), or when it must run alone (false). */
  done: (committed: boolean) => void;
}

/** Jobs committed in one grouped transaction at most. */
const GROUP_LIMIT = 64;
/**
 * How long a prepared job waits for the others of its name still preparing (deliveries of one
 * claim answer within a few ms of each other) before its group commits without them: one
 * transaction (and one claim after it) instead of one per job, at the cost of this much delay
 * at most behind a slow peer.
 */
const GROUP_WAIT_MS = 5;

/** Another worker took the job over (its lease ran out): this copy must not commit. */
class LostJob extends Error {}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_BACKOFF_MS = 1000;

export abstract class TableJobQueue implements JobQueue {
  abstract readonly dialect: 'sqlite' | 'postgres';
  protected readonly leaseMs: number;
  protected readonly pollMs: number;
  protected readonly reclaimMs: number;
  readonly workerId: string;
  private readonly handlers = new Map<string, Registered>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids of the jobs this queue is running now: its reclaim leaves them alone. */
  private readonly runningIds = new Set<string>();
  private readonly listeners: ((o: JobOutcome) => void)[] = [];
  private controller = new AbortController();
  private running = false;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  /**
   * Names worth a claim at the next turn of the loop: those a send or a notification named, a
   * job of which just ended, or whose last claim was full. The rest wait for the poll timer
   * (which sets `claimAll`), so a finished delivery costs one claim, not one per job name.
   */
  private readonly hinted = new Set<string>();
  private claimAll = true;
  private loop: Promise<void> | undefined;
  private lastReclaim = 0;

  constructor(
    readonly db: Kysely<JobsDatabase>,
    opts: TableQueueOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 1000;
    this.reclaimMs = opts.reclaimMs ?? Math.min(5000, Math.max(50, Math.floor(this.leaseMs / 2)));
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  /** Claims skip rows another transaction has locked (PostgreSQL) or need not (one SQLite connection). */
  protected abstract readonly skipLocked: boolean;
  /** Tells workers a job of this name is ready (after `db` commits). */
  protected abstract notify(db: JobDb, name: string): Promise<void>;
  /** Begins delivering wake-ups to `wake()`. */
  protected abstract listen(): Promise<void>;
  protected abstract unlisten(): Promise<void>;

  async send<P>(name: string, payload: P, opts: SendOptions = {}): Promise<string> {
    const db = opts.db ?? this.db;
    const now = Date.now();
    const row = newJobRow(name, payload, opts.key ?? null, opts, now);
    let id: string | undefined;
    if (opts.key === undefined) {
      await db.insertInto('jobs').values(row).execute();
      id = row.id;
    } else {
      const inserted = await db
        .insertInto('jobs')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['name', 'key'])
            // Literal, not bound: SQLite matches a partial index only by its exact predicate.
            .where(sql<boolean>`state = 'ready' AND key IS NOT NULL`)
            .doNothing(),
        )
        .returning('id')
        .executeTakeFirst();
      id = inserted?.id;
      if (id === undefined) {
        const pending = await db.selectFrom('jobs').select('id').where('name', '=', name).where('key', '=', opts.key).where('state', '=', 'ready').executeTakeFirst();
        // It started between our insert and this read: the insert can succeed now.
        if (!pending) return this.send(name, payload, opts);
        return pending.id;
      }
    }
    // A job held for later wakes nobody: the claim could not take it, and on SQLite the claim's
    // write would meet an advisory import holding the file's write lock on another connection
    // of this same thread (ingestAdvisories queues the held re-match just before importing), a
    // wait that cannot end before busy_timeout.
    if (row.run_at <= now) await this.notify(db, name);
    return id;
  }

  async sendMany<P>(name: string, payloads: readonly P[], opts: Omit<SendOptions, 'key'> = {}): Promise<string[]> {
    if (!payloads.length) return [];
    const db = opts.db ?? this.db;
    const now = Date.now();
    const rows = payloads.map((payload) => newJobRow(name, payload, null, opts, now));
    for (let i = 0; i < rows.length; i += 2000) await db.insertInto('jobs').values(rows.slice(i, i + 2000)).execute();
    await this.notify(db, name);
    return rows.map((r) => r.id);
  }

  work<P, R = void>(name: string, handler: JobHandler<P, R>, opts?: WorkOptions): void;
  work<P>(name: string, apply: JobHandler<P, void>['apply'], opts?: WorkOptions): void;
  work<P, R = void>(name: string, handler: JobHandler<P, R> | JobHandler<P, R>['apply'], opts: WorkOptions = {}): void {
    if (this.handlers.has(name)) throw new Error(`a handler for job "${name}" is already registered`);
    const h = typeof handler === 'function' ? { apply: handler } : handler;
    this.handlers.set(name, { handler: h as JobHandler<unknown, unknown>, concurrency: Math.max(1, opts.concurrency ?? 1), running: 0, preparing: 0, ...(opts.groupCommit ? { group: [] } : {}) });
    this.wake(name);
  }

  onOutcome(listener: (o: JobOutcome) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.controller = new AbortController();
    await this.listen();
    this.loop = this.runLoop();
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loop;
    const all = Promise.allSettled([...this.inFlight]);
    const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
    await Promise.race([all, timer]);
    this.controller.abort();
    await Promise.race([all, new Promise<void>((r) => setTimeout(r, 1000).unref())]);
    await this.unlisten();
  }

  /** Wakes the claim loop now (a job was sent, one finished, a notification arrived): for jobs of `name`, or of every name. */
  protected wake(name?: string): void {
    if (name === undefined) this.claimAll = true;
    else this.hinted.add(name);
    this.woken = true;
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let claimed = 0;
      try {
        if (Date.now() - this.lastReclaim >= this.reclaimMs) {
          this.lastReclaim = Date.now();
          await this.reclaimExpired();
        }
        const names = this.claimAll ? [...this.handlers.keys()] : [...this.hinted];
        this.claimAll = false;
        this.hinted.clear();
        for (const name of names) {
          const reg = this.handlers.get(name);
          if (!reg) continue;
          const free = reg.concurrency - reg.running;
          if (free <= 0) {
            // Busy: claim again when one of them ends.
            this.hinted.add(name);
            continue;
          }
          const rows = await this.claim(name, free);
          // A full claim may have left more behind.
          if (rows.length === free) this.hinted.add(name);
          claimed += rows.length;
          for (const row of rows) this.launch(reg, row);
        }
      } catch {
        // The database is unreachable or restarting: try again after a poll interval.
        claimed = 0;
        this.claimAll = true;
      }
      if (!this.running) break;
      if (claimed > 0 && !this.allBusy()) continue;
      if (this.woken) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.claimAll = true;
          resolve();
        }, Math.min(this.pollMs, this.reclaimMs));
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private allBusy(): boolean {
    for (const reg of this.handlers.values()) if (reg.running < reg.concurrency) return false;
    return true;
  }

  private async claim(name: string, limit: number): Promise<JobsTable[]> {
    const now = Date.now();
    const lock = this.skipLocked ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const r = await sql<JobsTable>`
      UPDATE jobs SET state = 'active', attempts = attempts + 1, locked_by = ${this.workerId},
        locked_until = ${this.leaseEnd()}, started_at = ${now}
      WHERE id IN (
        SELECT id FROM jobs WHERE state IN ('ready', 'retry') AND name = ${name} AND run_at <= ${now}
        ORDER BY run_at, id LIMIT ${limit} ${lock})
      RETURNING *`.execute(this.db);
    return r.rows;
  }

  /** Jobs whose worker died: back to `retry` (or `failed` when no attempt is left). Never one this queue is running. */
  async reclaimExpired(): Promise<number> {
    const now = Date.now();
    const lock = this.skipLocked ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const mine = this.runningIds.size ? sql`AND id NOT IN (${sql.join([...this.runningIds])})` : sql``;
    const r = await sql`
      UPDATE jobs SET
        state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'retry' END,
        finished_at = CASE WHEN attempts >= max_attempts THEN CAST(${now} AS bigint) ELSE NULL END,
        run_at = ${now}, locked_by = NULL, locked_until = NULL,
        last_error = 'worker lost: lease expired'
      WHERE id IN (SELECT id FROM jobs WHERE state = 'active' AND locked_until < ${this.dbNowMs()} ${mine} ${lock})`.execute(this.db);
    const n = Number(r.numAffectedRows ?? 0);
    if (n > 0) this.wake();
    return n;
  }

  private launch(reg: Registered, row: JobsTable): void {
    reg.running++;
    this.runningIds.add(row.id);
    const p = this.runJob(reg, row).finally(() => {
      reg.running--;
      this.runningIds.delete(row.id);
      this.inFlight.delete(p);
      this.wake(row.name);
    });
    this.inFlight.add(p);
  }

  private async runJob(reg: Registered, row: JobsTable): Promise<void> {
    const { handler } = reg;
    // The claim's own clock (the row's started_at), so `claim` below is the wait the queue saw.
    const started = Number(row.started_at ?? Date.now());
    const lost = new AbortController();
    const job: Job = {
      id: row.id,
      name: row.name,
      payload: JSON.parse(row.payload) as unknown,
      key: row.key ?? undefined,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      signal: AbortSignal.any([this.controller.signal, lost.signal]),
      phases: { claim: Math.max(0, started - Number(row.run_at)) },
    };
    const heartbeat = this.heartbeat(row.id, lost);
    reg.preparing++;
    try {
      let prepared: unknown;
      try {
        prepared = handler.prepare ? await timed(job.phases, 'prepare', () => handler.prepare!(job), handler.phaseCpu) : undefined;
      } finally {
        reg.preparing--;
        // The transaction's first statement renews the lease and, from then on, holds the row.
        await heartbeat.stop();
      }
      if (lost.signal.aborted) throw new LostJob();
      await timed(job.phases, 'commit', async () => {
        const grouped = reg.group ? await this.commitInGroup(reg, { job, row, prepared, started }) : false;
        if (!grouped) await this.db.transaction().execute((trx) => this.applyAndComplete(trx, handler, job, row.id, prepared, started));
      }, handler.phaseCpu);
      this.emit({ id: job.id, name: job.name, attempt: job.attempt, ok: true, durationMs: Date.now() - started, startedAt: started, phases: job.phases });
    } catch (err) {
      if (err instanceof LostJob || lost.signal.aborted) return;
      await this.fail(job, row, started, err);
    }
  }

  /** A job's effects and its completion, in the caller's transaction; LostJob when the job is no longer this worker's. */
  private async applyAndComplete(trx: Transaction<JobsDatabase>, handler: JobHandler<unknown, unknown>, job: Job, id: string, prepared: unknown, started: number): Promise<void> {
    await this.hold(trx, id);
    await handler.apply(job, trx, prepared);
    const done = await trx
      .updateTable('jobs')
      .set({ state: 'done', finished_at: Date.now(), duration_ms: Date.now() - started, locked_by: null, locked_until: null, last_error: null })
      .where('id', '=', id)
      .where('locked_by', '=', this.workerId)
      .where('state', '=', 'active')
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new LostJob();
  }

  /**
   * Waits for the grouped transaction of the jobs of this name prepared together (see
   * `scheduleFlush`): true once this job's effects and completion committed in it; false when
   * the group failed (one job's apply threw, one was lost), so each of them runs alone, as
   * without grouping, and what failed fails on its own.
   */
  private commitInGroup(reg: Registered, item: Omit<PreparedJob, 'done'>): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      reg.group!.push({ ...item, done: resolve });
      this.scheduleFlush(reg);
    });
  }

  /**
   * The group commits at the next turn of the event loop once no job of its name is still
   * preparing (none is about to join) or it is full; else when GROUP_WAIT_MS have passed since
   * its first job was prepared.
   */
  private scheduleFlush(reg: Registered): void {
    const group = reg.group!;
    if (!group.length || reg.flush?.now) return;
    if (reg.preparing > 0 && group.length < GROUP_LIMIT) {
      if (!reg.flush) reg.flush = { now: false, timer: setTimeout(() => this.flushNow(reg), GROUP_WAIT_MS) };
      return;
    }
    this.flushNow(reg);
  }

  private flushNow(reg: Registered): void {
    clearTimeout(reg.flush?.timer);
    reg.flush = { now: true };
    setImmediate(() => {
      reg.flush = undefined;
      void this.flushGroup(reg);
    });
  }

  private async flushGroup(reg: Registered): Promise<void> {
    const items = reg.group!.splice(0, GROUP_LIMIT);
    this.scheduleFlush(reg);
    if (!items.length) return;
    if (items.length === 1) return items[0].done(false);
    const ids = items.map((it) => it.row.id);
    try {
      await this.db.transaction().execute(async (trx) => {
        // Complete every job of the group first, then apply: two statements for the group when
        // the handler applies groups. The completion holds the rows as `hold` does one (it
        // updates only jobs still this worker's and locks them until commit), so no separate
        // hold is needed; a job lost meanwhile rolls the whole group back.
        const now = Date.now();
        const done = await trx
          .updateTable('jobs')
          .set({ state: 'done', finished_at: now, duration_ms: sql<number>`${now} - started_at`, locked_by: null, locked_until: null, last_error: null })
          .where('id', 'in', ids)
          .where('locked_by', '=', this.workerId)
          .where('state', '=', 'active')
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) !== ids.length) throw new LostJob();
        if (reg.handler.applyGroup) await reg.handler.applyGroup(items, trx);
        else for (const it of items) await reg.handler.apply(it.job, trx, it.prepared);
      });
    } catch {
      for (const it of items) it.done(false);
      return;
    }
    for (const it of items) it.done(true);
  }

  /**
   * Renews the lease of a running job every third of `leaseMs` until stopped. When the row is no
   * longer this worker's (its lease ran out anyway, say after a long pause of the process),
   * `lost` is aborted: the handler can stop early, and the copy will not commit.
   */
  private heartbeat(id: string, lost: AbortController): { stop(): Promise<void> } {
    let beat: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      beat = beat.then(async () => {
        try {
          if (!(await this.renewLease(this.db, id))) lost.abort(new LostJob());
        } catch {
          // The database is unreachable: the next beat tries again; the lease may lapse meanwhile.
        }
      });
    }, Math.max(10, Math.floor(this.leaseMs / 3)));
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await beat;
      },
    };
  }

  /** Re-stamps this worker's claim inside the job's transaction: the row stays locked until commit. */
  private async hold(trx: Transaction<JobsDatabase>, id: string): Promise<void> {
    if (!(await this.renewLease(trx, id))) throw new LostJob();
  }

  /** Extends the lease of a job this worker holds; false when the job is no longer its own. */
  private async renewLease(db: JobDb, id: string): Promise<boolean> {
    const r = await db
      .updateTable('jobs')
      .set({ locked_until: this.leaseEnd() })
      .where('id', '=', id)
      .where('locked_by', '=', this.workerId)
      .where('state', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Now, in epoch milliseconds by the database's clock, when the statement runs. */
  private dbNowMs(): RawBuilder<number> {
    // clock_timestamp(), not now(): now() is when the transaction began, which may be long ago.
    return this.dialect === 'postgres' ? sql<number>`CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS bigint)` : sql<number>`CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;
  }

  /** A lease's end: `leaseMs` from when the statement runs. */
  private leaseEnd(): RawBuilder<number> {
    return sql<number>`${this.dbNowMs()} + ${this.leaseMs}`;
  }

  private async fail(job: Job, row: JobsTable, started: number, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const last = err instanceof PermanentJobError || job.attempt >= row.max_attempts;
    const now = Date.now();
    const retryAt = last ? undefined : new Date(now + backoffDelay(job.attempt, row.backoff_ms));
    try {
      await this.db
        .updateTable('jobs')
        .set({
          state: last ? 'failed' : 'retry',
          run_at: retryAt ? retryAt.getTime() : now,
          finished_at: last ? now : null,
          duration_ms: now - started,
          locked_by: null,
          locked_until: null,
          last_error: message.slice(0, 2000),
        })
        .where('id', '=', row.id)
        .where('locked_by', '=', this.workerId)
        .where('state', '=', 'active')
        .execute();
    } catch {
      // The database went away: the lease runs out and another attempt follows.
    }
    this.emit({ id: job.id, name: job.name, attempt: job.attempt, ok: false, durationMs: now - started, startedAt: started, phases: job.phases, error: message, ...(retryAt ? { retryAt } : {}) });
  }

  private emit(o: JobOutcome): void {
    for (const l of this.listeners) {
      try {
        l(o);
      } catch {
        // A listener's bug must not fail the job.
      }
    }
  }

  isRunning(): boolean {
    return this.running;
  }

  async runNow(id: string): Promise<boolean> {
    const row = await this.db.updateTable('jobs').set({ run_at: Date.now() }).where('id', '=', id).where('state', 'in', ['ready', 'retry']).returning('name').executeTakeFirst();
    if (!row) return false;
    await this.notify(this.db, row.name);
    return true;
  }

  async cancel(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('jobs').where('id', '=', id).where('state', '=', 'ready').executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async depth(): Promise<QueueDepth[]> {
    const rows = await this.db.selectFrom('jobs').select(['name', 'state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['name', 'state']).orderBy('name').orderBy('state').execute();
    return rows.map((r) => ({ name: r.name, state: r.state as JobState, count: Number(r.n) }));
  }

  async durations(): Promise<JobDurations[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select([
        'name',
        (eb) => eb.fn.countAll<number>().as('n'),
        (eb) => eb.fn.sum<number>('duration_ms').as('total'),
        (eb) => eb.fn.sum<number>(eb.case().when('state', '=', 'failed').then(1).else(0).end()).as('failed'),
      ])
      .where('state', 'in', ['done', 'failed'])
      .groupBy('name')
      .orderBy('name')
      .execute();
    return rows.map((r) => ({ name: r.name, count: Number(r.n), totalMs: Number(r.total ?? 0), failed: Number(r.failed ?? 0) }));
  }

  async prune(olderThan: Date): Promise<number> {
    const r = await this.db.deleteFrom('jobs').where('state', 'in', ['done', 'failed']).where('finished_at', '<', olderThan.getTime()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async idle(names?: readonly string[], timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let q = this.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'in', ['ready', 'retry', 'active']);
      if (names?.length) q = q.where('name', 'in', names);
      const row = await q.executeTakeFirstOrThrow();
      if (Number(row.n) === 0) return;
      if (Date.now() > deadline) throw new Error(`job queue still busy after ${timeoutMs} ms (${Number(row.n)} jobs waiting or running)`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** A new job's row, ready to run at opts.runAt (else now); one shape for single and bulk sends. */
function newJobRow(name: string, payload: unknown, key: string | null, opts: { maxAttempts?: number; backoffMs?: number; runAt?: Date }, now: number) {
  return {
    id: uuidv7(now),
    name,
    key,
    payload: JSON.stringify(payload ?? null),
    state: 'ready',
    attempts: 0,
    max_attempts: Math.max(1, opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    backoff_ms: Math.max(0, opts.backoffMs ?? DEFAULT_BACKOFF_MS),
    run_at: opts.runAt ? opts.runAt.getTime() : now,
    created_at: now,
  };
}
