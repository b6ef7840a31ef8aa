/**
 * The claim takes ready jobs in (run_at, id) order: with only (name, run_at) indexed, every
 * claim fetched all the ready jobs of its name from the table to sort them by id (a re-match
 * that queued 1,000 webhook deliveries made each of the ~1,000 claims that followed read
 * 1,000 rows). With id in the index the claim reads its LIMIT rows in order and stops.
 * Frozen: never edit once released, add a migration.
 */
import { sql, type Kysely } from 'kysely';

export const version = 2;
export const name = 'claim-order';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_ready_order').on('jobs').columns(['name', 'run_at', 'id']).where(sql.ref('state'), 'in', ['ready', 'retry']).execute();
  await db.schema.dropIndex('jobs_ready').execute();
}
