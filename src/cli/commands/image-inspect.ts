import type { Command } from 'commander';
import type { ImageMetadata } from '../../image/metadata.js';
import { ScoutError } from '../../util/errors.js';
import { action, scanExit, imageOptions, openOptions, printWarnings, writeOutput, scanOptions, type ImageCliOptions } from '../common.js';
import { loadTrust, trustOptions, type TrustCliOptions } from '../trust.js';

interface InspectOptions extends ImageCliOptions, TrustCliOptions {
  format: string;
  output?: string;
}

export function register(image: Command): void {
  trustOptions(imageOptions(
    image
      .command('inspect')
      .argument('<image>', 'image reference, archive, OCI layout or directory')
      .description('show the image metadata Scout collects: digests, platform, OS, ports, env, labels, layers, registry')
      .option('--format <format>', 'json or table', 'table')
      .option('-o, --output <file>', 'write to a file instead of stdout (- is stdout)'),
  )).action(
    action(async (ref: string, o: InspectOptions) => {
      if (!['json', 'table'].includes(o.format)) throw new ScoutError('bad-format', `--format must be json or table, not "${o.format}"`);
      // The scanner is loaded when the command runs: `scout --help` must not pay for it.
      const [{ openImage }, { scanImage, treeOf }, { INSPECT_CAPTURE, imageMetadata }, { renderInspectTable }] = await Promise.all([
        import('../../image/open.js'),
        import('../../image/scan.js'),
        import('../../image/inspect.js'),
        import('../output/inspect-table.js'),
      ]);
      const img = await openImage(ref, openOptions(o));
      const scan = await scanImage(img, INSPECT_CAPTURE, scanOptions(o));
      const meta: ImageMetadata = imageMetadata(img, scan, treeOf(scan));
      // Provenance from the image's attestations: what built it, from which sources and base.
      const { findAttestations } = await import('../../attest/discover.js');
      const { provenanceOf } = await import('../../attest/select.js');
      const atts = await findAttestations(img, await loadTrust(o));
      const prov = provenanceOf(atts.attestations);
      const warnings = [...scan.warnings, ...atts.warnings];
      printWarnings(warnings);
      const provenance = prov ? { ...prov.provenance, signature: prov.attestation.signature.status, attestation: prov.attestation.manifestDigest } : undefined;
      let text: string;
      if (o.format === 'json') text = JSON.stringify({ ...meta, ...(provenance ? { provenance } : {}), ...(warnings.length ? { warnings } : {}) }, null, 2);
      else {
        text = renderInspectTable(meta);
        if (prov) text += '\n\n' + (await import('../output/attestations.js')).renderProvenance(prov.provenance, prov.attestation.signature.status);
      }
      await writeOutput(text, o.output);
      return scanExit(scan.warnings);
    }),
  );
}
