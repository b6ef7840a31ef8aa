/**
 * VEX statements per organisation (POST /v1/vex, `scout push --vex-location`) and the VEX status
 * they give each finding. Frozen: add a migration to change.
 *
 * - vex_documents: one row per OpenVEX document an organisation sent; `image_id` set when the
 *   document came with a push (it speaks of that image only, as `--vex-location` does for a
 *   local scan), null when it applies across the organisation by its products. `content_hash`
 *   makes sending the same document again (a retried push) a no-op.
 * - vex_statements: the document's statements as parsed (JSON), in document order.
 * - vex_statement_ids: every vulnerability id a statement names (name and aliases, upper case),
 *   so the statements about a finding's ids are found by index.
 * - finding_vex: the statement that decides each finding a statement applies to (findings with
 *   none have no row), worked out when statements or findings arrive, so lists filter on it.
 */
import type { Kysely } from 'kysely';

export const version = 10;
export const name = 'vex';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vex_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    // The document's own @id, author and timestamp, when it gives them.
    .addColumn('document_id', 'text')
    .addColumn('author', 'text')
    .addColumn('timestamp', 'text')
    // api (POST /v1/vex) | push (scout push --vex-location)
    .addColumn('source', 'text', (c) => c.notNull())
    // The file name the client gave (push), or null.
    .addColumn('file', 'text')
    .addColumn('image_id', 'text')
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('statement_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // The token that sent it (its id, never the token).
    .addColumn('created_by', 'text')
    .addUniqueConstraint('vex_documents_org_hash', ['org_id', 'content_hash'])
    .execute();
  await db.schema.createIndex('vex_documents_org').on('vex_documents').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('vex_documents_image').on('vex_documents').columns(['image_id']).execute();

  await db.schema
    .createTable('vex_statements')
    .addColumn('vex_id', 'text', (c) => c.notNull())
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('vulnerability', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('vex_statements_pk', ['vex_id', 'ordinal'])
    .execute();

  await db.schema
    .createTable('vex_statement_ids')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('vulnerability', 'text', (c) => c.notNull())
    .addColumn('vex_id', 'text', (c) => c.notNull())
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('vex_statement_ids_pk', ['org_id', 'vulnerability', 'vex_id', 'ordinal'])
    .execute();
  await db.schema.createIndex('vex_statement_ids_doc').on('vex_statement_ids').columns(['vex_id']).execute();

  await db.schema
    .createTable('finding_vex')
    .addColumn('image_id', 'text', (c) => c.notNull())
    .addColumn('purl', 'text', (c) => c.notNull())
    .addColumn('vulnerability_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('vex_id', 'text', (c) => c.notNull())
    // The deciding statement as findings show it (justification, notes, author, timestamp…), JSON.
    .addColumn('detail', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_vex_pk', ['image_id', 'purl', 'vulnerability_id'])
    .execute();
  await db.schema.createIndex('finding_vex_vuln').on('finding_vex').columns(['org_id', 'vulnerability_id', 'status']).execute();
  await db.schema.createIndex('finding_vex_doc').on('finding_vex').columns(['vex_id']).execute();
}
