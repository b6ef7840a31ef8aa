/**
 * Checks for JSON read from an untrusted file. Each check names the JSON path of what is wrong
 * ("packages[3].name: expected a string, got number") so a user can find it in the file.
 */
import { ScoutError } from '../../util/errors.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

/** Larger documents are refused rather than parsed (a JSON SBOM of an image is a few MB). */
export const MAX_SBOM_BYTES = 512 * 1024 * 1024;
export const MAX_PACKAGES = 500_000;

export function invalid(format: string, message: string, cause?: unknown): ScoutError {
  return new ScoutError('sbom-invalid', `${format}: ${message}`, cause !== undefined ? { cause } : {});
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** Parses JSON text or bytes; a syntax error says where (line and column) it is. */
export function parseJson(input: string | Uint8Array, format: string): Json {
  if (typeof input !== 'string' && input.byteLength > MAX_SBOM_BYTES) throw invalid(format, `document is larger than ${MAX_SBOM_BYTES} bytes`);
  let text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  if (text.length > MAX_SBOM_BYTES) throw invalid(format, `document is larger than ${MAX_SBOM_BYTES} bytes`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw invalid(format, 'document is empty');
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // Node names the offending offset, except when the text just stops (a truncated file).
    const pos = /position (\d+)/.exec(msg) ?? (/end of JSON input/i.test(msg) ? [msg, String(text.length)] : null);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      where = ` at line ${line}, column ${Number(pos[1]) - before.lastIndexOf('\n')}`;
    }
    throw invalid(format, `not valid JSON${where}: ${msg}`, e);
  }
}

export class Shape {
  constructor(readonly format: string) {}

  fail(path: string, message: string): never {
    throw invalid(this.format, `${path}: ${message}`);
  }

  obj(v: Json | undefined, path: string): JsonObject {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, `expected an object, got ${v === undefined ? 'nothing' : kind(v)}`);
    return v as JsonObject;
  }

  arr(v: Json | undefined, path: string, max = MAX_PACKAGES): Json[] {
    if (!Array.isArray(v)) this.fail(path, `expected an array, got ${v === undefined ? 'nothing' : kind(v)}`);
    if (v.length > max) this.fail(path, `more than ${max} entries`);
    return v;
  }

  optArr(v: Json | undefined, path: string, max = MAX_PACKAGES): Json[] {
    return v === undefined || v === null ? [] : this.arr(v, path, max);
  }

  str(v: Json | undefined, path: string): string {
    if (typeof v !== 'string') this.fail(path, `expected a string, got ${v === undefined ? 'nothing' : kind(v)}`);
    return v;
  }

  optStr(v: Json | undefined, path: string): string | undefined {
    return v === undefined || v === null ? undefined : this.str(v, path);
  }

  num(v: Json | undefined, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, `expected a number, got ${v === undefined ? 'nothing' : kind(v)}`);
    return v;
  }

  optNum(v: Json | undefined, path: string): number | undefined {
    return v === undefined || v === null ? undefined : this.num(v, path);
  }

  strArr(v: Json | undefined, path: string): string[] {
    return this.arr(v, path).map((x, i) => this.str(x, `${path}[${i}]`));
  }
}
