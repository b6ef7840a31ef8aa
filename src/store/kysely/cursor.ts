/** Opaque keyset cursors: the sort key of the last row of a page, as base64url JSON. */
import { ScoutError } from '../../util/errors.js';
import type { Page, PageRequest } from '../platform-store.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export function limitOf(page: PageRequest): number {
  const l = page.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(l) || l < 1 || l > MAX_LIMIT) throw new ScoutError('bad-limit', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  return l;
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key a cursor holds; `arity` values of the given kinds, or a bad-cursor error. */
export function decodeCursor(cursor: string | undefined, kinds: readonly ('string' | 'number')[]): (string | number)[] | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== kinds.length || v.some((x, i) => typeof x !== kinds[i])) {
    throw new ScoutError('bad-cursor', 'cursor is not one this server gave out');
  }
  return v as (string | number)[];
}

/** Rows fetched with limit + 1 → a page whose `next` is the key of its last item. */
export function pageOf<R, T>(rows: R[], limit: number, map: (r: R) => T, key: (r: R) => (string | number)[]): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const page: Page<T> = { items: kept.map(map) };
  if (more) page.next = encodeCursor(key(kept[kept.length - 1]));
  return page;
}
