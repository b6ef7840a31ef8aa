/**
 * SBOMs from an image's attestations (`--sbom-source attestation|both`): the SBOM statement
 * BuildKit (or another builder) attached, read like any SPDX or CycloneDX file, and merged
 * with our own catalog when both are asked for.
 */
import { findAttestations } from '../attest/discover.js';
import { byPredicate } from '../attest/select.js';
import type { Attestation, TrustOptions } from '../attest/types.js';
import { imageMetadataFrom } from '../image/inspect.js';
import type { Image } from '../image/types.js';
import type { ScanWarning } from '../util/errors.js';
import { readSbom } from './formats/detect.js';
import type { Package, Sbom } from './model.js';
import { tryParsePurl } from './purl.js';

/** The best SBOM attestation (signed first; never one whose signature is invalid) read as an Sbom. */
export async function attestedSbom(image: Image, trust: TrustOptions = {}): Promise<{ sbom?: Sbom; attestation?: Attestation; warnings: ScanWarning[] }> {
  const { attestations, warnings } = await findAttestations(image, trust);
  for (const a of byPredicate(attestations, 'sbom')) {
    if (a.signature.status === 'invalid') {
      warnings.push({ code: 'attestation-invalid', message: `the ${a.predicateType} attestation in ${a.manifestDigest} has an invalid signature (${a.signature.detail ?? ''}); not used` });
      continue;
    }
    try {
      const { sbom } = readSbom(Buffer.from(JSON.stringify(a.statement)));
      const packages = sbom.packages.map((p) => ({ ...p, foundBy: `sbom-attestation` }));
      return {
        sbom: { ...sbom, importedFrom: `attestation ${a.predicateType}`, image: imageMetadataFrom(image), packages, packageCount: packages.length, warnings: [...sbom.warnings, ...warnings] },
        attestation: a,
        warnings,
      };
    } catch (err) {
      warnings.push({ code: 'attestation-invalid', message: `the ${a.predicateType} attestation in ${a.manifestDigest} is not a readable SBOM: ${(err as Error).message}` });
    }
  }
  return { warnings };
}

/** A package's identity across tools: purl type, namespace, name and version, qualifiers aside. */
export function packageKey(p: Pick<Package, 'purl' | 'type' | 'name' | 'version' | 'namespace'>): string {
  const parsed = tryParsePurl(p.purl);
  const type = parsed?.type ?? p.type;
  const ns = parsed?.namespace ?? p.namespace ?? '';
  const name = parsed?.name ?? p.name;
  const version = parsed?.version ?? p.version;
  const fold = ['npm', 'pypi', 'deb', 'apk', 'rpm', 'golang', 'gem'].includes(type);
  return `${type}/${fold ? ns.toLowerCase() : ns}/${fold ? name.toLowerCase() : name}@${version}`;
}

/**
 * Our catalog plus what only the attestation names. Packages both found keep our record (it
 * knows the layer and files); the attestation's extras are added as found by `sbom-attestation`.
 */
export function mergeSboms(scanned: Sbom, attested: Sbom): Sbom {
  const have = new Set(scanned.packages.map(packageKey));
  const ids = new Set(scanned.packages.map((p) => p.id));
  const extra: Package[] = [];
  for (const p of attested.packages) {
    const k = packageKey(p);
    if (have.has(k)) continue;
    have.add(k);
    let id = p.id || p.purl;
    while (ids.has(id)) id += '#attested';
    ids.add(id);
    // Dependency links point at ids of the other document; they do not carry over.
    const { dependsOn: _d, dependencyOf: _o, ...rest } = p;
    extra.push({ ...rest, id, foundBy: 'sbom-attestation' });
  }
  const packages = [...scanned.packages, ...extra];
  return { ...scanned, packages, packageCount: packages.length };
}
