/**
 * Image rows made lean for lists of 10,000 images:
 * - each image's open findings counted by severity (and its fixable critical and high), stored
 *   on the image row, so the image list, its severity filter and sort, and the overview read
 *   no findings. The store keeps them current on push and re-match
 *   (src/store/kysely/image-counts.ts); this migration counts them for stored images.
 * - the image's metadata JSON (about 2 KB: env, labels, history…) moves to `image_metadata`:
 *   only an image's detail reads it, and in the image row it pushed every later column into
 *   SQLite's overflow pages, so every filtered or sorted list read 10,000 overflow chains.
 * - indexes that serve every sort of the image list, and one (images_org_list) that holds what
 *   the list filters on, so the default page, filtered or not, reads no table row.
 * Frozen: add a migration to change.
 */
import { sql, type Kysely } from 'kysely';

export const version = 4;
export const name = 'image-counts';

const COLUMNS = ['open_critical', 'open_high', 'open_medium', 'open_low', 'open_negligible', 'open_unknown', 'fixable_critical', 'fixable_high'];

export async function up(db: Kysely<unknown>): Promise<void> {
  // One column a statement: SQLite's ALTER TABLE adds one at a time.
  for (const c of COLUMNS) await db.schema.alterTable('images').addColumn(c, 'integer', (col) => col.notNull().defaultTo(0)).execute();
  const open = (extra: string) =>
    sql.raw(`(SELECT COUNT(*) FROM findings f WHERE f.image_id = images.id AND f.fixed_at IS NULL AND f.withdrawn_at IS NULL AND ${extra})`);
  await sql`UPDATE images SET
    open_critical = ${open(`f.severity = 'critical'`)},
    open_high = ${open(`f.severity = 'high'`)},
    open_medium = ${open(`f.severity = 'medium'`)},
    open_low = ${open(`f.severity = 'low'`)},
    open_negligible = ${open(`f.severity = 'negligible'`)},
    open_unknown = ${open(`f.severity NOT IN ('critical', 'high', 'medium', 'low', 'negligible')`)},
    fixable_critical = ${open(`f.severity = 'critical' AND f.fixed_version IS NOT NULL`)},
    fixable_high = ${open(`f.severity = 'high' AND f.fixed_version IS NOT NULL`)}`.execute(db);
  await db.schema
    .createTable('image_metadata')
    .addColumn('image_id', 'text', (c) => c.primaryKey().references('images.id'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO image_metadata (image_id, org_id, metadata) SELECT id, org_id, metadata FROM images`.execute(db);
  await db.schema.alterTable('images').dropColumn('metadata').execute();
  // Last pushed first (the default), with the columns the text and severity filters read.
  await db.schema.dropIndex('images_org_pushed').execute();
  await db.schema
    .createIndex('images_org_list')
    .on('images')
    .columns(['org_id', 'pushed_at', 'id', 'repository_id', 'digest', 'os_name', 'open_critical', 'open_high', 'open_medium', 'open_low', 'open_negligible', 'open_unknown'])
    .execute();
  await sql`CREATE INDEX images_org_created ON images (org_id, (coalesce(created, '')), id)`.execute(db);
  await db.schema.createIndex('images_org_size').on('images').columns(['org_id', 'size_compressed', 'id']).execute();
  await db.schema.createIndex('images_org_packages').on('images').columns(['org_id', 'package_count', 'id']).execute();
  // The image list sorted worst first, and the overview's most fixable images.
  await db.schema.createIndex('images_org_severity').on('images').columns(['org_id', 'open_critical', 'open_high', 'open_medium', 'open_low', 'id']).execute();
  await db.schema.createIndex('images_org_fixable').on('images').columns(['org_id', 'fixable_critical', 'fixable_high', 'id']).execute();
}
