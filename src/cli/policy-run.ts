/**
 * Policies on an image from the command line: its facts from one layer pass (imageFacts), its
 * findings from the local database or a server (which also gives the base image), evaluated.
 * Shared by `scout policy` and `scout quickview`.
 */
import type { TrustOptions } from '../attest/types.js';
import type { ScanOptions } from '../image/scan.js';
import type { OpenOptions } from '../image/types.js';
import type { Finding } from '../match/types.js';
import type { PolicyConfig } from '../policy/config.js';
import type { PolicyReport } from '../policy/evaluate.js';
import type { BaseImageMatch } from '../store/platform-store.js';
import type { ScanWarning } from '../util/errors.js';
import type { Sbom } from '../sbom/model.js';
import type { ImageFacts } from '../platform/image-facts.js';

export interface PolicyRunOptions {
  open: OpenOptions;
  scan: ScanOptions;
  trust?: TrustOptions;
  freshness: { maxAgeDays?: number; failOnStale?: boolean };
  server?: string;
}

export interface PolicyRun {
  report: PolicyReport;
  facts: ImageFacts;
  sbom: Sbom;
  /** Open findings (distribution "not affected" left out), as `scout cves` lists them. */
  findings: Finding[];
  baseImage?: BaseImageMatch;
  warnings: ScanWarning[];
}

export async function evaluatedPolicies(ref: string, config: PolicyConfig, o: PolicyRunOptions): Promise<PolicyRun> {
  const { openStoreForMatching } = await import('./store.js');
  const { store, close } = o.server ? { store: undefined, close: async () => {} } : await openStoreForMatching(o.freshness);
  try {
    const { imageFacts } = await import('../platform/image-facts.js');
    const facts = await imageFacts(ref, o.open, o.scan, { secrets: true, ...(o.trust ? { trust: o.trust } : {}) });
    const { sbom } = facts;
    let findings: Finding[];
    let baseImage: BaseImageMatch | undefined;
    let matchWarnings: ScanWarning[] = [];
    if (store) {
      const { match } = await import('../match/index.js');
      const result = await match(sbom, store);
      findings = result.findings;
      matchWarnings = result.warnings;
    } else {
      const remote = await (await import('./local-analysis.js')).matchOnServer(sbom, o.server!);
      findings = remote.result.findings;
      baseImage = remote.baseImage;
    }
    const open = findings.filter((f) => f.status !== 'not-affected');
    const { evaluatePolicies, policyInput } = await import('../policy/index.js');
    const input = policyInput({
      sbom,
      findings: open,
      ...(facts.secrets ? { secrets: facts.secrets.findings } : {}),
      ...(facts.attestations ? { attestations: facts.attestations } : {}),
      ...(facts.provenance ? { provenance: facts.provenance } : {}),
      ...(baseImage ? { layerBase: baseImage } : {}),
    });
    const report = evaluatePolicies(input, config, { target: ref });
    return { report, facts, sbom, findings: open, ...(baseImage ? { baseImage } : {}), warnings: [...sbom.warnings, ...facts.attestationWarnings, ...matchWarnings] };
  } finally {
    await close();
  }
}
