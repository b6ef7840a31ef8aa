/**
 * A page of advisory sources with their counts, as one statement on either backend (the
 * dialects differ in placeholders and in naming code-unit order): the sources after a name,
 * by name, each counted by subqueries of its own rows, so a page counts its own sources only.
 */
import type { SourceInfo } from '../advisories/model.js';
import type { SourceStatus } from './advisory-store.js';

export interface SourceStatusRow {
  name: string;
  kind: SourceInfo['kind'];
  url: string | null;
  imported_at: string;
  last_modified: string | null;
  /** COUNT(*) comes back as a string from PostgreSQL (bigint). */
  n: number | string;
  w: number | string;
}

/**
 * The statement: `after` (null for the first page) and `limit` are its parameters, named on
 * SQLite (@after, @limit), $1 and $2 on PostgreSQL. KEV and EPSS sources count their whole
 * table, as status() does; only advisory sources have withdrawn records.
 */
export function sourceStatusPageSql(dialect: 'sqlite' | 'postgres'): string {
  const [after, limit, name] = dialect === 'sqlite' ? ['@after', '@limit', 's.name'] : ['$1::text', '$2', 's.name COLLATE "C"'];
  return `SELECT s.name, s.kind, s.url, s.imported_at, s.last_modified,
  CASE s.kind
    WHEN 'advisories' THEN (SELECT COUNT(*) FROM advisories a WHERE a.source = s.name)
    WHEN 'kev' THEN (SELECT COUNT(*) FROM kev)
    ELSE (SELECT COUNT(*) FROM epss)
  END AS n,
  CASE WHEN s.kind = 'advisories' THEN (SELECT COUNT(a.withdrawn) FROM advisories a WHERE a.source = s.name) ELSE 0 END AS w
FROM sources s
WHERE ${after} IS NULL OR ${name} > ${after}
ORDER BY ${name}
LIMIT ${limit}`;
}

/** A row of the statement as status() reports a source; `now` in milliseconds gives its age. */
export function sourceStatusOf(r: SourceStatusRow, now: number): SourceStatus {
  const s: SourceStatus = {
    name: r.name,
    kind: r.kind,
    importedAt: r.imported_at,
    ageSeconds: Math.max(0, Math.round((now - Date.parse(r.imported_at)) / 1000)),
    count: Number(r.n),
    withdrawn: Number(r.w),
  };
  if (r.url !== null) s.url = r.url;
  if (r.last_modified !== null) s.lastModified = r.last_modified;
  return s;
}
