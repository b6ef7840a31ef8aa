import { ScoutError } from '../util/errors.js';

/**
 * Where an image's SBOM comes from (`--sbom-source`): our scan, the image's SBOM attestation,
 * or both merged. Apart from attested.ts, so checking the flag does not load the attestation
 * readers and SBOM importers a plain scan never uses.
 */
export type SbomSource = 'scan' | 'attestation' | 'both';
export const SBOM_SOURCES: readonly SbomSource[] = ['scan', 'attestation', 'both'];

export function parseSbomSource(s: string | undefined): SbomSource {
  const v = (s ?? 'scan').toLowerCase();
  if (!(SBOM_SOURCES as readonly string[]).includes(v)) throw new ScoutError('bad-option', `--sbom-source must be one of ${SBOM_SOURCES.join(', ')}, not "${s}"`);
  return v as SbomSource;
}
