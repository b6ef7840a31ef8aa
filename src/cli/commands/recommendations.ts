/**
 * `scout recommendations IMAGE`: the image's base image, found by the server from the layer
 * digests alone (the image is opened here; nothing else about it is sent), and the other tags
 * of that base's repository, best first, with the reasons for each.
 */
import type { Command } from 'commander';
import type { Recommendations } from '../../platform/recommendations.js';
import { ScoutError } from '../../util/errors.js';
import { action, imageOptions, openOptions, writeOutput, type ImageCliOptions } from '../common.js';

interface RecommendationOptions extends ImageCliOptions {
  server?: string;
  format: string;
  output?: string;
}

/** The text report: the current base, then each candidate with its reasons. */
export function renderRecommendations(r: Recommendations, image: string): string {
  if (!r.base) return `${image}: no base image known (the server's catalogue and your organisation's images hold none of its layer stacks)\n`;
  const name = (c: { repository?: string; tags: string[]; digest: string }) => `${c.repository ?? '(no repository)'}:${c.tags.join(', ') || c.digest.slice(0, 19)}`;
  const cur = r.base.current;
  const lines = [
    `${image}`,
    `  base image: ${name(r.base)} (${r.base.layers} layers${r.base.catalog ? ', public catalogue' : ''}): ${cur.fixable.critical} critical and ${cur.fixable.high} high fixable vulnerabilities`,
  ];
  if (!r.recommendations.length) {
    lines.push(`  no other tag of ${r.base.repository ?? 'its repository'} is stored: nothing to recommend`);
    return lines.join('\n') + '\n';
  }
  lines.push('', `Other tags of ${r.base.repository ?? 'its repository'}, best first:`);
  for (const [i, c] of r.recommendations.entries()) {
    lines.push(`  ${i + 1}. ${name(c)}${c.better ? '  (recommended)' : ''}`);
    for (const reason of c.reasons) lines.push(`       - ${reason}`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  imageOptions(
    program
      .command('recommendations')
      .argument('<image>', 'image reference, archive, OCI layout or directory')
      .description('other tags of the base image\'s repository, ranked by fewer fixable critical/high vulnerabilities, same OS family, newer, smaller (the server receives only the layer digests)')
      .option('--server <url>', 'Scout server (default: SCOUT_SERVER or scout login\'s)')
      .option('--format <format>', 'text or json', 'text')
      .option('-o, --output <file>', 'write to a file instead of stdout'),
  ).action(
    action(async (ref: string, o: RecommendationOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      const { openImage } = await import('../../image/open.js');
      const img = await openImage(ref, openOptions(o));
      const { callApi, resolveLogin } = await import('../server-client.js');
      const login = resolveLogin(o.server);
      const { body } = await callApi<Recommendations>(login, { method: 'POST', path: '/v1/recommendations', body: { layerDigests: img.layers.map((l) => l.diffId) }, gzip: false });
      await writeOutput(o.format === 'json' ? JSON.stringify(body, null, 2) + '\n' : renderRecommendations(body, ref), o.output);
      return 0;
    }),
  );
}
