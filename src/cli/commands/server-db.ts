/**
 * `scout server db import|update|status`: the `scout db` commands, aimed at the server's
 * advisory database (in the server's own database: the SQLite file in its data directory, or
 * PostgreSQL), which the server matches pushed images against.
 * `scout server db sync`: asks a running server (over its API, not its database) to sync that
 * database now from its configured sources, and waits for the job.
 */
import type { Command } from 'commander';
import { registerDbCommands, type DbTarget } from './db.js';
import { action, EXIT, writeOutput } from '../common.js';
import { ScoutError } from '../../util/errors.js';
import type { ServerJob } from '../server-jobs.js';
import type { AdvisorySyncResult } from '../../jobs/handlers/advisory-sync.js';
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
  db.command('sync')
    .description('ask the running server to sync its advisory database now from its configured sources (POST /v1/advisories/sync; admin token), and wait for it')
    .option('--server <url>', "server URL (default: SCOUT_SERVER or scout login's)")
    .option('--no-wait', 'print the queued job and return at once')
    .option('--format <format>', 'text or json', 'text')
    .action(action((o: { server?: string; wait: boolean; format: string }) => syncOnServer(o)));
}

/** How long `scout server db sync` waits for the server's sync (a first sync of every feed is long). */
const SYNC_WAIT_MS = 60 * 60_000;

async function syncOnServer(o: { server?: string; wait: boolean; format: string }): Promise<number> {
  if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
  const { resolveLogin, callApi } = await import('../server-client.js');
  const login = resolveLogin(o.server);
  const { body: queued } = await callApi<ServerJob<AdvisorySyncResult>>(login, { method: 'POST', path: '/v1/advisories/sync' });
  const { waitForJob } = await import('../server-jobs.js');
  const job = o.wait ? await waitForJob(login, queued, { timeoutMs: SYNC_WAIT_MS, timeoutCode: 'sync-timeout', what: "the server's advisory sync" }) : queued;
  const failed = job.state === 'failed' || (job.result?.sources.some((s) => s.status === 'failed') ?? false);
  if (o.format === 'json') await writeOutput(JSON.stringify(job, null, 2));
  else await writeOutput(syncText(job));
  return failed ? EXIT.error : EXIT.ok;
}

function syncText(job: ServerJob<AdvisorySyncResult>): string {
  const lines = [`advisory sync ${job.id}: ${job.state}${job.error ? ` (${job.error})` : ''}`];
  for (const s of job.result?.sources ?? []) {
    const c = s.counts;
    const counts = c ? `${c.inserted} new, ${c.updated} updated, ${c.deleted} deleted, ${c.unchanged} unchanged` : '';
    lines.push(`  ${s.name}: ${s.status}${counts || s.reason ? ` (${[counts, s.reason].filter(Boolean).join('; ')})` : ''}`);
  }
  return lines.join('\n');
}
