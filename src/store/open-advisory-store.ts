/**
 * Opens an advisory store wherever it lives: the embedded SQLite file (the CLI's cache, or the
 * server's data directory) or a PostgreSQL database (the server with `--database postgres://…`).
 * Both implementations are loaded lazily: the CLI path never loads pg, the server never needs
 * better-sqlite3 when it runs on PostgreSQL.
 */
import type { Warnings } from '../util/errors.js';
import type { AdvisoryStore } from './advisory-store.js';

export type AdvisoryStoreLocation =
  | { kind: 'sqlite'; path: string; readonly?: boolean; pageSize?: number }
  | { kind: 'postgres'; url: string; schema?: string };

export async function openAdvisoryStore(location: AdvisoryStoreLocation, options: { warnings?: Warnings } = {}): Promise<AdvisoryStore> {
  if (location.kind === 'postgres') {
    const { PgAdvisoryStore } = await import('./postgres/pg-store.js');
    return PgAdvisoryStore.open({ url: location.url, ...(location.schema !== undefined ? { schema: location.schema } : {}), ...options });
  }
  const { SqliteAdvisoryStore } = await import('./sqlite/sqlite-store.js');
  return new SqliteAdvisoryStore(location.path, { ...(location.readonly ? { readonly: true } : {}), ...(location.pageSize ? { pageSize: location.pageSize } : {}), ...options });
}

/** Where a store is, for messages: the file, or the database URL without its password. */
export function describeLocation(location: AdvisoryStoreLocation): string {
  if (location.kind === 'sqlite') return location.path;
  let url = location.url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    url = u.toString();
  } catch {
    url = '(unparseable database URL)';
  }
  return location.schema ? `${url} (schema ${location.schema})` : url;
}
