/**
 * `scout server db import|update|status`: the `scout db` commands, aimed at the server's
 * advisory database (in the server's own database: the SQLite file in its data directory, or
 * PostgreSQL), which the server matches pushed images against.
 */
import type { Command } from 'commander';
import { registerDbCommands, type DbTarget } from './db.js';
import { serverLocationOptions, type ServerLocationCliOptions } from './server.js';

async function serverTarget(o: ServerLocationCliOptions): Promise<DbTarget> {
  const { resolveServerLocation } = await import('../../server/location.js');
  const { describeLocation, openAdvisoryStore } = await import('../../store/open-advisory-store.js');
  const { database } = resolveServerLocation({
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
    ...(o.database !== undefined ? { database: o.database } : {}),
  });
  return {
    where: describeLocation(database),
    command: 'scout server db',
    // A KEV or EPSS import that changes data queues the refresh of the stored findings' exploit data.
    open: async () => (await import('../../server/exploit-data-imports.js')).withExploitRefresh(await openAdvisoryStore(database), database),
    // The file is shared with the platform tables, which may exist before the advisory ones:
    // opening it normally adds those (as `scout server` does at start).
    openForReading: () => openAdvisoryStore(database),
    // A PostgreSQL database is reported as it is (opening it only adds the tables); a missing
    // SQLite file is not created just to say it is empty.
    exists: async () => (database.kind === 'sqlite' ? (await import('node:fs')).existsSync(database.path) : true),
  };
}

export function register(server: Command): void {
  const db = server.command('db').description('the server\'s advisory database: import, update, status');
  // Options given before `db` (scout server --data-dir X db status) count too.
  registerDbCommands(db, (o) => serverTarget({ ...(server.opts() as ServerLocationCliOptions), ...(o as ServerLocationCliOptions) }), 'the server\'s advisory database', serverLocationOptions);
}
