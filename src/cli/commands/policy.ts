/**
 * `scout policy IMAGE`: the built-in and custom policies evaluated on an image, each with its
 * violations and how to fix them, and the health score (A–F). With `--exit-code` a CI job
 * fails (exit 2) when a policy fails or a custom policy cannot run.
 */
import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action, dbOptions, EXIT, freshness, scanExit, imageOptions, openOptions, printWarnings, writeOutput, type DbCliOptions, scanOptions, type ImageCliOptions } from '../common.js';
import { loadTrust, trustOptions, type TrustCliOptions } from '../trust.js';

interface PolicyOptions extends ImageCliOptions, DbCliOptions, TrustCliOptions {
  policyFile?: string;
  exitCode?: boolean;
  format: string;
  output?: string;
  server?: string;
}

export function register(program: Command): void {
  const cmd = trustOptions(dbOptions(imageOptions(
    program
      .command('policy')
      .argument('<image>', 'image reference, archive, OCI layout, directory, or sbom://FILE')
      .description('evaluate the policies (built-in and custom CEL) on an image: each one\'s status, violations and fix, and a health score A–F')
      .option('--policy-file <file>', 'policy file (YAML or JSON): parameters of the built-in policies, custom CEL policies (default: the built-in policies); also SCOUT_POLICY_FILE or policy-file in the config file')
      .option('-e, --exit-code', 'exit with 2 when a policy fails (or a custom policy cannot run)')
      .option('--format <format>', 'text or json', 'text')
      .option('-o, --output <file>', 'write to a file instead of stdout')
      .option('--server <url>', 'match on this Scout server, which also detects the base image (for the base image policies), and judge by the organisation\'s policy configuration there unless --policy-file is given: it receives only the package URLs and layer digests, and keeps nothing'),
  )));
  cmd.action(
    action(async (ref: string, o: PolicyOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      const { loadPolicyConfig } = await import('../policy-config.js');
      // The file is read first: a mistake in it is reported before minutes of scanning.
      const config = await loadPolicyConfig(o.policyFile, o.server);
      const { evaluatedPolicies } = await import('../policy-run.js');
      const { report, warnings } = await evaluatedPolicies(ref, config, {
        open: openOptions(o),
        scan: scanOptions(o),
        trust: await loadTrust(o),
        freshness: freshness(o),
        ...(o.server ? { server: o.server } : {}),
      });
      printWarnings(warnings);
      const { writePolicyJson, writePolicyText, gateFails } = await import('../../policy/index.js');
      await writeOutput(o.format === 'json' ? writePolicyJson(report) : writePolicyText(report), o.output);
      if (o.exitCode && gateFails(report)) return EXIT.policy;
      return scanExit(warnings);
    }),
  );
}
