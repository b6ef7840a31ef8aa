import type { Command } from 'commander';
import { ScoutError } from '../../util/errors.js';
import { action, EXIT, imageOptions, openOptions, printWarnings, writeOutput, type ImageCliOptions } from '../common.js';
import { loadTrust, trustOptions, type TrustCliOptions } from '../trust.js';
import { warn } from '../terminal.js';

interface ListOptions extends ImageCliOptions, TrustCliOptions {
  format: string;
  output?: string;
}

interface GetOptions extends ListOptions {
  predicateType: string;
  predicate?: boolean;
}

async function attestationsOf(ref: string, o: ListOptions) {
  const { openImage } = await import('../../image/open.js');
  const { findAttestations } = await import('../../attest/discover.js');
  const image = await openImage(ref, openOptions(o));
  const result = await findAttestations(image, await loadTrust(o));
  printWarnings(result.warnings);
  return result;
}

export function register(program: Command): void {
  const att = program.command('attestation').alias('attest').description('in-toto attestations of an image: provenance, SBOMs, signatures');
  trustOptions(
    imageOptions(
      att
        .command('list')
        .argument('<image>', 'image reference, archive or OCI layout')
        .description('list the attestations found beside an image (index attestation manifests and OCI referrers) and their signature status')
        .option('--format <format>', 'table or json', 'table')
        .option('-o, --output <file>', 'write to a file instead of stdout (- is stdout)'),
    ),
  ).action(
    action(async (ref: string, o: ListOptions) => {
      if (!['table', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be table or json, not "${o.format}"`);
      const { attestations } = await attestationsOf(ref, o);
      const { attestationSummary, renderAttestationTable } = await import('../output/attestations.js');
      await writeOutput(o.format === 'json' ? JSON.stringify(attestations.map(attestationSummary), null, 2) : renderAttestationTable(attestations), o.output);
      return EXIT.ok;
    }),
  );
  trustOptions(
    imageOptions(
      att
        .command('get')
        .argument('<image>', 'image reference, archive or OCI layout')
        .description('print the in-toto statement(s) of one predicate type')
        .requiredOption('--predicate-type <type>', 'a predicate type URI (or prefix), or provenance, sbom, spdx, cyclonedx')
        .option('--predicate', 'print only the predicate, not the whole statement')
        .option('-o, --output <file>', 'write to a file instead of stdout (- is stdout)'),
    ),
  ).action(
    action(async (ref: string, o: GetOptions) => {
      const { attestations } = await attestationsOf(ref, { ...o, format: 'json' });
      const { byPredicate } = await import('../../attest/select.js');
      const hits = byPredicate(attestations, o.predicateType);
      if (!hits.length) {
        const have = [...new Set(attestations.map((a) => a.predicateType))];
        throw new ScoutError('attestation-not-found', `no ${o.predicateType} attestation for ${ref}; ${have.length ? `it has: ${have.join(', ')}` : 'it has none'}`);
      }
      const docs = hits.map((a) => (o.predicate ? a.statement.predicate : a.statement));
      for (const a of hits) if (a.signature.status === 'invalid') warn(`the ${a.predicateType} attestation in ${a.manifestDigest} has an invalid signature: ${a.signature.detail ?? ''}`);
      await writeOutput(JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2), o.output);
      return EXIT.ok;
    }),
  );
}
