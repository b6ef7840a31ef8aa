/**
 * `scout server` (the platform API) and its admin subcommands, which work on the store directly
 * (no token needed: whoever can read the data directory or the database is the administrator):
 * `scout server token create|list|revoke`, `scout server catalog add`, and `scout server db …`
 * (server-db.ts registers on the command this returns). Every one takes
 * --data-dir / --database and resolves them with src/server/location.ts.
 */
import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action, imageOptions, openOptions, printWarnings, scanOptions, type ImageCliOptions } from '../common.js';
import { untilStopped } from '../until-stopped.js';

export interface LocationCliOptions {
  dataDir?: string;
  database?: string;
}

export type ServerLocationCliOptions = LocationCliOptions;

/** --data-dir and --database, as every `scout server …` command takes them. */
export function serverLocationOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'where the server keeps its data (default: iechor-scout-server beside the cache directory; also SCOUT_DATA_DIR)')
    .option('--database <url>', 'postgres://… to use PostgreSQL (also SCOUT_DATABASE_URL); default: the SQLite file <data-dir>/scout.db');
}

async function location(o: LocationCliOptions) {
  const { resolveServerLocation } = await import('../../server/location.js');
  return resolveServerLocation(o);
}

/** Runs `fn` with the platform store of these options, closing it after. */
async function withPlatform<T>(o: LocationCliOptions, fn: (p: import('../../store/kysely/platform-store.js').KyselyPlatformStore) => Promise<T>): Promise<T> {
  const { KyselyPlatformStore } = await import('../../store/kysely/platform-store.js');
  const platform = await KyselyPlatformStore.open((await location(o)).database);
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

const SCOPES = ['read', 'write', 'admin'];

/** --advisory-sync SECONDS, checked before the server starts. */
function advisorySyncOption(seconds: string | undefined): { intervalMs: number } | undefined {
  if (seconds === undefined) return undefined;
  const n = Number(seconds);
  if (!Number.isFinite(n) || n < 60) throw new ScoutError('bad-option', `--advisory-sync must be a number of seconds (60 or more), not "${seconds}"`);
  return { intervalMs: Math.round(n * 1000) };
}

export const METRICS_PORT = ['--metrics-port <port>', 'serve /metrics (Prometheus), /healthz and /readyz on this port, apart from the API (keep it on the cluster network)'] as const;

/** A TCP port option (0 to 65535), or undefined when not given. */
export function portOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ScoutError('bad-option', `${flag} must be 0 to 65535, not "${value}"`);
  return port;
}

/**
 * A subcommand's options merged with its parents': `scout server token list --data-dir D`
 * hands --data-dir to `server` (which takes it too), so read both.
 */
export function withParents<T>(cmd: Command): T {
  return cmd.optsWithGlobals() as T;
}

export const CATALOG_ORG = 'public-catalog';

