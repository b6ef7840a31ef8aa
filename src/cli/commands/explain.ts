import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action, dbOptions, freshness, scanExit, imageOptions, openOptions, printWarnings, writeOutput, type DbCliOptions, scanOptions, type ImageCliOptions } from '../common.js';
import { appendAll } from '../../util/arrays.js';

interface ExplainOptions extends ImageCliOptions, DbCliOptions {
  package?: string;
  format: string;
  output?: string;
  vexLocation: string[];
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  dbOptions(imageOptions(
    program
      .command('explain')
      .argument('<vuln-id>', 'a vulnerability id: CVE-…, GHSA-…, DSA-…, PYSEC-…')
      .argument('<image>', 'image reference, archive, OCI layout, directory, or sbom://FILE')
      .description('why a vulnerability matches a package of an image, or why it does not')
      .option('--package <name>', 'explain this package (name, source package name or purl) even if no advisory names it')
      .option('--vex-location <path>', 'VEX file (OpenVEX or CycloneDX VEX) or directory of them (repeatable)', collect, [])
      .option('--format <format>', 'text or json', 'text')
      .option('-o, --output <file>', 'write to a file instead of stdout (- is stdout)'),
  )).action(
    action(async (vulnId: string, ref: string, o: ExplainOptions) => {
      if (!['text', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be text or json, not "${o.format}"`);
      const id = vulnId.trim();
      if (!/^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/.test(id)) throw new ScoutError('bad-option', `"${vulnId}" is not a vulnerability id`);
      const { openStoreForMatching } = await import('../store.js');
      const { store, close } = await openStoreForMatching(freshness(o));
      try {
        const { Warnings } = await import('../../util/errors.js');
        const { loadSbom } = await import('../../sbom/load.js');
        const { explain, applyVex, loadVex, parseVex } = await import('../../match/index.js');
        const { writeExplainJson, writeExplainText } = await import('../../report/explain.js');
        const warnings = new Warnings();
        const vex: Awaited<ReturnType<typeof loadVex>> = [];
        const { existing } = await import('./cves.js');
        for (const path of o.vexLocation) appendAll(vex, await loadVex(await existing('--vex-location', path), warnings));
        const { sbom, vexFiles } = await loadSbom(ref, openOptions(o), scanOptions(o));
        // VEX documents shipped inside the image apply like --vex-location ones.
        for (const f of vexFiles) {
          const doc = parseVex(f.content, f.path, warnings);
          if (doc) vex.push(doc);
        }
        // CVE ids are upper case in every feed; GHSA ids keep their lower-case tail.
        const normalized = /^(cve|ghsa|dsa|dla|pysec|go|rustsec|osv)-/i.test(id) ? id.replace(/^[a-z]+/i, (p) => p.toUpperCase()) : id;
        const x = await explain(sbom, store, normalized, o.package);
        // explain() matches without VEX; the statements that apply are worked out here.
        const applied = new Map();
        const findings = x.packages.flatMap((p) => (p.finding ? [{ ...p.finding }] : []));
        if (vex.length && findings.length) {
          applyVex(findings, vex, sbom);
          for (const f of findings) if (f.vex) applied.set(f.package.id, f.vex);
        }
        printWarnings([...sbom.warnings, ...warnings.items]);
        await writeOutput(o.format === 'json' ? writeExplainJson(x, applied) : writeExplainText(x, applied), o.output);
        return scanExit(sbom.warnings);
      } finally {
        await close();
      }
    }),
  );
}
