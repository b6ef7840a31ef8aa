/** Picking attestations by predicate type, with the short names users type. */
import { isProvenance, isSbomPredicate, PredicateTypes, type Attestation } from './types.js';
import { readProvenance, type Provenance } from './provenance.js';

const ALIASES: Record<string, (t: string) => boolean> = {
  provenance: isProvenance,
  slsa: isProvenance,
  sbom: isSbomPredicate,
  spdx: (t) => t.startsWith(PredicateTypes.spdx),
  cyclonedx: (t) => t.startsWith(PredicateTypes.cyclonedx),
};

/** `provenance`, `sbom`, `spdx`, `cyclonedx`, a full predicate type, or a prefix of one. */
export function matchesPredicate(want: string, predicateType: string): boolean {
  const alias = ALIASES[want.toLowerCase()];
  if (alias) return alias(predicateType);
  return predicateType === want || predicateType.startsWith(want);
}

/** Signed attestations first (a verified one outranks an unsigned copy of the same kind). */
function rank(a: Attestation): number {
  return { signed: 0, unverified: 1, unsigned: 2, invalid: 3 }[a.signature.status];
}

export function byPredicate(atts: Attestation[], want: string): Attestation[] {
  return atts.filter((a) => matchesPredicate(want, a.predicateType)).sort((a, b) => rank(a) - rank(b));
}

/** The image's provenance, from its best provenance attestation (never an invalid one). */
export function provenanceOf(atts: Attestation[]): { provenance: Provenance; attestation: Attestation } | undefined {
  for (const a of byPredicate(atts, 'provenance')) {
    if (a.signature.status === 'invalid') continue;
    const p = readProvenance(a.statement);
    if (p) return { provenance: p, attestation: a };
  }
  return undefined;
}
