import type { Attestation } from '../../attest/types.js';
import type { Provenance } from '../../attest/provenance.js';
import { short, table } from './text.js';

export function attestationSummary(a: Attestation) {
  return {
    predicateType: a.predicateType,
    origin: a.origin,
    manifestDigest: a.manifestDigest,
    layerDigest: a.layerDigest,
    mediaType: a.mediaType,
    subject: a.subject,
    signature: a.signature,
  };
}

export function renderAttestationTable(atts: Attestation[]): string {
  if (!atts.length) return 'No attestations found for this image.';
  return table(
    atts.map((a) => [a.predicateType, a.origin, a.signature.status + (a.signature.detail ? ` (${a.signature.detail})` : ''), short(a.manifestDigest)]),
    ['PREDICATE TYPE', 'FOUND AS', 'SIGNATURE', 'MANIFEST'],
  );
}

/** The provenance block of `image inspect`. */
export function renderProvenance(p: Provenance, signature: string): string {
  const kv: string[][] = [
    ['  Predicate', `${p.predicateType} (${signature})`],
    ...(p.baseImage ? [['  Base image', `${p.baseImage.name}${p.baseImage.digest ? `@${p.baseImage.digest}` : ''} (from ${p.baseImage.how})`]] : []),
    ...(p.vcs?.source || p.vcs?.revision ? [['  VCS', [p.vcs.source, p.vcs.revision].filter(Boolean).join(' @ ')]] : []),
    ...(p.dockerfile?.path ? [['  Dockerfile', p.dockerfile.path + (p.dockerfile.content !== undefined ? ` (${p.dockerfile.content.split('\n').length} lines in the provenance)` : '')]] : []),
    ...(p.frontend ? [['  Frontend', p.frontend + (p.frontendImage ? ` (${p.frontendImage})` : '')]] : []),
    ...(p.builderId ? [['  Builder', p.builderId]] : []),
    ...Object.entries(p.buildArgs).map(([k, v]) => ['  Build arg', `${k}=${v}`]),
  ];
  const mats = p.materials.map((m) => ['    ' + m.uri, Object.entries(m.digest).map(([k, v]) => `${k}:${v}`).join(' ')]);
  return 'Provenance\n' + table(kv) + (mats.length ? '\n  Materials\n' + table(mats) : '');
}
