/**
 * Migration 2: the (advisory_id) indexes of `affected` and `aliases` go. They served only
 * deletes (a record updated or gone), and every import paid for them: one more b-tree insert
 * per index row. Measured on the full shared set (7 alternating runs): import 2.86 s → 2.58 s,
 * database 115.5 MB → 101.4 MB. Deletes now find a record's index rows by their primary keys,
 * from its stored JSON.
 */
export const version = 2;
export const name = 'no-reverse-indexes';
export const sql = `
DROP INDEX IF EXISTS affected_by_advisory;
DROP INDEX IF EXISTS aliases_by_advisory;
`;