export function register(program: Command): Command {
  const server = serverLocationOptions(
    program
      .command('server')
      .description('run the platform server (HTTP API), or administer its store (token, catalog)')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <port>', 'port to listen on', '8080')
      .option('--analyze-registry <host...>', 'registries POST /v1/images/analyze may pull from: host[:port], or http://host:port for plain HTTP (also SCOUT_ANALYZE_REGISTRIES, comma-separated; default none)')
      .option('--no-jobs', 'run no jobs in this process: leave them to scout worker processes (PostgreSQL only)')
      .option(...METRICS_PORT)
      .option('--metrics-host <host>', 'address of the metrics listener (default: --host)')
      .option('--advisory-sync <seconds>', 'sync the advisory database every this many seconds from the scout db update sources (first at start; one worker runs each sync)')
      .option('--advisory-mirror <url-or-dir>', 'where advisory syncs (scheduled, and on demand: POST /v1/advisories/sync) read the feeds: an http(s) mirror or a directory holding them under their original paths (default: SCOUT_ADVISORY_MIRROR, else the public feeds)'),
  ).action(
    action(async (o: LocationCliOptions & { host: string; port: string; jobs: boolean; metricsPort?: string; metricsHost?: string; advisorySync?: string; advisoryMirror?: string; analyzeRegistry?: string[] }) => {
      const port = portOption('--port', o.port)!;
      const metricsPort = portOption('--metrics-port', o.metricsPort);
      const { startServer } = await import('../../server/main.js');
      const advisorySync = advisorySyncOption(o.advisorySync);
      const running = await startServer({ location: await location(o), host: o.host, port, runJobs: o.jobs, ...(metricsPort !== undefined ? { metricsPort } : {}), ...(o.metricsHost ? { metricsHost: o.metricsHost } : {}), ...(advisorySync ? { advisorySync } : {}), ...(o.advisoryMirror !== undefined ? { advisoryMirror: o.advisoryMirror } : {}), ...(o.analyzeRegistry ? { analyzeRegistries: o.analyzeRegistry } : {}) });
      process.stdout.write(`Scout server listening on ${running.url} (data: ${running.platform.dialect === 'sqlite' ? (await location(o)).dataDir : 'PostgreSQL'})\n`);
      if (running.opsUrl) process.stdout.write(`metrics and health on ${running.opsUrl} (/metrics, /healthz, /readyz)\n`);
      await untilStopped(() => running.close());
    }),
  );

  const token = server.command('token').description('API tokens: create, list, revoke');
  serverLocationOptions(
    token
      .command('create')
      .description('create an API token (printed once; only its hash is stored); creates the organisation if needed')
      .requiredOption('--org <name>', 'organisation')
      .option('--scope <scope>', 'read, write or admin', 'read')
      .option('--name <name>', 'a name to recognise it by', 'cli'),
  ).action(
    action(async (_o: LocationCliOptions & { org: string; scope: string; name: string }, cmd: Command) => {
      const o = withParents<LocationCliOptions & { org: string; scope: string; name: string }>(cmd);
      if (!SCOPES.includes(o.scope)) throw new ScoutError('bad-option', `--scope must be read, write or admin, not "${o.scope}"`);
      await withPlatform(o, async (p) => {
        const org = await p.ensureOrg(o.org);
        const { token: t, info } = await p.forOrg(org).createToken(o.name, o.scope as 'read');
        process.stderr.write(`token ${info.id} (${info.scope}) for organisation ${org.name}; shown once:\n`);
        process.stdout.write(t + '\n');
      });
    }),
  );
  serverLocationOptions(token.command('list').description('list tokens (never the tokens themselves)').option('--org <name>', 'only this organisation')).action(
    action(async (_o: LocationCliOptions & { org?: string }, cmd: Command) => {
      const o = withParents<LocationCliOptions & { org?: string }>(cmd);
      await withPlatform(o, async (p) => {
        const orgs = (await p.listOrgs()).filter((x) => !o.org || x.name === o.org);
        if (o.org && !orgs.length) throw new ScoutError('not-found', `no organisation ${o.org}`);
        const rows: string[][] = [];
        for (const org of orgs) {
          // The store pages tokens as GET /v1/tokens does: every page, oldest first.
          for (let cursor: string | undefined, first = true; first || cursor; first = false) {
            const page = await p.forOrg(org).listTokens({ limit: 500, ...(cursor ? { cursor } : {}) });
            for (const t of page.items) rows.push([t.id, org.name, t.name, t.scope, t.createdAt, t.lastUsedAt ?? '-', t.revokedAt ?? '-']);
            cursor = page.next;
          }
        }
        const { table } = await import('../output/text.js');
        process.stdout.write(table(rows, ['ID', 'ORG', 'NAME', 'SCOPE', 'CREATED', 'LAST USED', 'REVOKED']) + '\n');
      });
    }),
  );
  serverLocationOptions(token.command('revoke').argument('<id>', 'token id (from token list)').description('revoke a token')).action(
    action(async (id: string, _o: LocationCliOptions, cmd: Command) => {
      const o = withParents<LocationCliOptions>(cmd);
      await withPlatform(o, async (p) => {
        const info = await p.tokenById(id);
        const org = info && (await p.listOrgs()).find((x) => x.id === info.orgId);
        if (!info || !org) throw new ScoutError('not-found', `no token ${id}`);
        if (!(await p.forOrg(org).revokeToken(id))) throw new ScoutError('not-found', `token ${id} is already revoked`);
        process.stdout.write(`revoked ${id}\n`);
      });
    }),
  );

  const catalog = server.command('catalog').description('the public catalogue of base images every organisation matches against');
  imageOptions(
    serverLocationOptions(
      catalog
        .command('add')
        .argument('<image...>', 'images to add (any source the CLI reads)')
        .description('catalogue images and store them in the public catalogue')
        .option('--repository <name>', 'repository to file them under (default: the registry repository of each image)')
        .option('--tag <tag...>', 'tags (default: the tag of the reference)'),
    ),
  ).action(
    action(async (refs: string[], _o: LocationCliOptions, cmd: Command) => {
      const o = withParents<LocationCliOptions & ImageCliOptions & { repository?: string; tag?: string[] }>(cmd);
      const { openServerStores } = await import('../../server/main.js');
      const { platform, advisories } = await openServerStores(await location(o));
      try {
        const org = await platform.ensureOrg(CATALOG_ORG, { catalog: true });
        if (!org.catalog) throw new ScoutError('bad-org', `organisation ${CATALOG_ORG} exists and is not the catalogue`);
        const { loadSbom } = await import('../../sbom/load.js');
        const { ingestSbom } = await import('../../server/ingest.js');
        const { pushTarget } = await import('../server-client.js');
        const { PurlAnswers } = await import('../../server/purl-answers.js');
        // Per-purl match answers shared by the images of this run (several tags and releases of
        // one base share most packages), as the server shares them between pushes.
        const answers = new PurlAnswers(advisories);
        for (const ref of refs) {
          const { sbom } = await loadSbom(ref, openOptions(o), scanOptions(o));
          printWarnings(sbom.warnings);
          const target = pushTarget(ref, sbom, o);
          const r = await ingestSbom(platform.forOrg(org), advisories, sbom, { ...target, answers });
          process.stdout.write(`${r.created ? 'added' : 'already there'}: ${r.image.repository ?? '(no repository)'}${r.image.tags.length ? ':' + r.image.tags.join(',') : ''} ${r.image.digest} (${r.image.layerCount} layers)\n`);
        }
      } finally {
        await platform.close();
        await advisories.close();
      }
    }),
  );
  return server;
}
