/**
 * What differs between SQLite and PostgreSQL for the platform queries; every other query is
 * written once. The list:
 * - bound parameters per statement: SQLite allows 32,766, PostgreSQL 65,535: multi-row inserts
 *   are cut into chunks of `rowsPerInsert(columns)`.
 * - a unique-constraint violation is SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY on SQLite, SQLSTATE
 *   23505 on PostgreSQL (`isUniqueViolation`).
 * - int8 comes back from pg as a string: the pool parses it to a number (open.ts).
 * - timestamps are ISO-8601 text on both, compared as text.
 * - LIKE is case-insensitive (ASCII) on SQLite and case-sensitive on PostgreSQL: text searches
 *   compare `lower(column)` with a lower-cased pattern, wildcards escaped (`likeEscaped`).
 * - SQLite has no statistics: given `org_id = ?` and `image_id IN (…)` on findings it picks the
 *   org_id index and reads every finding of the organisation. Queries that name their images
 *   compare `orgColumn('f.org_id')` (`org_id || ''`, which no index serves on either backend),
 *   so the tenancy check stays and the image's primary key is used.
 */
import { sql, type RawBuilder } from 'kysely';

const MAX_PARAMS = 30_000;

export function rowsPerInsert(columns: number): number {
  return Math.max(1, Math.floor(MAX_PARAMS / columns));
}

export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** User text for a LIKE pattern, its wildcards taken literally (with ESCAPE '\\'). */
export function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** An org_id column as an expression no index serves (see the list above): the check stays, the plan follows the image key. */
export function orgColumn(column: string): RawBuilder<string> {
  return sql<string>`${sql.ref(column)} || ''`;
}
