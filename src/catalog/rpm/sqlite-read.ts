/**
 * Reads the header blobs of an rpm SQLite database (rpmdb.sqlite, rpm >= 4.16) that came out of
 * an image, so hostile: before any query the schema is checked (Packages must be a plain table;
 * no views, triggers, virtual tables or generated columns, which could make one row cost
 * unbounded work or memory), the database is opened read-only with `trusted_schema` off and
 * temporary storage in memory, and the blobs may not add up to more bytes than the file has
 * (a plain table cannot hold more). Runs on a worker thread (sqlite.ts) with a time budget.
 */
import Database from 'better-sqlite3';
import { ScoutError } from '../../util/errors.js';

export interface RpmdbBlobs {
  blobs: Buffer[];
  problems: string[];
}

/** The checks that run before the first query of the Packages table. */
function checkSchema(db: Database.Database): void {
  const objects = db.prepare('SELECT type, name, sql FROM sqlite_master').all() as { type: string; name: string; sql: string | null }[];
  for (const o of objects) {
    if (o.type === 'view' || o.type === 'trigger') throw new ScoutError('rpm-sqlite-hostile', `the database has a ${o.type} (${String(o.name).slice(0, 64)}); rpm databases have none`);
  }
  const packages = objects.find((o) => o.name.toLowerCase() === 'packages');
  if (!packages) throw new ScoutError('rpm-sqlite', 'no Packages table');
  if (packages.type !== 'table' || /^\s*create\s+virtual\b/i.test(packages.sql ?? '')) throw new ScoutError('rpm-sqlite-hostile', 'Packages is not a plain table');
  const columns = db.prepare('SELECT name, hidden FROM pragma_table_xinfo(?)').all(packages.name) as { name: string; hidden: number }[];
  if (columns.some((c) => c.hidden !== 0)) throw new ScoutError('rpm-sqlite-hostile', 'Packages has generated or hidden columns');
  const names = new Set(columns.map((c) => c.name.toLowerCase()));
  if (!names.has('hnum') || !names.has('blob')) throw new ScoutError('rpm-sqlite', 'Packages has no hnum and blob columns');
}

/** Open, check and read: on the calling thread (sqlite.ts runs it on a worker). */
export function readRpmdbBlobs(file: Buffer): RpmdbBlobs {
  if (file.length < 100 || file.toString('latin1', 0, 16) !== 'SQLite format 3\0') {
    throw new ScoutError('rpm-sqlite', 'not an SQLite database (bad header)');
  }
  // rpm keeps its database in WAL mode (header bytes 18-19 = 2), which an in-memory database
  // cannot open; switching the copy to rollback-journal mode reads the same pages. Changes
  // still sitting in a -wal file beside it are not seen.
  const copy = Buffer.from(file);
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: Database.Database;
  try {
    db = new Database(copy, { readonly: true });
    db.pragma('trusted_schema = OFF');
    db.pragma('temp_store = MEMORY');
    db.pragma('query_only = ON');
  } catch (err) {
    throw new ScoutError('rpm-sqlite', `cannot open the SQLite database: ${(err as Error).message}`, { cause: err });
  }
  try {
    try {
      checkSchema(db);
    } catch (err) {
      if (err instanceof ScoutError) throw err;
      throw new ScoutError('rpm-sqlite', `cannot read the schema: ${(err as Error).message}`, { cause: err });
    }
    const blobs: Buffer[] = [];
    const problems: string[] = [];
    let bytes = 0;
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').iterate() as IterableIterator<{ hnum: unknown; blob: unknown }>;
    for (const row of rows) {
      if (Buffer.isBuffer(row.blob)) {
        bytes += row.blob.length;
        if (bytes > file.length) throw new ScoutError('rpm-sqlite-hostile', `the Packages blobs add up to more than the file's ${file.length} bytes`);
        blobs.push(row.blob);
      } else problems.push(`row ${String(row.hnum).slice(0, 32)}: blob is not binary`);
    }
    return { blobs, problems };
  } catch (err) {
    if (err instanceof ScoutError) throw err;
    throw new ScoutError('rpm-sqlite', `cannot read the Packages table: ${(err as Error).message}`, { cause: err });
  } finally {
    db.close();
  }
}
