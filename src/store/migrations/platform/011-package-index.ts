/**
 * Which images have a package, indexed later and in batches instead of in the push.
 *
 * image_packages was indexed by purl (image_packages_purl): a 500-package push put 500 entries
 * at 500 places in that index, ~720 of the ~1,170 pages a push wrote on SQLite (at 500 stored
 * images), whatever else it did. Now a push writes its packages by image only (contiguous
 * rows) and one package_index_pending row; package-index.ts moves a batch of pending images
 * into package_images at once, sorted by purl, so the images of a batch that share a package
 * (most of them) add their entries to one index page instead of one page each.
 *
 * package_images holds only what image_packages holds (purl, organisation, image, ordinal):
 * it is an index, not new data. Its key starts with (purl, org_id); `batch` (when the batch was
 * indexed, increasing) comes before the image id so a batch's entries go to the end of each
 * purl's run, not to random places in it. On SQLite the table is that key (WITHOUT ROWID).
 * (image_id) finds an image's entries when it is deleted.
 * Frozen: add a migration to change.
 */
import { SqliteAdapter, sql, type Kysely } from 'kysely';

export const version = 11;
export const name = 'package-index';

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('package_images')
    .addColumn('purl', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('batch', 'bigint', (c) => c.notNull())
    .addColumn('image_id', 'text', (c) => c.notNull())
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('package_images_pk', ['purl', 'org_id', 'batch', 'image_id', 'ordinal'])
    .$call((b) => (sqlite ? b.modifyEnd(sql`WITHOUT ROWID`) : b))
    .execute();
  await db.schema.createIndex('package_images_image').on('package_images').columns(['image_id']).execute();
  await db.schema
    .createTable('package_index_pending')
    .addColumn('image_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .execute();
  // The images stored before: indexed as they were (one batch).
  await sql`INSERT INTO package_images (purl, org_id, batch, image_id, ordinal) SELECT purl, org_id, 0, image_id, ordinal FROM image_packages`.execute(db);
  await sql`DROP INDEX image_packages_purl`.execute(db);
}
