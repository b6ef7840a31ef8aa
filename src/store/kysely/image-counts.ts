/**
 * The open-finding counts stored on each image row (migration 004): by severity, and the open
 * critical and high that have a fix. Whatever writes findings (a push, a re-match) calls
 * `refreshImageCounts` for the images it touched, in the same transaction, so the counts are
 * always those of the findings table; reads (`countsOfRow`) never group findings.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { SeverityCounts } from '../platform-store.js';
import { chunks } from './dialect.js';
import type { ImagesTable, PlatformDatabase } from './schema.js';

type Db = Kysely<PlatformDatabase> | Transaction<PlatformDatabase>;

const KNOWN = ['critical', 'high', 'medium', 'low', 'negligible'] as const;

/** Open findings of the image being updated that match `condition` (a SQL fragment on `f`), counted. */
const openCount = (condition: ReturnType<typeof sql>) =>
  sql<number>`(SELECT COUNT(*) FROM findings f WHERE f.image_id = images.id AND f.fixed_at IS NULL AND f.withdrawn_at IS NULL AND ${condition})`;

/** Recounts these images' stored counts from their findings. */
export async function refreshImageCounts(db: Db, imageIds: readonly string[]): Promise<void> {
  for (const ids of chunks([...new Set(imageIds)], 500)) {
    await db
      .updateTable('images')
      .set({
        open_critical: openCount(sql`f.severity = 'critical'`),
        open_high: openCount(sql`f.severity = 'high'`),
        open_medium: openCount(sql`f.severity = 'medium'`),
        open_low: openCount(sql`f.severity = 'low'`),
        open_negligible: openCount(sql`f.severity = 'negligible'`),
        open_unknown: openCount(sql`f.severity NOT IN (${sql.join(KNOWN.map((k) => sql.lit(k)))})`),
        fixable_critical: openCount(sql`f.severity = 'critical' AND f.fixed_version IS NOT NULL`),
        fixable_high: openCount(sql`f.severity = 'high' AND f.fixed_version IS NOT NULL`),
      })
      .where('id', 'in', ids)
      .execute();
  }
}

type CountColumns = Pick<Selectable<ImagesTable>, 'open_critical' | 'open_high' | 'open_medium' | 'open_low' | 'open_negligible' | 'open_unknown'>;

/** The stored counts of an image row as the API shows them. */
export function countsOfRow(r: CountColumns): SeverityCounts {
  return {
    critical: Number(r.open_critical),
    high: Number(r.open_high),
    medium: Number(r.open_medium),
    low: Number(r.open_low),
    negligible: Number(r.open_negligible),
    unknown: Number(r.open_unknown),
  };
}

/** The count columns, for queries that select them by name. */
export const COUNT_COLUMNS = ['open_critical', 'open_high', 'open_medium', 'open_low', 'open_negligible', 'open_unknown'] as const;
