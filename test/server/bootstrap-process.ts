/**
 * Runs what `scout server` does first (open the stores, then `bootstrap`) on each location named
 * on stdin, one a line, so two of these bootstrap one new database at the same moment:
 * everything is loaded before READY is printed, and each line starts one start-up.
 * A line is `postgres SCHEMA DATA_DIR` or `sqlite DATA_DIR`. Prints `CREATED TOKEN`,
 * `EXISTING` or `FAILED MESSAGE` for each.
 * Usage: node --import tsx test/server/bootstrap-process.ts PG_URL
 */
import { createInterface } from 'node:readline';
import { bootstrap, openServerStores } from '../../src/server/main.js';
import type { ServerLocation } from '../../src/server/location.js';

const [url] = process.argv.slice(2);
// Loaded before READY (openServerStores imports them lazily), so a line starts the start-up itself.
await Promise.all([import('../../src/store/kysely/platform-store.js'), import('../../src/server/advisories.js'), import('../../src/store/open-advisory-store.js'), import('../../src/store/postgres/pg-store.js'), import('pg')]);
process.stdout.write('READY\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [kind, a, b] = line.split(' ');
  const location: ServerLocation = kind === 'postgres'
    ? { dataDir: b!, database: { kind: 'postgres', url: url!, schema: a! } }
    : { dataDir: a!, database: { kind: 'sqlite', path: `${a}/scout.db` } };
  try {
    const { platform, advisories } = await openServerStores(location);
    try {
      const boot = await bootstrap(platform, location.dataDir);
      process.stdout.write(boot ? `CREATED ${boot.token}\n` : 'EXISTING\n');
    } finally {
      await platform.close();
      await advisories.close();
    }
  } catch (err) {
    process.stdout.write(`FAILED ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
