import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { loadTrust, trustOptions, type TrustCliOptions } from '../trust.js';
import { action, dbOptions, displayFor, freshness, scanExit, imageOptions, openOptions, printWarnings, writeOutput, type DbCliOptions, scanOptions, type ImageCliOptions } from '../common.js';

interface QuickviewOptions extends ImageCliOptions, DbCliOptions, TrustCliOptions {
  format: string;
  output?: string;
  server?: string;
  policyFile?: string;
}

export function register(program: Command): void {
  trustOptions(dbOptions(imageOptions(
    program
      .command('quickview')
      .alias('qv')
      .argument('<image>', 'image reference, archive, OCI layout, directory, or sbom://FILE')
      .description('one screen about an image: reference, digest, packages, vulnerabilities by severity, policy status and health score')
      .option('--format <format>', 'text or json', 'text')
      .option('-o, --output <file>', 'write to a file instead of stdout (- is stdout)')
      .option('--server <url>', 'match on this Scout server, which also detects the base image: it receives only the package URLs and layer digests, and keeps nothing')
      .option('--policy-file <file>', 'policy file for the policy status and health score (see scout policy; default: with --server the organisation\'s configuration there, else the built-in policies)'),
  ))).action(
    action(async (ref: string, o: QuickviewOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      const { loadPolicyConfig } = await import('../policy-config.js');
      const config = await loadPolicyConfig(o.policyFile, o.server);
      const { quickview, writeQuickviewJson, writeQuickviewText } = await import('../../report/quickview.js');
      // One layer pass gives the packages, the secrets and the attestations: the same findings
      // `scout cves` lists, and the policies `scout policy` evaluates.
      const { evaluatedPolicies } = await import('../policy-run.js');
      const run = await evaluatedPolicies(ref, config, { open: openOptions(o), scan: scanOptions(o), trust: await loadTrust(o), freshness: freshness(o), ...(o.server ? { server: o.server } : {}) });
      const { sbom, findings, baseImage } = run;
      printWarnings(run.warnings);
      // The base image's vulnerabilities: those of the packages its layers brought.
      const { splitByBase } = await import('../local-analysis.js');
      const base = baseImage
        ? { reference: `${baseImage.repository ?? '(no repository)'}${baseImage.tags.length ? ':' + baseImage.tags.join(', :') : ''} (${baseImage.layers} of ${sbom.image?.layers.length ?? '?'} layers${baseImage.catalog ? ', public catalogue' : ''})`, digest: baseImage.digest, findings: splitByBase(findings, sbom, baseImage, 'only') }
        : undefined;
      const q = quickview({ sbom, findings, ...(base ? { base } : {}), policies: run.report }, { target: ref });
      if (!base) q.baseNote = o.server ? 'no base image found among your images or the public catalogue' : 'give --server URL to detect the base image';
      await writeOutput(o.format === 'json' ? writeQuickviewJson(q) : writeQuickviewText(q, displayFor(o.output)), o.output);
      return scanExit(sbom.warnings);
    }),
  );
}
