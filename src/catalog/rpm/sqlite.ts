import Database from 'better-sqlite3';
import { ScoutError } from '../../util/errors.js';

/**
 * Reader for rpm's SQLite backend (rpmdb.sqlite, rpm >= 4.16): the Packages table holds one
 * header blob per row. The captured bytes are deserialised into an in-memory database, so
 * nothing is written to disk and the image file is never opened by path.
 */
export function readSqliteRpmdb(file: Buffer): { blobs: Buffer[]; problems: string[] } {
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
  } catch (err) {
    throw new ScoutError('rpm-sqlite', `cannot open the SQLite database: ${(err as Error).message}`, { cause: err });
  }
  try {
    const blobs: Buffer[] = [];
    const problems: string[] = [];
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').iterate() as IterableIterator<{ hnum: unknown; blob: unknown }>;
    for (const row of rows) {
      if (Buffer.isBuffer(row.blob)) blobs.push(row.blob);
      else problems.push(`row ${String(row.hnum)}: blob is not binary`);
    }
    return { blobs, problems };
  } catch (err) {
    throw new ScoutError('rpm-sqlite', `cannot read the Packages table: ${(err as Error).message}`, { cause: err });
  } finally {
    db.close();
  }
}
