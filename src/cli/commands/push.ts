/** `scout push IMAGE [--tag T…]`: catalogue locally, upload metadata + SBOM (gzip) to the server. */
import type { Command } from 'commander';
import { action, imageOptions, openOptions, printWarnings, scanExit, writeOutput, scanOptions, type ImageCliOptions } from '../common.js';
import { ScoutError } from '../../util/errors.js';

interface PushOptions extends ImageCliOptions {
  server?: string;
  repository?: string;
  tag?: string[];
  format: string;
}

export function register(program: Command): void {
  imageOptions(
    program
      .command('push')
      .argument('<image>', 'image reference, archive, OCI layout or directory')
      .description('analyse an image locally and store its metadata and SBOM on the Scout server (which matches it and keeps the findings)')
      .option('--server <url>', 'server URL (default: SCOUT_SERVER or scout login\'s)')
      .option('--repository <name>', 'repository to file it under (default: the image reference\'s)')
      .option('--tag <tag...>', 'tags to point at it (default: the reference\'s tag)')
      .option('--format <format>', 'text or json', 'text'),
  ).action(
    action(async (ref: string, o: PushOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      const { callApi, pushTarget, resolveLogin } = await import('../server-client.js');
      const login = resolveLogin(o.server);
      const { loadSbom } = await import('../../sbom/load.js');
      const { writeScoutJson } = await import('../../sbom/formats/scout-json.js');
      const { sbom } = await loadSbom(ref, openOptions(o), scanOptions(o));
      printWarnings(sbom.warnings);
      if (!sbom.image) throw new ScoutError('bad-sbom', `${ref}: an SBOM file has no image to push; push the image itself`);
      const target = pushTarget(ref, sbom, o);
      const { body } = await callApi<import('../../store/platform-store.js').PutResult>(login, {
        method: 'POST',
        path: '/v1/images',
        query: { repository: target.repository, tag: target.tags },
        body: JSON.parse(writeScoutJson(sbom)),
        gzip: true,
      });
      if (o.format === 'json') await writeOutput(JSON.stringify(body, null, 2));
      else {
        const { imageSummaryText } = await import('../output/platform.js');
        await writeOutput(`${body.created ? 'Pushed' : 'Already stored (marked seen)'}: ${login.server}\n${imageSummaryText(body.image)}`);
      }
      return scanExit(sbom.warnings);
    }),
  );
}
