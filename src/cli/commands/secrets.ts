import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action, EXIT, imageOptions, openOptions, printWarnings, scanExit, writeOutput, scanOptions, type ImageCliOptions } from '../common.js';
import { toolInfo } from '../tool.js';

interface SecretsOptions extends ImageCliOptions {
  format: string;
  output?: string;
  exitCode?: boolean;
}

const FORMATS = ['text', 'json', 'sarif'];

export function register(program: Command): void {
  imageOptions(
    program
      .command('secrets')
      .argument('<image>', 'image reference, archive, OCI layout or directory')
      .description('find leaked secrets in every layer of an image (deleted files included), its environment, labels and history')
      .option('--format <format>', 'text, json or sarif', 'text')
      .option('-o, --output <file>', 'write to a file instead of stdout (- is stdout)')
      .option('--exit-code', 'exit with 2 when any secret is found'),
  ).action(
    action(async (ref: string, o: SecretsOptions) => {
      if (!FORMATS.includes(o.format)) throw new ScoutError('bad-format', `--format must be one of ${FORMATS.join(', ')}, not "${o.format}"`);
      const { openImage } = await import('../../image/open.js');
      const { scanImage } = await import('../../image/scan.js');
      const { collectSecrets, secretsAnalyzer } = await import('../../secrets/index.js');
      const image = await openImage(ref, openOptions(o));
      const scan = await scanImage(image, { selectors: [], analyzers: [secretsAnalyzer()] }, scanOptions(o));
      printWarnings(scan.warnings);
      const report = collectSecrets(scan);
      const { writeSecretsJson, writeSecretsSarif, writeSecretsText } = await import('../../secrets/report.js');
      const text = o.format === 'json' ? writeSecretsJson(report, ref) : o.format === 'sarif' ? writeSecretsSarif(report, ref, toolInfo()) : writeSecretsText(report);
      await writeOutput(text, o.output);
      if (o.exitCode && report.findings.length) return EXIT.policy;
      return scanExit(scan.warnings);
    }),
  );
}
