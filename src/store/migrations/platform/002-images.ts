/**
 * Repositories, tags (with history), images, layers (shared, keyed by chain ID), packages
 * (shared, one row per purl), image packages and findings. Frozen: add a migration to change.
 *
 * Shared tables (layers, packages) carry no org_id and never answer a query on their own: every
 * read joins them through a table that does (image_layers, image_packages).
 */
import { sql, type Kysely } from 'kysely';

export const version = 2;
export const name = 'images';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('repositories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_pushed_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('repositories_org_name', ['org_id', 'name'])
    .execute();

  await db.schema
    .createTable('images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('repository_id', 'text', (c) => c.references('repositories.id'))
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('index_digest', 'text')
    .addColumn('config_digest', 'text', (c) => c.notNull())
    .addColumn('created', 'text')
    .addColumn('pushed_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('os', 'text', (c) => c.notNull())
    .addColumn('architecture', 'text', (c) => c.notNull())
    .addColumn('variant', 'text')
    .addColumn('os_name', 'text')
    .addColumn('os_version', 'text')
    .addColumn('registry_host', 'text')
    .addColumn('registry_url', 'text')
    .addColumn('registry_type', 'text')
    .addColumn('size_compressed', 'bigint', (c) => c.notNull())
    .addColumn('size_uncompressed', 'bigint')
    .addColumn('layer_count', 'integer', (c) => c.notNull())
    .addColumn('package_count', 'integer', (c) => c.notNull())
    // Chain ID of the whole layer stack: an image is the base of another when this equals one
    // of the other's proper-prefix chain IDs, so base lookup is one indexed IN query.
    .addColumn('top_chain_id', 'text', (c) => c.notNull())
    // The whole ImageMetadata (env, labels, ports, history, …) and the SBOM's distro, as JSON text.
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('distro', 'text')
    .addUniqueConstraint('images_org_digest', ['org_id', 'digest'])
    .execute();
  await db.schema.createIndex('images_top_chain').on('images').columns(['top_chain_id', 'org_id']).execute();
  await db.schema.createIndex('images_org_repo').on('images').columns(['org_id', 'repository_id', 'pushed_at', 'id']).execute();
  await db.schema.createIndex('images_org_pushed').on('images').columns(['org_id', 'pushed_at', 'id']).execute();
  await db.schema.createIndex('images_org_seen').on('images').columns(['org_id', 'last_seen_at']).execute();

  // A tag's history: the row with until_at null is where it points now.
  await db.schema
    .createTable('tags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('repository_id', 'text', (c) => c.notNull().references('repositories.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('image_id', 'text', (c) => c.notNull().references('images.id'))
    .addColumn('since_at', 'text', (c) => c.notNull())
    .addColumn('until_at', 'text')
    .execute();
  await db.schema.createIndex('tags_current').unique().on('tags').columns(['repository_id', 'name']).where(sql.ref('until_at'), 'is', null).execute();
  await db.schema.createIndex('tags_image').on('tags').columns(['image_id']).execute();

  // One row per layer stack prefix, shared by every image that has that prefix.
  await db.schema
    .createTable('layers')
    .addColumn('chain_id', 'text', (c) => c.primaryKey())
    .addColumn('diff_id', 'text', (c) => c.notNull())
    .addColumn('parent_chain_id', 'text')
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('uncompressed_size', 'bigint')
    .execute();
  await db.schema
    .createTable('image_layers')
    .addColumn('image_id', 'text', (c) => c.notNull().references('images.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('chain_id', 'text', (c) => c.notNull().references('layers.chain_id'))
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created', 'text')
    .addPrimaryKeyConstraint('image_layers_pk', ['image_id', 'position'])
    .execute();
  await db.schema.createIndex('image_layers_chain').on('image_layers').columns(['chain_id']).execute();

  // One row per purl, shared. (ecosystem, match_name) is the advisory lookup key of the package
  // (null when it cannot be matched), so a changed advisory finds its packages by index.
  await db.schema
    .createTable('packages')
    .addColumn('purl', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('ecosystem', 'text')
    .addColumn('match_name', 'text')
    .execute();
  await db.schema.createIndex('packages_match').on('packages').columns(['ecosystem', 'match_name']).execute();
  await db.schema.createIndex('packages_name').on('packages').columns(['type', 'namespace', 'name']).execute();

  // A package as one image has it: every SBOM field that is not the purl's own.
  await db.schema
    .createTable('image_packages')
    .addColumn('image_id', 'text', (c) => c.notNull().references('images.id'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('purl', 'text', (c) => c.notNull().references('packages.purl'))
    .addColumn('layer_diff_id', 'text')
    .addColumn('relationship', 'text')
    // id, author, description, licenses, size, locations, dependencies, source, ownedBy, foundBy, metadata.
    .addColumn('detail', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('image_packages_pk', ['image_id', 'ordinal'])
    .execute();
  await db.schema.createIndex('image_packages_purl').on('image_packages').columns(['purl', 'org_id']).execute();

  // One row per (image, package purl, vulnerability). Kept over time: a re-match updates
  // last_seen_at, fixed_at or withdrawn_at instead of deleting.
  await db.schema
    .createTable('findings')
    .addColumn('image_id', 'text', (c) => c.notNull().references('images.id'))
    .addColumn('purl', 'text', (c) => c.notNull())
    .addColumn('vulnerability_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('cvss_score', 'real')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fixed_version', 'text')
    .addColumn('kev', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('fixed_at', 'text')
    .addColumn('withdrawn_at', 'text')
    // ids, fix versions, ranges, summary, severity detail, KEV, EPSS, advisories, data source.
    .addColumn('detail', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('findings_pk', ['image_id', 'purl', 'vulnerability_id'])
    .execute();
  await db.schema.createIndex('findings_vuln').on('findings').columns(['org_id', 'vulnerability_id']).execute();
  // Aliases of each finding (CVE, GHSA, DSA…), so any id finds it.
  await db.schema
    .createTable('finding_ids')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('image_id', 'text', (c) => c.notNull())
    .addColumn('purl', 'text', (c) => c.notNull())
    .addColumn('vulnerability_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_ids_pk', ['org_id', 'alias', 'image_id', 'purl', 'vulnerability_id'])
    .execute();
  await db.schema.createIndex('finding_ids_image').on('finding_ids').columns(['image_id']).execute();
}
