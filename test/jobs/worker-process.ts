/**
 * A worker process for the kill test: runs the PostgreSQL queue on the schema given, with a
 * `write` job that records its effect and, on a job marked slow, stays inside its transaction
 * for a long time on its first attempt (the moment the test kills it).
 * Usage: node --import tsx test/jobs/worker-process.ts URL SCHEMA
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PgJobQueue } from '../../src/jobs/pg-queue.js';
import type { JobsDatabase } from '../../src/jobs/schema.js';

const [url, schema] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${schema}`, max: 4 });
const db = new Kysely<JobsDatabase>({ dialect: new PostgresDialect({ pool }) });
const queue = new PgJobQueue(db, { url, schema, leaseMs: 1000, pollMs: 100 });
queue.work<{ n: number; slow?: boolean }>(
  'write',
  async (job, trx) => {
    await sql`INSERT INTO effects (job_id, value) VALUES (${job.id}, ${String(job.payload.n)})`.execute(trx);
    if (job.payload.slow && job.attempt === 1) {
      process.stdout.write(`SLOW ${job.id}\n`);
      await new Promise((r) => setTimeout(r, 60_000));
    } else {
      await new Promise((r) => setTimeout(r, 2));
    }
  },
  { concurrency: 2 },
);
await queue.start();
process.stdout.write('READY\n');
process.on('SIGTERM', () => {
  void queue.stop(2000).then(() => db.destroy()).then(() => process.exit(0));
});
