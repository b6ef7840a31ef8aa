/**
 * Supply chain beyond CVEs, kept with each pushed image:
 * - image_provenance: what `scout push` found in the image's attestations: whether it has
 *   provenance and SBOM attestations, and the provenance facts our data-handling page names
 *   (materials, base image, VCS information, Dockerfile). The base image's name and digest are
 *   columns too: the base-image answer reads them before it matches layers. No row: the push
 *   did not say (an SBOM file, an older client), which policies treat as unknown.
 * - image_secrets: the secret scan of `scout push --secrets`, one row per image (masked values
 *   only, never a secret; no fingerprint either). No row: the layers were not searched.
 * - policy_results: each image's latest policy evaluation (on push and after each re-match),
 *   its status and grade as columns (image lists show them), the results as JSON.
 * - policy_history: one row each time an image's results changed (the first evaluation too).
 * Frozen: add a migration to change.
 */
import type { Kysely } from 'kysely';

export const version = 5;
export const name = 'supply-chain';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('image_provenance')
    .addColumn('image_id', 'text', (c) => c.primaryKey().references('images.id'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('has_provenance', 'integer', (c) => c.notNull())
    .addColumn('has_sbom', 'integer', (c) => c.notNull())
    .addColumn('base_name', 'text')
    .addColumn('base_digest', 'text')
    // StoredProvenance (src/policy/input.ts) as JSON; null when the image has no provenance.
    .addColumn('provenance', 'text')
    .execute();

  await db.schema
    .createTable('image_secrets')
    .addColumn('image_id', 'text', (c) => c.primaryKey().references('images.id'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('scanned_at', 'text', (c) => c.notNull())
    .addColumn('finding_count', 'integer', (c) => c.notNull())
    // { findings, skipped, unreadLayers } as JSON (src/store/platform-store.ts SecretScan).
    .addColumn('report', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('policy_results')
    .addColumn('image_id', 'text', (c) => c.primaryKey().references('images.id'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    // pass | fail | unknown
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('grade', 'text')
    .addColumn('score', 'real')
    .addColumn('evaluated_at', 'text', (c) => c.notNull())
    // The PolicyResult list and the health score as JSON.
    .addColumn('report', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('policy_results_org_status').on('policy_results').columns(['org_id', 'status']).execute();

  await db.schema
    .createTable('policy_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('image_id', 'text', (c) => c.notNull())
    .addColumn('evaluated_at', 'text', (c) => c.notNull())
    // push | rematch
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('grade', 'text')
    .addColumn('score', 'real')
    // Each policy's id, status and violation count, as JSON.
    .addColumn('results', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('policy_history_image').on('policy_history').columns(['org_id', 'image_id', 'id']).execute();
}
