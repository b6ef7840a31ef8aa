import type { Command } from 'commander';
import { loadTrust, trustOptions, type TrustCliOptions } from '../trust.js';
import { action, displayFor, EXIT, scanExit, imageOptions, openOptions, printWarnings, writeOutputs, scanOptions, type ImageCliOptions } from '../common.js';
import { collect, pairOutputs } from '../output/pairs.js';

const FORMATS = ['list', 'json', 'cyclonedx', 'spdx'] as const;
type Format = (typeof FORMATS)[number];

interface SbomOptions extends ImageCliOptions, TrustCliOptions {
  sbomSource?: string;
  secrets?: boolean;
  exitCode?: boolean;
  format: string[];
  output: string[];
}

export function register(program: Command): void {
  trustOptions(imageOptions(
    program
      .command('sbom')
      .argument('<image>', 'image reference, archive, OCI layout, directory, or sbom://FILE (- for standard input) to convert an SBOM')
      .description('list every OS and language package in an image, or export it as an SBOM')
      .option('--format <format>', `one of ${FORMATS.join(', ')} (default list); repeat with -o to write several`, collect, [])
      .option('-o, --output <file>', 'write the preceding --format to this file (repeatable; - is stdout)', collect, [])
      .option('--sbom-source <source>', 'scan (our catalog, default), attestation (the image\'s SBOM attestation) or both merged', 'scan')
      .option('--secrets', 'also look for leaked secrets, in the same pass over the layers (listed on stderr; --exit-code counts them)')
      .option('--exit-code', 'with --secrets: exit with 2 when a secret is found'),
  )).action(
    action(async (ref: string, o: SbomOptions) => {
      // Checked before the scan: a second pair is never silently dropped for the first.
      const outputs = pairOutputs(o.format, o.output, FORMATS, 'list');
      const { loadSbom } = await import('../../sbom/load.js');
      const { sbom, secrets } = await loadSbom(ref, openOptions(o), scanOptions(o), { sbomSource: (await import('../../sbom/sbom-source.js')).parseSbomSource(o.sbomSource), trust: await loadTrust(o), secrets: o.secrets });
      printWarnings(sbom.warnings);
      const written = await writeOutputs(outputs, async (format, file) => {
        switch (format as Format) {
          case 'json':
            return (await import('../../sbom/formats/scout-json.js')).scoutJsonChunks(sbom);
          case 'cyclonedx':
            return (await import('../../sbom/formats/cyclonedx.js')).writeCycloneDx(sbom);
          case 'spdx':
            return (await import('../../sbom/formats/spdx.js')).writeSpdx(sbom);
          default:
            return (await import('../../sbom/formats/table.js')).writeTable(sbom, displayFor(file));
        }
      });
      if (secrets) process.stderr.write((await import('../../secrets/report.js')).writeSecretsText(secrets) + '\n');
      // A report that could not be written is an error even when the others were.
      if (!written) return EXIT.error;
      if (o.exitCode && secrets?.findings.length) return EXIT.policy;
      return scanExit(sbom.warnings);
    }),
  );
}
