import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { loadTrust, trustOptions, type TrustCliOptions } from '../trust.js';
import { action, displayFor, EXIT, scanExit, imageOptions, openOptions, printWarnings, writeOutput, scanOptions, type ImageCliOptions } from '../common.js';

const FORMATS = ['list', 'json', 'cyclonedx', 'spdx'] as const;
type Format = (typeof FORMATS)[number];

interface SbomOptions extends ImageCliOptions, TrustCliOptions {
  sbomSource?: string;
  secrets?: boolean;
  exitCode?: boolean;
  format: string;
  output?: string;
}

export function register(program: Command): void {
  trustOptions(imageOptions(
    program
      .command('sbom')
      .argument('<image>', 'image reference, archive, OCI layout, directory, or sbom://FILE (- for standard input) to convert an SBOM')
      .description('list every OS and language package in an image, or export it as an SBOM')
      .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'list')
      .option('-o, --output <file>', 'write to a file instead of stdout (- is stdout)')
      .option('--sbom-source <source>', 'scan (our catalog, default), attestation (the image\'s SBOM attestation) or both merged', 'scan')
      .option('--secrets', 'also look for leaked secrets, in the same pass over the layers (listed on stderr; --exit-code counts them)')
      .option('--exit-code', 'with --secrets: exit with 2 when a secret is found'),
  )).action(
    action(async (ref: string, o: SbomOptions) => {
      if (!FORMATS.includes(o.format as Format)) throw new ScoutError('bad-format', `--format must be one of ${FORMATS.join(', ')}, not "${o.format}"`);
      const { loadSbom } = await import('../../sbom/load.js');
      const { sbom, secrets } = await loadSbom(ref, openOptions(o), scanOptions(o), { sbomSource: (await import('../../sbom/attested.js')).parseSbomSource(o.sbomSource), trust: await loadTrust(o), secrets: o.secrets });
      printWarnings(sbom.warnings);
      let text: string;
      switch (o.format as Format) {
        case 'json':
          text = (await import('../../sbom/formats/scout-json.js')).writeScoutJson(sbom);
          break;
        case 'cyclonedx':
          text = (await import('../../sbom/formats/cyclonedx.js')).writeCycloneDx(sbom);
          break;
        case 'spdx':
          text = (await import('../../sbom/formats/spdx.js')).writeSpdx(sbom);
          break;
        default:
          text = (await import('../../sbom/formats/table.js')).writeTable(sbom, displayFor(o.output));
      }
      await writeOutput(text, o.output);
      if (secrets) {
        process.stderr.write((await import('../../secrets/report.js')).writeSecretsText(secrets) + '\n');
        if (o.exitCode && secrets.findings.length) return EXIT.policy;
      }
      return scanExit(sbom.warnings);
    }),
  );
}
