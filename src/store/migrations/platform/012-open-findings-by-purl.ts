/**
 * GET /v1/vulnerabilities?q=<package> keeps the open findings whose package URL is one of the
 * stored purls the text matches (dashboard-queries.ts): a partial index of the open findings by
 * purl, so those findings are found by seeking each matching purl, instead of reading every
 * open finding's row (80,000 at 10,000 images, each with its match detail JSON) to compare its
 * purl. It holds every column the list's candidates and totals read (the vulnerability id,
 * severity for its rank, KEV, fix version), and fixed_at and withdrawn_at, which SQLite needs in
 * the index itself to count it as covering.
 * purl comes before org_id: led by org_id, SQLite also chose it, as a covering scan of the
 * organisation's every open finding, for the list's package names (vulnerability_id IN a page
 * of ids, which findings_org_open_vuln seeks): 1.9 -> 9.5 ms of CPU at 10,000 images. Every
 * query that seeks it still gives org_id.
 * Frozen: add a migration to change.
 */
import { sql, type Kysely } from 'kysely';

export const version = 12;
export const name = 'open-findings-by-purl';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('findings_open_purl')
    .on('findings')
    .columns(['purl', 'org_id', 'vulnerability_id', 'severity', 'kev', 'fixed_version', 'fixed_at', 'withdrawn_at'])
    .where((eb) => eb.and([eb(sql.ref('fixed_at'), 'is', null), eb(sql.ref('withdrawn_at'), 'is', null)]))
    .execute();
}
