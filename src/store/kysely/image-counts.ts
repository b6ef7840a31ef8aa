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

const COLUMNS = ['open_critical', 'open_high', 'open_medium', 'open_low', 'open_negligible', 'open_unknown', 'fixable_critical', 'fixable_high'] as const;

/**
 * Changes to images' stored counts, added up finding by finding as a writer opens, closes or
 * changes them, then applied as increments: a re-match that opens one finding in each of a
 * thousand images knows every count's change already, so recounting those images' findings
 * (refreshImageCounts) would read them all again for nothing. The writer must add every open
 * finding it opens, closes or changes (the old severity and fix version out, the new in).
 */
export class ImageCountDeltas {
  private readonly byImage = new Map<string, number[]>();

  /** An open finding of `imageId` appears (`sign` 1) or stops being open (`sign` -1). */
  add(imageId: string, severity: string, fixedVersion: string | null, sign: 1 | -1): void {
    let d = this.byImage.get(imageId);
    if (!d) this.byImage.set(imageId, (d = [0, 0, 0, 0, 0, 0, 0, 0]));
    const i = (KNOWN as readonly string[]).indexOf(severity);
    d[i === -1 ? 5 : i] += sign;
    if (fixedVersion !== null && (severity === 'critical' || severity === 'high')) d[severity === 'critical' ? 6 : 7] += sign;
  }

  /**
   * One UPDATE per distinct change and 500 images (a re-match's images mostly change alike:
   * one statement for all of them), images whose counts end unchanged untouched.
   */
  async apply(db: Db): Promise<void> {
    const alike = new Map<string, { delta: number[]; ids: string[] }>();
    for (const [id, delta] of this.byImage) {
      if (delta.every((x) => x === 0)) continue;
      const k = delta.join(',');
      const group = alike.get(k);
      if (group) group.ids.push(id);
      else alike.set(k, { delta, ids: [id] });
    }
    for (const { delta, ids } of alike.values()) {
      const sets = COLUMNS.flatMap((c, i) => (delta[i] ? [sql`${sql.ref(c)} = ${sql.ref(c)} + ${sql.lit(delta[i])}`] : []));
      for (const c of chunks(ids, 500)) await sql`UPDATE images SET ${sql.join(sets)} WHERE id IN (${sql.join(c)})`.execute(db);
    }
    this.byImage.clear();
  }
}
