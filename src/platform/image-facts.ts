/**
 * Everything policies look at, for one image, from one layer pass: the SBOM with the secret
 * scan in the same pass, and the image's attestations (provenance and SBOM statements). Used by
 * `scout policy`, `quickview`, `push`, `watch` and the server's analyze-image job. An SBOM file gives only its packages: secrets and
 * attestations are then unknown (null), not absent.
 */
import type { SecretReport } from '../secrets/collect.js';
import type { Sbom } from '../sbom/model.js';
import type { OpenOptions } from '../image/types.js';
import type { ScanOptions } from '../image/scan.js';
import type { TrustOptions } from '../attest/types.js';
import type { StoredProvenance } from '../policy/input.js';
import type { ScanWarning } from '../util/errors.js';

export interface ImageFacts {
  sbom: Sbom;
  secrets?: SecretReport;
  attestations?: { provenance: boolean; sbom: boolean };
  provenance?: StoredProvenance;
  /** Problems finding or reading attestations (never fatal). */
  attestationWarnings: ScanWarning[];
}

export async function imageFacts(ref: string, open: OpenOptions, scan: ScanOptions, opts: { secrets: boolean; trust?: TrustOptions }): Promise<ImageFacts> {
  if (ref === '-' || ref.startsWith('sbom://')) {
    const { loadSbom } = await import('../sbom/load.js');
    return { sbom: (await loadSbom(ref, open, scan)).sbom, attestationWarnings: [] };
  }
  const { openImage } = await import('../image/open.js');
  const { sbomForImage } = await import('../sbom/build.js');
  const image = await openImage(ref, open);
  const { sbom, secrets } = await sbomForImage(image, undefined, scan, { secrets: opts.secrets });
  const { findAttestations } = await import('../attest/discover.js');
  const { provenanceOf } = await import('../attest/select.js');
  const { isProvenance, isSbomPredicate } = await import('../attest/types.js');
  const { storedProvenance } = await import('../policy/input.js');
  const atts = await findAttestations(image, opts.trust);
  // An attestation whose signature does not verify vouches for nothing: it does not count.
  const usable = atts.attestations.filter((a) => a.signature.status !== 'invalid');
  const prov = provenanceOf(usable);
  return {
    sbom,
    ...(secrets ? { secrets } : {}),
    attestations: { provenance: usable.some((a) => isProvenance(a.predicateType)), sbom: usable.some((a) => isSbomPredicate(a.predicateType)) },
    ...(prov ? { provenance: storedProvenance(prov.provenance) } : {}),
    attestationWarnings: atts.warnings,
  };
}
