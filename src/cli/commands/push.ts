/**
 * `scout push IMAGE [--tag T…] [--secrets] [--vex-location PATH…]`: catalogue locally, upload metadata + SBOM (gzip)
 * to the server, with what the image's attestations say (whether it has provenance and SBOM
 * attestations, and the provenance facts: materials, base image, VCS, Dockerfile) and, with
 * --secrets, the secret scan of its layers (masked values only), and the OpenVEX documents of
 * --vex-location (stored with the image, they decide its findings' VEX status). With --server-side the server
 * pulls and analyses the registry image itself (src/cli/push-server-side.ts) and the push waits
 * for it, printing the same.
 */
import type { Command } from 'commander';
import { action, EXIT, imageOptions, openOptions, printWarnings, scanExit, writeOutput, scanOptions, type ImageCliOptions } from '../common.js';
import type { PutResult } from '../../store/platform-store.js';
import { loadTrust, trustOptions, wantsTrust, type TrustCliOptions } from '../trust.js';
import { ScoutError } from '../../util/errors.js';
import { collect } from '../output/pairs.js';

interface PushOptions extends ImageCliOptions, TrustCliOptions {
  server?: string;
  repository?: string;
  tag?: string[];
  format: string;
  secrets?: boolean;
  serverSide?: boolean;
  vexLocation: string[];
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
        .option('--vex-location <path>', 'VEX file (OpenVEX or CycloneDX VEX) or directory of them (repeatable): stored with the image, they decide its findings\' VEX status on the server', collect, [])
        .option('--secrets', 'also search the layers for leaked secrets and store the findings (values masked, never whole)')
        .option('--server-side', 'let the server pull and analyse the registry image (POST /v1/images/analyze; the registry must be one the server allows) and wait for it, instead of analysing it here')
        .option('--format <format>', 'text or json', 'text'),
    ),
  ).action(
    action(async (ref: string, o: PushOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      const { callApi, pushTarget, resolveLogin } = await import('../server-client.js');
      const login = resolveLogin(o.server);
      if (o.serverSide) {
        // What only a local analysis does: refused rather than silently dropped.
        if (o.vexLocation.length) throw new ScoutError('bad-option', '--server-side sends no VEX document: push without --server-side, or send them with POST /v1/vex');
        if (o.secrets) throw new ScoutError('bad-option', '--server-side stores no secret scan (the server analyses as scout push without --secrets): drop --secrets or --server-side');
        if (wantsTrust(o)) throw new ScoutError('bad-option', '--key, --trusted-root and --certificate-* verify attestations on this machine; the server does not take them: drop them or --server-side');
        const { pushServerSide } = await import('../push-server-side.js');
        const { reply, incompleteLayers } = await pushServerSide(login, { reference: ref, ...(o.platform ? { platform: o.platform } : {}), ...(o.repository ? { repository: o.repository } : {}), ...(o.tag?.length ? { tags: o.tag } : {}) });
        if (incompleteLayers.length) process.stderr.write(`warning: the server could not read every layer whole (${incompleteLayers.join(', ')}): the stored SBOM may miss packages\n`);
        await printPush(o.format, login.server, reply, reply.created ? 'Pushed' : 'Already stored (marked seen)');
        return incompleteLayers.length ? EXIT.incomplete : EXIT.ok;
      }
      if (o.secrets && (ref === '-' || ref.startsWith('sbom://'))) throw new ScoutError('bad-option', `--secrets needs an image: ${ref} is an SBOM, which holds no file contents`);
      // Read and checked before the image is analysed: a bad document stops the push at once.
      const { existing } = await import('./cves.js');
      const vex = o.vexLocation.length ? await (await import('../../platform/vex-input.js')).pushedVexOf(await Promise.all(o.vexLocation.map((p) => existing('--vex-location', p)))) : [];
      const { imageFacts } = await import('../../platform/image-facts.js');
      const trust = wantsTrust(o) ? await loadTrust(o) : undefined;
      const facts = await imageFacts(ref, openOptions(o), scanOptions(o), { secrets: !!o.secrets, ...(trust ? { trust } : {}) });
      const { sbom } = facts;
      printWarnings([...sbom.warnings, ...facts.attestationWarnings]);
      if (!sbom.image) throw new ScoutError('bad-sbom', `${ref}: an SBOM file has no image to push; push the image itself`);
      const target = pushTarget(ref, sbom, o);
      const { pushBody } = await import('../../platform/push-body.js');
      const body = { ...pushBody(facts), ...(vex.length ? { vex } : {}) };
      const { body: reply } = await callApi<PutResult>(login, {
        method: 'POST',
        path: '/v1/images',
        query: { repository: target.repository, tag: target.tags },
        body,
        gzip: true,
      });
      const secrets = (facts.secrets ? `\n  secrets        ${facts.secrets.findings.length} found (stored masked)` : '') + (vex.length ? `\n  vex            ${vex.length} document${vex.length === 1 ? '' : 's'} stored with the image (${vex.map((v) => v.file).join(', ')})` : '');
      // A stored digest still takes what this push found beside it (the server adds what it lacked).
      const stored = facts.secrets || facts.provenance ? 'Already stored (marked seen; provenance and secret scan brought up to date)' : 'Already stored (marked seen)';
      await printPush(o.format, login.server, reply, reply.created ? 'Pushed' : stored, secrets);
      return scanExit(sbom.warnings);
    }),
  );
}

/** What a push prints, local or server-side: the server's answer as JSON, or the stored image's summary. */
async function printPush(format: string, server: string, reply: PutResult, headline: string, extra = ''): Promise<void> {
  if (format === 'json') return writeOutput(JSON.stringify(reply, null, 2));
  const { imageSummaryText } = await import('../output/platform.js');
  await writeOutput(`${headline}: ${server}\n${imageSummaryText(reply.image)}${extra}`);
}
