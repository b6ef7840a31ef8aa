import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action, dbOptions, freshness, scanExit, imageOptions, openOptions, printWarnings, writeOutput, type DbCliOptions, type ImageCliOptions } from '../common.js';

interface QuickviewOptions extends ImageCliOptions, DbCliOptions {
  format: string;
  output?: string;
}

export function register(program: Command): void {
  dbOptions(imageOptions(
    program
      .command('quickview')
      .alias('qv')
      .argument('<image>', 'image reference, archive, OCI layout, directory, or sbom://FILE')
      .description('one screen about an image: reference, digest, packages, vulnerabilities by severity')
      .option('--format <format>', 'text or json', 'text')
      .option('-o, --output <file>', 'write to a file instead of stdout'),
  )).action(
    action(async (ref: string, o: QuickviewOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      const { openStoreForMatching } = await import('../store.js');
      const { store, close } = await openStoreForMatching(freshness(o));
      try {
        const { loadSbom } = await import('../../sbom/load.js');
        const { match } = await import('../../match/index.js');
        const { quickview, writeQuickviewJson, writeQuickviewText } = await import('../../report/quickview.js');
        const { sbom } = await loadSbom(ref, openOptions(o), o.cache === false ? { cache: false } : {});
        const result = await match(sbom, store);
        printWarnings([...sbom.warnings, ...result.warnings]);
        // The same findings `scout cves` lists without filters (distribution "not affected" left out).
        const findings = result.findings.filter((f) => f.status !== 'not-affected');
        // Base image comparison goes here: detect the base image, scan it, and pass
        // `base: { reference, digest, findings }` to quickview(); the renderers already show it.
        const q = quickview({ sbom, findings }, { target: ref });
        await writeOutput(o.format === 'json' ? writeQuickviewJson(q) : writeQuickviewText(q), o.output);
        return scanExit(sbom.warnings);
      } finally {
        await close();
      }
    }),
  );
}
