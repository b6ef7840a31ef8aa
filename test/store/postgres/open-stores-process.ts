/**
 * Opens the server's stores (advisory store, then platform database: what `scout server` and
 * `scout worker` do first) on PostgreSQL schemas named on stdin, one a line, so two of these
 * open a schema at the same moment: everything is loaded before READY is printed, and each
 * line starts one opening. Prints `OPENED SCHEMA` or `FAILED SCHEMA MESSAGE` for each.
 * Usage: node --import tsx test/store/postgres/open-stores-process.ts URL
 */
import { createInterface } from 'node:readline';
import { openServerStores } from '../../../src/server/main.js';

const [url] = process.argv.slice(2);
// Loaded before READY (openServerStores imports them lazily), so a line starts the opening itself.
await Promise.all([import('../../../src/store/kysely/platform-store.js'), import('../../../src/server/advisories.js'), import('../../../src/store/open-advisory-store.js'), import('../../../src/store/postgres/pg-store.js'), import('pg')]);
process.stdout.write('READY\n');
for await (const schema of createInterface({ input: process.stdin })) {
  try {
    const { platform, advisories } = await openServerStores({ dataDir: '/nonexistent', database: { kind: 'postgres', url, schema } });
    await platform.close();
    await advisories.close();
    process.stdout.write(`OPENED ${schema}\n`);
  } catch (err) {
    process.stdout.write(`FAILED ${schema} ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
