/**
 * Organisations and their API tokens. Frozen: never edit once released, add a migration.
 * Timestamps are ISO-8601 UTC text on both backends (they sort as text and need no parser).
 */
import type { Kysely } from 'kysely';

export const version = 1;
export const name = 'orgs-tokens';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('orgs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    // 1 for the public catalogue: every organisation matches base images against it, none reads it.
    .addColumn('catalog', 'integer', (c) => c.notNull().defaultTo(0))
    // Images not pushed or seen for this many days are deleted; null keeps them.
    .addColumn('retention_days', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    // sha256 of the token: the token itself is printed once and never stored.
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('tokens_org').on('tokens').columns(['org_id', 'id']).execute();
}
