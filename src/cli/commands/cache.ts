import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action } from '../common.js';
import { bytes, table } from '../output/text.js';

export function register(program: Command): void {
  const cache = program.command('cache').description('the local cache of per-layer results and unpacked archives');
  cache
    .command('df')
    .description('show how much disk the cache uses')
    .action(
      action(async () => {
        const { cacheUsage } = await import('../../image/cache.js');
        const u = await cacheUsage();
        process.stdout.write(
          `Cache: ${u.dir}\n` +
            table(
              [
                ['layer results', String(u.layers.entries), bytes(u.layers.bytes)],
                ['image catalogs', String(u.catalog.entries), bytes(u.catalog.bytes)],
                ['unpacked archives', String(u.archives.entries), bytes(u.archives.bytes)],
                ['other (advisory db…)', String(u.other.entries), bytes(u.other.bytes)],
                ['total', '', bytes(u.total)],
              ],
              ['KIND', 'FILES', 'SIZE'],
            ) +
            '\n',
        );
      }),
    );
  cache
    .command('prune')
    .description('delete cached layer and catalog results and unpacked archives (the advisory database is kept)')
    .option('--older-than <days>', 'only what was not used in this many days')
    .action(
      action(async (o: { olderThan?: string }) => {
        let olderThanMs: number | undefined;
        if (o.olderThan !== undefined) {
          const d = Number(o.olderThan);
          if (!Number.isFinite(d) || d < 0) throw new ScoutError('bad-option', `--older-than takes a number of days, not "${o.olderThan}"`);
          olderThanMs = d * 86400_000;
        }
        const { pruneCache } = await import('../../image/cache.js');
        const r = await pruneCache(undefined, { olderThanMs });
        process.stdout.write(`Removed ${r.removed} files, ${bytes(r.bytes)}\n`);
      }),
    );
}
