/**
 * `scout compare IMAGE --to IMAGE`: what changed between two images (any source the CLI reads,
 * sbom:// files included): packages added, removed and changed (up or down), vulnerabilities
 * added and removed (matched against the local advisory database), sizes, and the base image
 * when an image's provenance attestation names it.
 *
 * With `--server`, both are images stored on the server (a digest, REPOSITORY:TAG or
 * REPOSITORY@DIGEST): the server compares their stored packages and findings as they are
 * (GET /v1/images/{digest}/compare), nothing is scanned or matched here, and the base image each
 * is built on is compared too.
 */
import type { Command } from 'commander';
import type { Comparison } from '../../platform/compare.js';
import { ScoutError } from '../../util/errors.js';
import { action, dbOptions, EXIT, freshness, imageOptions, openOptions, printWarnings, scanExit, writeOutput, type DbCliOptions, type ImageCliOptions } from '../common.js';

interface CompareOptions extends ImageCliOptions, DbCliOptions {
  to: string;
  server?: string | boolean;
  format: string;
  output?: string;
  exitOn?: string;
}

const EXIT_ON = ['vulnerability', 'package'] as const;

function exitOn(value: string | undefined): Set<(typeof EXIT_ON)[number]> {
  const out = new Set<(typeof EXIT_ON)[number]>();
  for (const raw of (value ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const v = raw.replace(/s$/, '').replace(/^vuln$/, 'vulnerability');
    if (!(EXIT_ON as readonly string[]).includes(v)) throw new ScoutError('bad-option', `--exit-on takes vulnerability and/or package, not "${raw}"`);
    out.add(v as (typeof EXIT_ON)[number]);
  }
  return out;
}

export function register(program: Command): void {
  dbOptions(imageOptions(
    program
      .command('compare')
      .argument('<image>', 'image reference, archive, OCI layout, directory, or sbom://FILE')
      .requiredOption('--to <image>', 'the image to compare with (any source, as IMAGE)')
      .description('compare two images: packages added, removed and changed, vulnerabilities added and removed, sizes')
      .option('--format <format>', 'text, markdown or json', 'text')
      .option('-o, --output <file>', 'write to a file instead of stdout (- is stdout)')
      .option('--exit-on <what>', 'exit with 2 when vulnerabilities were added (vulnerability) and/or packages changed (package); comma-separated')
      .option('--server [url]', 'compare two images stored on the server (digest, REPOSITORY:TAG or REPOSITORY@DIGEST), with their base images; nothing is scanned here (default URL: SCOUT_SERVER or scout login\'s)'),
  )).action(
    action(async (ref: string, o: CompareOptions) => {
      const { COMPARE_FORMATS, renderComparison } = await import('../../report/compare.js');
      if (!(COMPARE_FORMATS as readonly string[]).includes(o.format)) throw new ScoutError('bad-format', `--format must be one of ${COMPARE_FORMATS.join(', ')}, not "${o.format}"`);
      const gates = exitOn(o.exitOn);
      const decide = async (c: Comparison): Promise<boolean> => {
        await writeOutput(renderComparison(c, o.format as (typeof COMPARE_FORMATS)[number]), o.output);
        const packagesChanged = c.packages.added.length + c.packages.removed.length + c.packages.changed.length > 0;
        return (gates.has('vulnerability') && c.findings.added.length > 0) || (gates.has('package') && packagesChanged);
      };
      if (o.server !== undefined) {
        const { callApi, resolveLogin } = await import('../server-client.js');
        const { resolveStoredImage } = await import('../stored-image.js');
        const login = resolveLogin(typeof o.server === 'string' ? o.server : undefined);
        const [image, to] = await Promise.all([resolveStoredImage(login, ref), resolveStoredImage(login, o.to)]);
        // One request: the server compares what it stores (the dashboard's Compare tab reads the same route).
        const { body: c } = await callApi<Comparison>(login, { method: 'GET', path: `/v1/images/${image}/compare`, query: { to } });
        // Each side named as it was asked for (the server names it by its first tag).
        const named = { ...c, image: { ...c.image, reference: ref }, to: { ...c.to, reference: o.to } };
        return (await decide(named)) ? EXIT.policy : EXIT.ok;
      }
      const { openStoreForMatching } = await import('../store.js');
      const { store, close } = await openStoreForMatching(freshness(o));
      try {
        const { imageFacts } = await import('../../platform/image-facts.js');
        const { match } = await import('../../match/index.js');
        const { compareImages, provenanceBaseImage } = await import('../../platform/compare.js');
        const cache = o.cache === false ? { cache: false as const } : {};
        const sides = [];
        for (const r of [ref, o.to]) {
          // The same layer pass as before, plus the attestations: provenance names the base image.
          const facts = await imageFacts(r, openOptions(o), cache, { secrets: false });
          const { sbom } = facts;
          const result = await match(sbom, store);
          printWarnings([...sbom.warnings, ...facts.attestationWarnings, ...result.warnings]);
          sides.push({ sbom, findings: result.findings, reference: r, base: provenanceBaseImage(facts.provenance) });
        }
        // A base-image section when either side's provenance names one (the other: none known).
        const known = sides.some((x) => x.base);
        const [a, b] = sides.map(({ base, ...side }) => (known ? { ...side, baseImage: base } : side));
        if (await decide(compareImages(a, b))) return EXIT.policy;
        return Math.max(scanExit(sides[0].sbom.warnings), scanExit(sides[1].sbom.warnings));
      } finally {
        await close();
      }
    }),
  );
}
