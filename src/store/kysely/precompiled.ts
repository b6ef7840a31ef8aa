/**
 * A Kysely query built and compiled once per shape, then run again with other values. Building
 * a query is object-heavy (immutable nodes, a compiler pass over them): for the small indexed
 * queries every request of a hot route makes (the token check, local analysis's base-image
 * lookup) it cost more CPU than running them.
 *
 * How: the query is built with marker strings in place of the values, compiled, and the
 * positions of the markers among the compiled parameters kept; each run substitutes the real
 * values there. A list value (an `in` list) has one marker per element, so its length is part
 * of the shape. Values must be strings (markers are strings, and stand where strings go).
 * On PostgreSQL each shape runs as a named prepared statement (../postgres/named-statements.ts):
 * the database then skips parsing and planning it again too.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import { nameOnPostgres } from '../postgres/named-statements.js';

export type PrecompiledValue = string | readonly string[];

/** Shapes kept (one per distinct list length, in practice a few dozen); past it they are compiled anew. */
const MAX_SHAPES = 256;

const MARKER = '\u0000precompiled\u0000';

interface Shape<R> {
  query: CompiledQuery<R>;
  /** Per compiled parameter: [value index, element index or -1 for a plain value], or undefined for a constant of the query. */
  slots: ([number, number] | undefined)[];
}

export class Precompiled<V extends readonly PrecompiledValue[], R> {
  private readonly shapes = new Map<string, Shape<R>>();

  constructor(private readonly build: (values: V) => Compilable<R>) {}

  /** The compiled query with these values in it, ready for `db.executeQuery`. */
  with(values: V): CompiledQuery<R> {
    const key = values.map((v) => (typeof v === 'string' ? 's' : String(v.length))).join(',');
    let shape = this.shapes.get(key);
    if (!shape) {
      shape = this.compile(values);
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      this.shapes.set(key, shape);
    }
    const { query, slots } = shape;
    const parameters = query.parameters.map((p, k) => {
      const slot = slots[k];
      if (!slot) return p;
      const v = values[slot[0]];
      return slot[1] < 0 ? v : (v as readonly string[])[slot[1]];
    });
    return CompiledQuery.raw(query.sql, parameters) as CompiledQuery<R>;
  }

  private compile(values: V): Shape<R> {
    const markers = values.map((v, i) => (typeof v === 'string' ? `${MARKER}${i}` : v.map((_, j) => `${MARKER}${i}.${j}`))) as unknown as V;
    const query = this.build(markers).compile();
    const slots = query.parameters.map((p): [number, number] | undefined => {
      if (typeof p !== 'string' || !p.startsWith(MARKER)) return undefined;
      const [i, j] = p.slice(MARKER.length).split('.');
      return [Number(i), j === undefined ? -1 : Number(j)];
    });
    // Every value must have landed in the parameters (a value Kysely inlined into the SQL
    // text instead would be the markers' for ever after).
    const placed = new Set(slots.filter((s) => s !== undefined).map((s) => s![0]));
    if (placed.size !== values.filter((v) => typeof v === 'string' || v.length > 0).length) {
      throw new Error('precompiled query: a value is not a parameter of the compiled query');
    }
    // Run on every request: on PostgreSQL parsed once per connection, not on every run.
    nameOnPostgres(query.sql);
    return { query, slots };
  }
}
