/**
 * The dashboard served by the real app on a loopback port, with a headless Chromium to look at
 * it: what each browser test's setup does once its stores are seeded. The closers go onto
 * `cleanups` in the order the test's `after` runs them reversed: the browser first, then the
 * app, the stores and the test's database.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/app.js';
import type { KyselyPlatformStore } from '../../src/store/kysely/platform-store.js';
import type { SqliteAdvisoryStore } from '../../src/store/sqlite/sqlite-store.js';
import { openBrowser, type Browser } from './browser.js';
import { ensureWebBuild } from './web-build.js';

export async function dashboardInBrowser(platform: KyselyPlatformStore, advisories: SqliteAdvisoryStore, drop: () => Promise<void>, cleanups: (() => Promise<void>)[]): Promise<{ base: string; browser: Browser }> {
  const app: FastifyInstance = await buildApp({ platform, advisories, webRoot: await ensureWebBuild() });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(async () => {
    await app.close();
    await platform.close();
    await advisories.close();
    await drop();
  });
  const browser = await openBrowser();
  cleanups.push(() => browser.close());
  return { base, browser };
}
