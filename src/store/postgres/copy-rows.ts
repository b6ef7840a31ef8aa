/**
 * Rows into a PostgreSQL table by `COPY … FROM STDIN` (text format) on a client the caller
 * holds, inside its transaction. COPY takes rows as plain text: no statement per batch to plan,
 * no parameters to bind, and no JSON or array literal for the server to parse, which is what
 * made batched INSERTs of advisory JSON slow.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** One field of a row: text, or null for SQL NULL. */
export type CopyField = string | null;

/** Text handed to the COPY stream at a time: big enough that a write costs little, small enough to stay flat in memory. */
const PIECE_CHARS = 256 * 1024;

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A field in COPY's text format: backslash, newline, carriage return and tab escaped, NULL as
 * `\N`. Every other character, non-ASCII included, goes as it is (the connection is UTF-8).
 */
export function copyField(v: CopyField): string {
  if (v === null) return '\\N';
  return SPECIAL.test(v) ? v.replace(SPECIALS, (c) => ESCAPES[c]) : v;
}

/** A whole line: tab-separated escaped fields and the newline that ends it. */
export function copyLine(fields: readonly CopyField[]): string {
  let line = copyField(fields[0]);
  for (let i = 1; i < fields.length; i++) line += '\t' + copyField(fields[i]);
  return line + '\n';
}

function* pieces(rows: Iterable<readonly CopyField[]>): Generator<string> {
  let piece = '';
  for (const row of rows) {
    piece += copyLine(row);
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

/**
 * Copies rows into `table (columns)`. The table and column names are the caller's constants,
 * never input. Resolves once the server has stored every row; a row the server refuses fails
 * the COPY (and with it the caller's transaction) with the server's message.
 */
export async function copyRows(client: pg.PoolClient, table: string, columns: readonly string[], rows: Iterable<readonly CopyField[]>): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(pieces(rows)), stream);
}
