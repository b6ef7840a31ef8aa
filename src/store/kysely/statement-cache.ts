/**
 * better-sqlite3 for Kysely with its statements prepared once: Kysely's SQLite driver calls
 * `prepare` for every query, and preparing is most of a small query's cost (and of a multi-row
 * insert's). Statements are kept by their SQL text, the least recently used dropped past a
 * bound; very long ones are not kept. A statement is reused only while no `iterate` holds it (Kysely's `.stream()`).
 */
import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const CACHED_STATEMENTS = 500;
/** Longer statements (multi-row inserts of thousands of rows) are rarely the same twice: not kept. */
const CACHED_SQL_LENGTH = 20_000;

export function cachingDatabase(db: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (stmt && !stmt.busy) {
        // Most recently used last: Map keeps insertion order.
        cache.delete(sql);
        cache.set(sql, stmt);
        return stmt as unknown as SqliteStatement;
      }
      stmt = db.prepare(sql);
      if (sql.length <= CACHED_SQL_LENGTH && !cache.has(sql)) {
        if (cache.size >= CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt as unknown as SqliteStatement;
    },
  };
}
