/**
 * Buffers three-column rows for one table and writes them with multi-row INSERTs: a bulk import
 * adds about three index rows (affected, aliases) per advisory, and one statement per row costs
 * more in statement overhead than in b-tree work (measured: about a third of the store's time).
 * Owners must `flush()` before anything that reads or deletes these rows, and before commit.
 */
import type Database from 'better-sqlite3';

const WIDTH = 3;

export class RowBuffer {
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly values: unknown[] = [];

  /**
   * `sqlHead` is everything before VALUES, naming three columns (e.g.
   * 'INSERT OR IGNORE INTO aliases (alias, advisory_id, kind)'); `rowsPerStatement` how many
   * rows one full statement writes (3 × this stays far below SQLite's 32766 parameters).
   */
  constructor(db: Database.Database, sqlHead: string, private readonly rowsPerStatement = 64) {
    const tuple = `(${Array(WIDTH).fill('?').join(', ')})`;
    this.many = db.prepare(`${sqlHead} VALUES ${Array(rowsPerStatement).fill(tuple).join(', ')}`);
    this.one = db.prepare(`${sqlHead} VALUES ${tuple}`);
  }

  add(a: unknown, b: unknown, c: unknown): void {
    const v = this.values;
    v.push(a, b, c);
    if (v.length === WIDTH * this.rowsPerStatement) {
      this.many.run(v);
      v.length = 0;
    }
  }

  /** Writes what is buffered (fewer rows than one full statement). */
  flush(): void {
    const v = this.values;
    for (let i = 0; i < v.length; i += WIDTH) this.one.run(v[i], v[i + 1], v[i + 2]);
    v.length = 0;
  }
}
