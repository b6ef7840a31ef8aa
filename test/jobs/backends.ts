/**
 * The two databases the queue runs on, opened fresh for one test: SQLite in a temp file and
 * PostgreSQL in a schema of its own (dropped when the test ends).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { migrateJobs, type JobsDatabase } from '../../src/jobs/schema.js';
import type { TableJobQueue, TableQueueOptions } from '../../src/jobs/table-queue.js';
import { InlineJobQueue } from '../../src/jobs/inline-queue.js';
import { PgJobQueue } from '../../src/jobs/pg-queue.js';
import { pgSchema } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface QueueDb {
  db: Kysely<JobsDatabase>;
  url?: string;
  schema?: string;
  queue(opts?: TableQueueOptions): TableJobQueue;
}

type After = { after: (fn: () => Promise<void>) => void };

export async function openQueueDb(backend: Backend, t: After): Promise<QueueDb> {
  if (backend === 'sqlite') {
    const file = join(tempDir(), 'jobs.db');
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    const db = new Kysely<JobsDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateJobs(db, 'sqlite');
    const queues: TableJobQueue[] = [];
    t.after(async () => {
      for (const q of queues) await q.stop(1000);
      await db.destroy();
    });
    return {
      db,
      queue: (opts) => {
        const q = new InlineJobQueue(db, opts);
        queues.push(q);
        return q;
      },
    };
  }
  const s = await pgSchema();
  const pool = new pg.Pool({ connectionString: s.url, options: `-c search_path=${s.schema}`, max: 6 });
  const db = new Kysely<JobsDatabase>({ dialect: new PostgresDialect({ pool }) });
  await migrateJobs(db, 'postgres');
  const queues: TableJobQueue[] = [];
  t.after(async () => {
    for (const q of queues) await q.stop(1000);
    await db.destroy();
    await s.drop();
  });
  return {
    db,
    url: s.url,
    schema: s.schema,
    queue: (opts) => {
      const q = new PgJobQueue(db, { url: s.url, schema: s.schema, ...opts });
      queues.push(q);
      return q;
    },
  };
}

/** A table the test handlers write their effects to; no unique key, so a duplicate would show. */
export async function createEffects(db: Kysely<JobsDatabase>): Promise<void> {
  await sql`CREATE TABLE effects (job_id text NOT NULL, value text NOT NULL)`.execute(db);
}

export async function effects(db: Kysely<JobsDatabase>): Promise<{ job_id: string; value: string }[]> {
  const r = await sql<{ job_id: string; value: string }>`SELECT job_id, value FROM effects ORDER BY value, job_id`.execute(db);
  return r.rows;
}
