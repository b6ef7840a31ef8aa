/**
 * Reading what the server stores: `scout repo list`, `scout image list [--repo R]`,
 * `scout image get IMAGE --server`, `scout vuln ID` (with the workloads running affected images),
 * `scout package PURL`. Lists follow the server's cursors to the end (or --limit).
 */
import type { Command } from 'commander';
import type { ImageSummary, RepositorySummary, Usage } from '../../store/platform-store.js';
import type { Workload } from '../../store/kysely/activity-store.js';
import { ScoutError } from '../../util/errors.js';
import { action, writeOutput } from '../common.js';
import type { ServerLogin } from '../server-client.js';

interface ReadOptions {
  server?: string | boolean;
  format: string;
}

const FORMAT = ['--format <format>', 'text or json', 'text'] as const;
const SERVER = ['--server [url]', 'server URL (default: SCOUT_SERVER or scout login\'s)'] as const;

function checkFormat(f: string): void {
  if (!['text', 'json'].includes(f)) throw new ScoutError('bad-format', `--format must be text or json, not "${f}"`);
}

async function login(o: ReadOptions): Promise<ServerLogin> {
  const { resolveLogin } = await import('../server-client.js');
  return resolveLogin(typeof o.server === 'string' ? o.server : undefined);
}

/** Every item of a paged list. */
async function all<T>(l: ServerLogin, path: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
  const { fetchAll } = await import('../server-client.js');
  return fetchAll<T>(l, path, query);
}

export function register(program: Command, image: Command): void {
  program
    .command('repo')
    .description('repositories stored on the server')
    .command('list')
    .description('list repositories')
    .option(...SERVER)
    .option(...FORMAT)
    .action(
      action(async (o: ReadOptions) => {
        checkFormat(o.format);
        const repos = await all<RepositorySummary>(await login(o), '/v1/repositories');
        const { table } = await import('../output/text.js');
        await writeOutput(o.format === 'json' ? JSON.stringify(repos, null, 2) : table(repos.map((r) => [r.name, String(r.imageCount), r.tags.join(',') || '-', r.lastPushedAt.slice(0, 19).replace('T', ' ')]), ['REPOSITORY', 'IMAGES', 'TAGS', 'LAST PUSHED']));
      }),
    );

  image
    .command('list')
    .description('images stored on the server, last pushed first')
    .option('--repo <name>', 'only this repository')
    .option(...SERVER)
    .option(...FORMAT)
    .action(
      action(async (o: ReadOptions & { repo?: string }) => {
        checkFormat(o.format);
        const items = await all<ImageSummary>(await login(o), '/v1/images', { repository: o.repo });
        const { imageListText } = await import('../output/platform.js');
        await writeOutput(o.format === 'json' ? JSON.stringify(items, null, 2) : imageListText(items));
      }),
    );

  image
    .command('get')
    .argument('<image>', 'a digest, or REPOSITORY:TAG of a stored image')
    .description('a stored image: metadata, base image, layers, packages and findings')
    .option(...SERVER)
    .option(...FORMAT)
    .action(
      action(async (ref: string, o: ReadOptions) => {
        checkFormat(o.format);
        if (o.server === undefined && !process.env.SCOUT_SERVER) {
          // Without --server there is nothing to get: the local equivalent is image inspect.
          const { loginFile } = await import('../server-client.js');
          const { existsSync } = await import('node:fs');
          if (!existsSync(loginFile())) throw new ScoutError('bad-option', 'scout image get reads a stored image: give --server URL (or log in); for a local image use scout image inspect');
        }
        const { readStoredImage } = await import('../stored-image.js');
        const { detail, layers, packages, findings } = await readStoredImage(await login(o), ref);
        if (o.format === 'json') return void (await writeOutput(JSON.stringify({ image: detail, layers, packages, findings }, null, 2)));
        const { imageSummaryText, layersText, findingsText } = await import('../output/platform.js');
        const { table } = await import('../output/text.js');
        await writeOutput(
          [
            imageSummaryText(detail),
            '',
            `Layers (${layers.length})`,
            layersText(layers, detail.baseImage),
            '',
            `Packages (${packages.length})`,
            table(packages.map((p) => [p.name, p.version, p.type, p.purl]), ['NAME', 'VERSION', 'TYPE', 'PURL']),
            '',
            `Vulnerabilities (${findings.length})`,
            findings.length ? findingsText(findings) : 'none known',
          ].join('\n'),
        );
      }),
    );

  program
    .command('vuln')
    .argument('<id>', 'a vulnerability id: CVE, GHSA, DSA, …')
    .description('which of your stored images and packages have this vulnerability, and the workloads running those images now')
    .option(...SERVER)
    .option(...FORMAT)
    .action(
      action(async (id: string, o: ReadOptions) => {
        checkFormat(o.format);
        const l = await login(o);
        const path = `/v1/vulnerabilities/${encodeURIComponent(id)}`;
        // Both lists are paged by the server: every page of each is fetched.
        const [items, running] = await Promise.all([all<Usage>(l, path), all<Workload>(l, `${path}/workloads`)]);
        if (o.format === 'json') {
          // Each image's workloads beside it: the list stays what it was, with one field more.
          await writeOutput(JSON.stringify(items.map((u) => ({ ...u, workloads: running.filter((w) => w.imageDigest === u.digest) })), null, 2));
          return;
        }
        const { usageText, runningText } = await import('../output/platform.js');
        await writeOutput(items.length ? `${usageText(items, true)}\n\n${runningText(running)}` : `${id}: in none of your stored images`);
      }),
    );

  program
    .command('package')
    .argument('<purl>', 'a package URL; without a version, every version')
    .description('where a package is used in your stored images')
    .option(...SERVER)
    .option(...FORMAT)
    .action(
      action(async (purl: string, o: ReadOptions) => {
        checkFormat(o.format);
        const items = await all<Usage>(await login(o), '/v1/packages', { purl });
        const { usageText } = await import('../output/platform.js');
        await writeOutput(o.format === 'json' ? JSON.stringify(items, null, 2) : items.length ? usageText(items, false) : `${purl}: in none of your stored images`);
      }),
    );
}
