/**
 * Indexes for the dashboard's organisation-wide finding queries, each holding every column its
 * query reads, so none reads a finding row (a row carries its match detail JSON, about 1 KB):
 * - the overview's trend walks back from today's open counts (the stored per-image counts of
 *   migration 004) through the findings opened, and those fixed or withdrawn, in its window:
 *   by first-seen time, and by closing time (the same expression the query groups by);
 * - GET /v1/vulnerabilities groups the open findings by vulnerability: a partial index of the
 *   open ones only, in vulnerability order, so the grouping is one ordered pass, no sort.
 * Frozen: add a migration to change.
 */
import { sql, type Kysely } from 'kysely';

export const version = 6;
export const name = 'finding-indexes';

export async function up(db: Kysely<unknown>): Promise<void> {
  // By day (the expression the trend groups by): the grouping reads the index in order.
  await sql`CREATE INDEX findings_org_first_day ON findings (org_id, (substr(first_seen_at, 1, 10)), severity)`.execute(db);
  await sql`CREATE INDEX findings_org_closed_day ON findings (org_id, (substr(coalesce(fixed_at, withdrawn_at), 1, 10)), severity)`.execute(db);
  // fixed_at and withdrawn_at are columns too: SQLite counts an index as covering only for the
  // columns it holds, not those its WHERE names.
  await db.schema
    .createIndex('findings_org_open_vuln')
    .on('findings')
    .columns(['org_id', 'vulnerability_id', 'image_id', 'severity', 'kev', 'cvss_score', 'fixed_version', 'fixed_at', 'withdrawn_at'])
    .where((eb) => eb.and([eb(sql.ref('fixed_at'), 'is', null), eb(sql.ref('withdrawn_at'), 'is', null)]))
    .execute();
}
