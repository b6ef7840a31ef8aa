/**
 * `scout push IMAGE [--tag T…] [--secrets]`: catalogue locally, upload metadata + SBOM (gzip)
 * to the server, with what the image's attestations say (whether it has provenance and SBOM
 * attestations, and the provenance facts: materials, base image, VCS, Dockerfile) and, with
 * --secrets, the secret scan of its layers (masked values only).
 */
import type { Command } from 'commander';
import { action, imageOptions, openOptions, printWarnings, scanExit, writeOutput, scanOptions, type ImageCliOptions } from '../common.js';
import { loadTrust, trustOptions, type TrustCliOptions } from '../trust.js';
import { ScoutError } from '../../util/errors.js';

interface PushOptions extends ImageCliOptions, TrustCliOptions {
  server?: string;
  repository?: string;
  tag?: string[];
  format: string;
  secrets?: boolean;
}

export function register(program: Command): void {
  trustOptions(
    imageOptions(
      program
        .command('push')
        .argument('<image>', 'image reference, archive, OCI layout or directory')
        .description('analyse an image locally and store its metadata, SBOM and provenance on the Scout server (which matches it, evaluates its policies and keeps the findings)')
        .option('--server <url>', 'server URL (default: SCOUT_SERVER or scout login\'s)')
        .option('--repository <name>', 'repository to file it under (default: the image reference\'s)')
        .option('--tag <tag...>', 'tags to point at it (default: the reference\'s tag)')
        .option('--secrets', 'also search the layers for leaked secrets and store the findings (values masked, never whole)')
        .option('--format <format>', 'text or json', 'text'),
    ),
  ).action(
    action(async (ref: string, o: PushOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      const { callApi, pushTarget, resolveLogin } = await import('../server-client.js');
      const login = resolveLogin(o.server);
      if (o.secrets && (ref === '-' || ref.startsWith('sbom://'))) throw new ScoutError('bad-option', `--secrets needs an image: ${ref} is an SBOM, which holds no file contents`);
      const { imageFacts } = await import('../../platform/image-facts.js');
      const trust = o.key?.length || o.trustedRoot ? await loadTrust(o) : undefined;
      const facts = await imageFacts(ref, openOptions(o), scanOptions(o), { secrets: !!o.secrets, ...(trust ? { trust } : {}) });
      const { sbom } = facts;
      printWarnings([...sbom.warnings, ...facts.attestationWarnings]);
      if (!sbom.image) throw new ScoutError('bad-sbom', `${ref}: an SBOM file has no image to push; push the image itself`);
      const target = pushTarget(ref, sbom, o);
      const { pushBody } = await import('../../platform/push-body.js');
      const body = pushBody(facts);
      const { body: reply } = await callApi<import('../../store/platform-store.js').PutResult>(login, {
        method: 'POST',
        path: '/v1/images',
        query: { repository: target.repository, tag: target.tags },
        body,
        gzip: true,
      });
      if (o.format === 'json') await writeOutput(JSON.stringify(reply, null, 2));
      else {
        const { imageSummaryText } = await import('../output/platform.js');
        const secrets = facts.secrets ? `\n  secrets        ${facts.secrets.findings.length} found (stored masked)` : '';
        // A stored digest still takes what this push found beside it (the server adds what it lacked).
        const stored = facts.secrets || facts.provenance ? 'Already stored (marked seen; provenance and secret scan brought up to date)' : 'Already stored (marked seen)';
        await writeOutput(`${reply.created ? 'Pushed' : stored}: ${login.server}\n${imageSummaryText(reply.image)}${secrets}`);
      }
      return scanExit(sbom.warnings);
    }),
  );
}
