/**
 * How an advisory is written to and read back from a store's JSON column.
 *
 * Import speed: re-serialising every record costs about a quarter of an import. When an OSV line
 * passed validation without anything being dropped, its original text is already a faithful
 * serialisation, so the importer remembers it here and the store writes it verbatim. The text
 * is attached to the exact object the importer yielded (a WeakMap, so a copy made with spread
 * or a changed record falls back to JSON.stringify). Don't mutate a yielded record in place.
 *
 * The importer may also hand over the line's bytes: a store can write those as the text (SQLite:
 * `CAST(? AS TEXT)`) instead of having its driver encode the JS string back to UTF-8, which cost
 * more than the insert itself (measured on the shared OSV set: 105–125 ms as strings, 40 ms as
 * bytes). Bytes are kept only when they are valid UTF-8, so they say exactly what the text says.
 *
 * Because such text may lack defaults (absent arrays, nulls) and `source`, every read goes
 * through `fromStoredJson`, which restores the normalised shape.
 */
import { isUtf8 } from 'node:buffer';
import type { Advisory } from './model.js';

interface SourceText {
  text: string;
  bytes?: Buffer;
}

const verbatim = new WeakMap<object, SourceText>();

/** `bytes`, when given, must be what `text` was decoded from. */
export function rememberSourceText(advisory: Advisory, text: string, bytes?: Buffer): void {
  verbatim.set(advisory, bytes !== undefined && isUtf8(bytes) ? { text, bytes } : { text });
}

/** The JSON to store for this advisory (its `source` lives in its own column). */
export function toStoredJson(advisory: Advisory): string {
  return verbatim.get(advisory)?.text ?? JSON.stringify(advisory);
}

/** The same JSON as UTF-8 bytes, when the importer kept the original line's; else undefined. */
export function storedJsonBytes(advisory: Advisory): Buffer | undefined {
  return verbatim.get(advisory)?.bytes;
}

const ARRAYS = ['aliases', 'related', 'upstream', 'severity', 'references', 'affected'] as const;
const OPTIONAL = ['summary', 'details', 'published', 'withdrawn', 'schema_version', 'database_specific', 'credits'] as const;
const AFFECTED_OPTIONAL = ['package', 'severity', 'ecosystem_specific', 'database_specific'] as const;

/** Parses a stored row back into the normalised model. Throws on unparseable text. */
export function fromStoredJson(json: string, source: string): Advisory {
  const a = JSON.parse(json) as Record<string, unknown>;
  for (const k of ARRAYS) if (!Array.isArray(a[k])) a[k] = [];
  for (const k of OPTIONAL) if (a[k] === null) delete a[k];
  for (const af of a.affected as Record<string, unknown>[]) {
    if (!Array.isArray(af.ranges)) af.ranges = [];
    if (!Array.isArray(af.versions)) af.versions = [];
    for (const k of AFFECTED_OPTIONAL) if (af[k] === null) delete af[k];
  }
  a.source = source;
  return a as unknown as Advisory;
}
