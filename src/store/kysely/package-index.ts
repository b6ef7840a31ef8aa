/**
 * package_images (migration 011): which images have a purl, for the readers that start from a
 * package (`scout package`, the dashboard's packages page, a re-match, the clean-up of unused
 * packages rows). A push does not write it: it queues its image in package_index_pending, and
 * a batch of queued images is indexed at once, its entries sorted by purl. Images share most
 * packages, so a batch adds each shared purl's entries to one index page where a push used to
 * dirty one page per package (~720 of the ~1,170 pages a 500-package push wrote on SQLite).
 *
 * Nothing reads package_images without settling first (settlePackageIndex): a reader never
 * misses a stored image, however recent. A push settles once SETTLE_AFTER new images are
 * queued in this process, in a transaction of its own after its image is committed.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { PlatformDatabase } from './schema.js';

type Db = Kysely<PlatformDatabase> | Transaction<PlatformDatabase>;

/** Images one transaction indexes at most (~500 entries each). */
const BATCH_IMAGES = 64;
/** New images a process stores before a push settles the index. */
export const SETTLE_AFTER = 32;

/** New images queued per database (its Kysely instance) since its last settle by a push. */
const queued = new WeakMap<object, number>();

/** Queues a new image's packages for indexing, in the transaction that stores it. */
export async function queuePackageIndex(trx: Transaction<PlatformDatabase>, orgId: string, imageId: string): Promise<void> {
  await trx.insertInto('package_index_pending').values({ image_id: imageId, org_id: orgId }).execute();
}

/** After a new image is committed: settles the index once SETTLE_AFTER images are queued in this process. */
export async function settleAfterPush(db: Kysely<PlatformDatabase>): Promise<void> {
  const n = (queued.get(db) ?? 0) + 1;
  if (n < SETTLE_AFTER) {
    queued.set(db, n);
    return;
  }
  queued.set(db, 0);
  await settlePackageIndex(db);
}

/**
 * Indexes every queued image's packages; returns how many images. Cheap when nothing is queued
 * (one read of an almost empty table), so every reader of package_images calls it first. In a
 * transaction it indexes in that transaction (deleteImages), else a batch a transaction.
 */
export async function settlePackageIndex(db: Db): Promise<number> {
  let n = 0;
  for (;;) {
    const some = await db.selectFrom('package_index_pending').select('image_id').limit(1).executeTakeFirst();
    if (!some) return n;
    const moved = db.isTransaction ? await indexBatch(db as Transaction<PlatformDatabase>) : await db.transaction().execute(indexBatch);
    // Another process took the batch (PostgreSQL): it commits it; ask again.
    n += moved;
  }
}

async function indexBatch(trx: Transaction<PlatformDatabase>): Promise<number> {
  // Claimed by deleting: a concurrent settle on PostgreSQL waits on these rows and then finds
  // them gone, so no image is indexed twice.
  const claimed = (
    await trx
      .deleteFrom('package_index_pending')
      .where('image_id', 'in', (eb) => eb.selectFrom('package_index_pending').select('image_id').limit(BATCH_IMAGES))
      .returning('image_id')
      .execute()
  ).map((r) => r.image_id);
  if (!claimed.length) return 0;
  const batch = Date.now();
  await trx
    .insertInto('package_images')
    .columns(['purl', 'org_id', 'batch', 'image_id', 'ordinal'])
    .expression((eb) =>
      eb
        .selectFrom('image_packages')
        .select(['purl', 'org_id', sql<number>`cast(${batch} as bigint)`.as('batch'), 'image_id', 'ordinal'])
        .where('image_id', 'in', claimed)
        // In index order: the b-tree takes them page by page.
        .orderBy('purl')
        .orderBy('org_id'),
    )
    .execute();
  return claimed.length;
}
