/**
 * A Kysely whose every query runs on one pg client the caller already holds. Kysely's own
 * transactions never hand out their connection, and COPY needs the raw client; so the import
 * takes a client from the pool, runs BEGIN / COPY / COMMIT on it itself, and builds its other
 * statements with Kysely through this wrapper, all in that one transaction.
 *
 * The wrapper neither begins, commits nor releases anything: do not call `transaction()` on it,
 * and release the client yourself.
 */
import { Kysely, PostgresDialect, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';

export function kyselyOnHeldClient<DB>(client: pg.PoolClient): Kysely<DB> {
  const held = {
    query: (text: string, params: readonly unknown[]) => client.query(text, [...params]),
    // Kysely releases the connection after each statement; the holder releases the client.
    release: () => undefined,
  } as unknown as PostgresPoolClient;
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: { connect: async () => held, end: async () => undefined } }),
  });
}
