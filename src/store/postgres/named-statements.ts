/**
 * Named (server-side prepared) statements on PostgreSQL for the few queries every API request
 * runs: the token check, the base-image lookup of local analysis, the advisory data's version.
 *
 * Why: pg sends a query without a name as an unnamed statement, which PostgreSQL parses and
 * plans anew on every run; for these small indexed queries that was most of the database's CPU
 * per local analysis request (and on a machine shared with the database, the server's limit).
 * A named statement is parsed once per connection, and after a few runs PostgreSQL may keep a
 * generic plan for it.
 *
 * How: a statement's SQL text is marked (`nameOnPostgres`, by the code that builds it once); the
 * pools behind Kysely (`namingPool`) send a marked text with its name, anything else as before.
 * The name is a hash of the text, so one name never stands for two texts (pg refuses that).
 * Marks are bounded: every prepared statement stays in each connection's session until it
 * closes. A statement PostgreSQL can no longer run as prepared (a table it reads changed its
 * columns under it: "cached plan must not change result type") loses its mark and runs again
 * unnamed.
 */
import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/** Texts marked at most (each a prepared statement in every pooled connection that runs it). */
const MAX_NAMED = 500;

const names = new Map<string, string>();

/** Runs this SQL text as a named prepared statement on PostgreSQL from now on (no effect elsewhere). */
export function nameOnPostgres(sql: string): void {
  if (names.has(sql) || names.size >= MAX_NAMED) return;
  names.set(sql, `scout_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`);
}

/** The name a text runs under, if marked (for tests). */
export function statementName(sql: string): string | undefined {
  return names.get(sql);
}

/** PostgreSQL's "cached plan must not change result type" (feature_not_supported). */
function planInvalid(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
}

/** The pg pool as Kysely takes it, sending marked texts as named statements. */
export function namingPool(pool: pg.Pool): PostgresPool {
  // Kysely keeps its connection per client object: one wrapper per pooled client, kept.
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let w = wrapped.get(client);
    if (!w) {
      const query = async (text: string, values: readonly unknown[]): Promise<PostgresQueryResult<unknown>> => {
        const name = names.get(text);
        if (!name) return client.query(text, values as unknown[]) as unknown as PostgresQueryResult<unknown>;
        try {
          return (await client.query({ name, text, values: values as unknown[] })) as unknown as PostgresQueryResult<unknown>;
        } catch (err) {
          if (!planInvalid(err)) throw err;
          names.delete(text);
          return client.query(text, values as unknown[]) as unknown as PostgresQueryResult<unknown>;
        }
      };
      w = {
        query: ((textOrCursor: string | PostgresCursor<unknown>, values?: readonly unknown[]) =>
          typeof textOrCursor === 'string' ? query(textOrCursor, values ?? []) : client.query(textOrCursor as never)) as PostgresPoolClient['query'],
        release: () => client.release(),
      };
      wrapped.set(client, w);
    }
    return w;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
