/**
 * A job's result, for jobs a caller waits on (GET /v1/jobs/{id}): the analyze-image job writes
 * the stored image's digest here, in the transaction that marks it done. Frozen: never edit once
 * released, add a migration.
 */
import type { Kysely } from 'kysely';

export const version = 3;
export const name = 'job-result';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('result', 'text').execute();
}
