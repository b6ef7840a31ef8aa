/**
 * The body of POST /v1/images that `scout push` sends (and that the server's analyze-image job stores
 * the same way): the SBOM document with what the image's attestations say and, when the layers were searched,
 * the secret scan (masked values only).
 */
import type { ImageFacts } from './image-facts.js';
import { writeScoutJson } from '../sbom/formats/scout-json.js';
import { secretScanOf } from '../secrets/stored.js';

export function pushBody(facts: ImageFacts, scannedAt = new Date()): Record<string, unknown> {
  return {
    ...(JSON.parse(writeScoutJson(facts.sbom)) as Record<string, unknown>),
    ...(facts.attestations ? { attestations: facts.attestations } : {}),
    ...(facts.provenance ? { provenance: facts.provenance } : {}),
    ...(facts.secrets ? { secrets: secretScanOf(facts.secrets, scannedAt.toISOString()) } : {}),
  };
}
