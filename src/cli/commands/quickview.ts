import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action, dbOptions, freshness, scanExit, imageOptions, openOptions, printWarnings, writeOutput, type DbCliOptions, type ImageCliOptions } from '../common.js';

interface QuickviewOptions extends ImageCliOptions, DbCliOptions {
  format: string;
  output?: string;
  server?: string;
}

export function register(program: Command): void {
  dbOptions(imageOptions(
    program
      .command('quickview')
      .alias('qv')
      .argument('<image>', 'image reference, archive, OCI layout, directory, or sbom://FILE')
      .description('one screen about an image: reference, digest, packages, vulnerabilities by severity')
      .option('--format <format>', 'text or json', 'text')
      .option('-o, --output <file>', 'write to a file instead of stdout')
      .option('--server <url>', 'match on this Scout server, which also detects the base image: it receives only the package URLs and layer digests, and keeps nothing'),
  )).action(
    action(async (ref: string, o: QuickviewOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      const { openStoreForMatching } = await import('../store.js');
      const { store, close } = o.server ? { store: undefined, close: async () => {} } : await openStoreForMatching(freshness(o));
      try {
        const { loadSbom } = await import('../../sbom/load.js');
        const { match } = await import('../../match/index.js');
        const { quickview, writeQuickviewJson, writeQuickviewText } = await import('../../report/quickview.js');
        const { sbom } = await loadSbom(ref, openOptions(o), o.cache === false ? { cache: false } : {});
        let result;
        let baseImage;
        if (store) result = await match(sbom, store);
        else {
          const remote = await (await import('../local-analysis.js')).matchOnServer(sbom, o.server!);
          result = remote.result;
          baseImage = remote.baseImage;
        }
        printWarnings([...sbom.warnings, ...result.warnings]);
        // The same findings `scout cves` lists without filters (distribution "not affected" left out).
        const findings = result.findings.filter((f) => f.status !== 'not-affected');
        // The base image's vulnerabilities: those of the packages its layers brought.
        const { splitByBase } = await import('../local-analysis.js');
        const base = baseImage
          ? { reference: `${baseImage.repository ?? '(no repository)'}${baseImage.tags.length ? ':' + baseImage.tags.join(', :') : ''} (${baseImage.layers} of ${sbom.image?.layers.length ?? '?'} layers${baseImage.catalog ? ', public catalogue' : ''})`, digest: baseImage.digest, findings: splitByBase(findings, sbom, baseImage, 'only') }
          : undefined;
        const q = quickview({ sbom, findings, ...(base ? { base } : {}) }, { target: ref });
        if (!base) q.baseNote = o.server ? 'no base image found among your images or the public catalogue' : 'give --server URL to detect the base image';
        await writeOutput(o.format === 'json' ? writeQuickviewJson(q) : writeQuickviewText(q), o.output);
        return scanExit(sbom.warnings);
      } finally {
        await close();
      }
    }),
  );
}
