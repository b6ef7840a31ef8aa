import type { Command } from 'commander';
import { INSPECT_CAPTURE, imageMetadata } from '../../image/inspect.js';
import type { ImageMetadata } from '../../image/metadata.js';
import { openImage } from '../../image/open.js';
import { scanImage, treeOf } from '../../image/scan.js';
import { ScoutError } from '../../util/errors.js';
import { action, scanExit, imageOptions, openOptions, printWarnings, writeOutput, type ImageCliOptions } from '../common.js';
import { renderInspectTable } from '../output/inspect-table.js';

interface InspectOptions extends ImageCliOptions {
  format: string;
  output?: string;
}

export function register(image: Command): void {
  imageOptions(
    image
      .command('inspect')
      .argument('<image>', 'image reference, archive, OCI layout or directory')
      .description('show the image metadata Scout collects: digests, platform, OS, ports, env, labels, layers, registry')
      .option('--format <format>', 'json or table', 'table')
      .option('-o, --output <file>', 'write to a file instead of stdout'),
  ).action(
    action(async (ref: string, o: InspectOptions) => {
      if (!['json', 'table'].includes(o.format)) throw new ScoutError('bad-format', `--format must be json or table, not "${o.format}"`);
      const img = await openImage(ref, openOptions(o));
      const scan = await scanImage(img, INSPECT_CAPTURE, o.cache === false ? { cache: false } : {});
      const meta: ImageMetadata = imageMetadata(img, scan, treeOf(scan));
      printWarnings(scan.warnings);
      const text = o.format === 'json' ? JSON.stringify(scan.warnings.length ? { ...meta, warnings: scan.warnings } : meta, null, 2) : renderInspectTable(meta);
      await writeOutput(text, o.output);
      return scanExit(scan.warnings);
    }),
  );
}
