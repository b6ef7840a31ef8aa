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

/** `1` for an open finding matching `condition` (a SQL fragment on `f`), else 0: summed per image. */
const when = (condition: ReturnType<typeof sql>) => sql`COALESCE(SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END), 0)`;

/**
 * Recounts these images' stored counts from their findings: one pass over each image's open
 * findings for all eight counts (a row-value assignment), not a subquery per count.
 */
export async function refreshImageCounts(db: Db, imageIds: readonly string[]): Promise<void> {
  for (const ids of chunks([...new Set(imageIds)], 500)) {
    await sql`
      UPDATE images SET (open_critical, open_high, open_medium, open_low, open_negligible, open_unknown, fixable_critical, fixable_high) = (
        SELECT ${when(sql`f.severity = 'critical'`)}, ${when(sql`f.severity = 'high'`)}, ${when(sql`f.severity = 'medium'`)},
          ${when(sql`f.severity = 'low'`)}, ${when(sql`f.severity = 'negligible'`)},
          ${when(sql`f.severity NOT IN (${sql.join(KNOWN.map((k) => sql.lit(k)))})`)},
          ${when(sql`f.severity = 'critical' AND f.fixed_version IS NOT NULL`)}, ${when(sql`f.severity = 'high' AND f.fixed_version IS NOT NULL`)}
        FROM findings f WHERE f.image_id = images.id AND f.fixed_at IS NULL AND f.withdrawn_at IS NULL)
      WHERE id IN (${sql.join(ids)})`.execute(db);
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
