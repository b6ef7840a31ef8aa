/**
 * Multi-row statements a push runs with hundreds of rows (its packages, findings, aliases),
 * built by Kysely once per shape and then only given new parameters. Building a 500-row insert
 * (parsing every row object, an immutable node per value, a compiler pass over them) cost a
 * push more CPU than SQLite spent inserting the rows.
 *
 * How: the statement is built with marker rows, compiled, and its SQL text kept per dialect
 * (the Kysely adapter) and row count; every value of an insert is a bound parameter in Kysely's
 * compilers, in row order and, within a row, in the order of `columns` (checked when a shape is
 * compiled). Rows go in chunks of at most `rowsPerStatement`, so a table has few shapes and
 * SQLite's statement cache keeps them prepared.
 */
import { CompiledQuery, type Compilable, type Kysely, type Transaction } from 'kysely';
import { chunks } from './dialect.js';
import type { PlatformDatabase } from './schema.js';

type Db = Kysely<PlatformDatabase> | Transaction<PlatformDatabase>;

const MARKER = '\u0000bulk\u0000';

export class BulkStatement<Row extends object> {
  /** Compiled SQL per dialect adapter, per row count. */
  private readonly shapes = new WeakMap<object, Map<number, string>>();

  constructor(
    private readonly columns: readonly (keyof Row & string)[],
    private readonly build: (db: Db, rows: Row[]) => Compilable<unknown>,
    private readonly rowsPerStatement: number,
  ) {}

  /** Runs the statement over these rows, a chunk at a time; the rows of every chunk's result. */
  async run<R = unknown>(db: Db, rows: readonly Row[]): Promise<R[]> {
    const out: R[] = [];
    for (const c of chunks(rows, this.rowsPerStatement)) {
      const parameters: unknown[] = [];
      for (const r of c) for (const k of this.columns) parameters.push(r[k] ?? null);
      const result = await db.executeQuery(CompiledQuery.raw(this.sqlFor(db, c.length), parameters));
      for (const r of result.rows) out.push(r as R);
    }
    return out;
  }

  private sqlFor(db: Db, count: number): string {
    const adapter = db.getExecutor().adapter;
    let byCount = this.shapes.get(adapter);
    if (!byCount) this.shapes.set(adapter, (byCount = new Map()));
    const known = byCount.get(count);
    if (known) return known;
    const markers = Array.from({ length: count }, (_, i) => Object.fromEntries(this.columns.map((k) => [k, `${MARKER}${i}.${k}`])) as Row);
    const compiled = this.build(db, markers).compile();
    const expected = markers.flatMap((m) => this.columns.map((k) => (m as Record<string, unknown>)[k]));
    // Every value must be a parameter, in row-then-column order (a value Kysely inlined into the
    // SQL text, or put elsewhere, would bind the wrong column for ever after).
    if (compiled.parameters.length !== expected.length || compiled.parameters.some((p, i) => p !== expected[i])) {
      throw new Error(`bulk statement: the compiled parameters are not the rows' values in column order (${compiled.sql.slice(0, 80)})`);
    }
    byCount.set(count, compiled.sql);
    return compiled.sql;
  }
}
