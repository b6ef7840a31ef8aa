/**
 * The OpenAPI document as the server serves it at /v1/openapi.json, built from the route schemas
 * on throwaway in-memory stores. `npm run openapi` writes it to schemas/openapi.json (committed,
 * so API changes show in review); a test fails when the served document differs from the file.
 */
import type { AdvisoryStore } from '../store/advisory-store.js';

export const OPENAPI_FILE = new URL('../../schemas/openapi.json', import.meta.url);

export async function openApiDocument(): Promise<unknown> {
  const { KyselyPlatformStore } = await import('../store/kysely/platform-store.js');
  const { SqliteAdvisoryStore } = await import('../store/sqlite/sqlite-store.js');
  const { buildApp } = await import('./app.js');
  const platform = await KyselyPlatformStore.open({ kind: 'sqlite', path: ':memory:' });
  const advisories: AdvisoryStore = new SqliteAdvisoryStore(':memory:');
  try {
    const app = await buildApp({ platform, advisories });
    try {
      const r = await app.inject({ method: 'GET', url: '/v1/openapi.json' });
      if (r.statusCode !== 200) throw new Error(`GET /v1/openapi.json answered ${r.statusCode}`);
      return JSON.parse(r.body) as unknown;
    } finally {
      await app.close();
    }
  } finally {
    await platform.close();
    await advisories.close();
  }
}

/** The document as the committed file holds it: two-space JSON and a final newline. */
export function openApiText(doc: unknown): string {
  return JSON.stringify(doc, null, 2) + '\n';
}
