/**
 * Each organisation's policy configuration (PUT /v1/policies): the policy file as an admin gave
 * it (YAML or JSON, the format of `scout policy --policy-file`), read and checked again on every
 * evaluation. No row, or a null config: the built-in policies with their default parameters.
 * `generation` moves on every change (a reset too, which keeps the row): the re-evaluation job
 * a change queues stops when a newer change has queued its own.
 * Frozen: add a migration to change.
 */
import type { Kysely } from 'kysely';

export const version = 7;
export const name = 'org-policies';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('org_policies')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id'))
    .addColumn('config', 'text')
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // The token that made the change (its id, never the token).
    .addColumn('updated_by', 'text')
    .execute();
}
