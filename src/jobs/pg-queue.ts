/**
 * The job queue on PostgreSQL: claims skip rows other workers hold (`FOR UPDATE SKIP LOCKED`),
 * and `send` raises a NOTIFY (delivered when the sending transaction commits) so idle workers
 * start at once instead of on their next poll. The channel is per schema, so several
 * deployments (or test runs) sharing a database do not wake each other.
 */
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { JobDb } from './queue.js';
import type { JobsDatabase } from './schema.js';
import { TableJobQueue, type TableQueueOptions } from './table-queue.js';

export interface PgQueueOptions extends TableQueueOptions {
  /** Where workers LISTEN: the same database (and schema) as `db`. */
  url: string;
  schema?: string;
}

const CHANNEL_PREFIX = 'scout_jobs_';

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export class PgJobQueue extends TableJobQueue {
  readonly dialect = 'postgres' as const;
  protected readonly skipLocked = true;
  private client: pg.Client | undefined;
  private readonly url: string;
  private readonly schema: string | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(db: Kysely<JobsDatabase>, opts: PgQueueOptions) {
    super(db, opts);
    this.url = opts.url;
    this.schema = opts.schema;
  }

  protected async notify(db: JobDb, name: string): Promise<void> {
    await sql`SELECT pg_notify(${CHANNEL_PREFIX} || current_schema(), ${name})`.execute(db);
  }

  protected async listen(): Promise<void> {
    this.stopped = false;
    const client = new pg.Client({ connectionString: this.url, ...(this.schema ? { options: `-c search_path=${this.schema}` } : {}) });
    // A lost listening connection only costs latency (polling goes on): reconnect in the background.
    client.on('error', () => this.scheduleReconnect());
    client.on('end', () => this.scheduleReconnect());
    // The payload is the job's name (notify below).
    client.on('notification', (msg) => this.wake(msg.payload || undefined));
    try {
      await client.connect();
      const { rows } = await client.query<{ s: string }>('SELECT current_schema() AS s');
      await client.query(`LISTEN ${quoteIdent(CHANNEL_PREFIX + rows[0].s)}`);
      this.client = client;
    } catch {
      await client.end().catch(() => {});
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnect) return;
    this.client = undefined;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      if (!this.stopped) void this.listen();
    }, 1000);
    this.reconnect.unref();
  }

  protected async unlisten(): Promise<void> {
    this.stopped = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    this.reconnect = undefined;
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners('end');
      c.removeAllListeners('error');
      c.on('error', () => {});
      await c.end().catch(() => {});
    }
  }
}
