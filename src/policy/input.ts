/**
 * What policies look at: one plain, documented object per image (the README lists its fields),
 * the same for the built-in policies and for custom CEL expressions. Every field is always
 * present; what is not known is `null` (a CEL expression can test `x == null`, and a built-in
 * policy says `unknown` instead of guessing). It is built from the SBOM, the findings, the
 * secret scan, the attestations and the base image, wherever those came from (the command line
 * or a push to the platform).
 */
import type { Provenance } from '../attest/provenance.js';
import type { Finding } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { repositoryOf } from './image-names.js';
import { redactProvenance } from '../image/redact.js';

export interface PolicyPackage {
  name: string;
  namespace: string | null;
  version: string;
  type: string;
  purl: string;
  /** SPDX ids or expressions, or the license names as stated when not SPDX. */
  licenses: string[];
  relationship: string | null;
}

export interface PolicyVulnerability {
  id: string;
  ids: string[];
  package: { name: string; version: string; type: string; purl: string };
  severity: string;
  cvss: number | null;
  fixable: boolean;
  fixedVersions: string[];
  /** ISO date, or null when the advisory gives none. */
  published: string | null;
  kev: boolean;
  epss: number | null;
  /** A VEX not_affected statement applies: built-in policies leave it out. */
  suppressed: boolean;
}

export interface PolicySecret {
  rule: string;
  severity: string;
  source: string;
  location: string;
  /** Index of the layer holding the file, for a file. */
  layer: number | null;
  deleted: boolean;
}

export interface PolicyBaseImage {
  /** `registry/repository:tag` or `repository` as it was told. */
  name: string;
  digest: string | null;
  /** Tags of its repository that point at that digest now (from the platform's images). */
  tags: string[];
  /** true: a current tag still points at it; false: its tags have moved on; null: not known. */
  upToDate: boolean | null;
  /** provenance: the image's provenance attestation named it; layers: matched by shared layers. */
  from: 'provenance' | 'layers';
}

export interface PolicyInput {
  image: {
    reference: string;
    digest: string | null;
    created: string | null;
    platform: string | null;
    os: string | null;
    /** The config's User, '' when none is set (which means root). */
    user: string;
    env: { name: string; value: string }[];
    labels: Record<string, string>;
    exposedPorts: string[];
    layers: number;
  };
  packages: PolicyPackage[];
  vulnerabilities: PolicyVulnerability[];
  /** null when the layers were not searched for secrets (an SBOM file, or the platform without `push --secrets`). */
  secrets: PolicySecret[] | null;
  /** null when the attestations could not be looked for (an SBOM file). */
  attestations: { provenance: boolean; sbom: boolean } | null;
  /** The provenance facts the platform keeps: materials, base image, VCS and Dockerfile. */
  provenance: {
    materials: { uri: string; digest: Record<string, string> }[];
    vcs: { source: string | null; revision: string | null };
    dockerfile: string | null;
  } | null;
  baseImage: PolicyBaseImage | null;
}

/** The provenance as the platform stores it: only what the data-handling page names. */
export interface StoredProvenance {
  materials: { uri: string; digest: Record<string, string> }[];
  baseImage?: { name: string; digest?: string };
  vcs?: { source?: string; revision?: string };
  dockerfile?: { path?: string; content?: string };
}

export function storedProvenance(p: Provenance): StoredProvenance {
  return redactProvenance({
    materials: p.materials.map((m) => ({ uri: m.uri, digest: { ...m.digest } })),
    ...(p.baseImage ? { baseImage: { name: p.baseImage.name, ...(p.baseImage.digest ? { digest: p.baseImage.digest } : {}) } } : {}),
    ...(p.vcs ? { vcs: { ...(p.vcs.source ? { source: p.vcs.source } : {}), ...(p.vcs.revision ? { revision: p.vcs.revision } : {}) } } : {}),
    ...(p.dockerfile ? { dockerfile: { ...(p.dockerfile.path ? { path: p.dockerfile.path } : {}), ...(p.dockerfile.content ? { content: p.dockerfile.content } : {}) } } : {}),
  });
}

/** A secret finding reduced to what a policy needs (no masked value, no hash). */
export interface SecretFact {
  rule: string;
  severity: string;
  source: string;
  location: string;
  layer?: { index: number };
  deletedIn?: { index: number };
}

/** The base image as the platform's layer match tells it. */
export interface LayerBase {
  digest: string;
  repository?: string;
  tags: string[];
}

/**
 * What policies read of a finding: a Finding has it all, and the platform rebuilds it from its
 * stored findings to evaluate again after a re-match.
 */
export type FindingFacts = Pick<Finding, 'id' | 'ids' | 'status' | 'fixedVersions' | 'published'> & {
  package: Pick<Finding['package'], 'name' | 'version' | 'type' | 'purl'>;
  severity: Pick<Finding['severity'], 'level' | 'score'>;
  kev?: unknown;
  epss?: { score: number };
  suppressed?: unknown;
};

export interface PolicyFacts {
  sbom: Sbom;
  findings: readonly FindingFacts[];
  secrets?: readonly SecretFact[];
  attestations?: { provenance: boolean; sbom: boolean };
  provenance?: StoredProvenance;
  /** The base image by shared layers (the platform, or `--server`). */
  layerBase?: LayerBase;
}

function license(l: { spdx?: string; name?: string }): string | undefined {
  return l.spdx ?? l.name;
}

/**
 * The base image: provenance names it first (it is what the build used); the layer match says
 * whether a tag still points at it. With only provenance, whether it is up to date is unknown.
 */
function baseImage(f: PolicyFacts): PolicyBaseImage | null {
  const lb = f.layerBase;
  const pb = f.provenance?.baseImage;
  const layerName = lb ? (lb.repository ? `${lb.repository}${lb.tags.length ? ':' + lb.tags[0] : ''}` : lb.digest) : undefined;
  const known = lb && lb.repository ? lb.tags.length > 0 : null;
  if (pb) {
    // The layer match speaks of the same image when the digests agree, or the repositories do.
    const same = !!lb && ((!!pb.digest && lb.digest === pb.digest) || (!!lb.repository && repositoryOf(lb.repository) === repositoryOf(pb.name)));
    return { name: pb.name, digest: pb.digest ?? null, tags: same ? lb!.tags : [], upToDate: same ? known : null, from: 'provenance' };
  }
  if (lb) return { name: layerName!, digest: lb.digest, tags: lb.tags, upToDate: known, from: 'layers' };
  return null;
}

export function policyInput(f: PolicyFacts): PolicyInput {
  const img = f.sbom.image;
  return {
    image: {
      reference: img?.reference ?? '',
      digest: img?.digest ?? null,
      created: img?.created ?? null,
      platform: img ? [img.platform.os, img.platform.architecture, img.platform.variant].filter(Boolean).join('/') : null,
      os: f.sbom.distro?.prettyName ?? img?.os.prettyName ?? null,
      user: img?.user ?? '',
      env: (img?.env ?? []).map((e) => ({ name: e.name, value: e.value })),
      labels: { ...(img?.labels ?? {}) },
      exposedPorts: [...(img?.exposedPorts ?? [])],
      layers: img?.layers.length ?? 0,
    },
    packages: f.sbom.packages.map((p) => ({
      name: p.name,
      namespace: p.namespace ?? null,
      version: p.version,
      type: p.type,
      purl: p.purl,
      licenses: p.licenses.map(license).filter((x): x is string => !!x),
      relationship: p.relationship ?? null,
    })),
    vulnerabilities: f.findings
      .filter((v) => v.status !== 'not-affected')
      .map((v) => ({
        id: v.id,
        ids: [...v.ids],
        package: { name: v.package.name, version: v.package.version, type: v.package.type, purl: v.package.purl },
        severity: v.severity.level,
        cvss: v.severity.score ?? null,
        fixable: v.fixedVersions.length > 0,
        fixedVersions: [...v.fixedVersions],
        published: v.published ?? null,
        kev: !!v.kev,
        epss: v.epss?.score ?? null,
        suppressed: !!v.suppressed,
      })),
    secrets: f.secrets ? f.secrets.map((s) => ({ rule: s.rule, severity: s.severity, source: s.source, location: s.location, layer: s.layer?.index ?? null, deleted: !!s.deletedIn })) : null,
    attestations: f.attestations ? { ...f.attestations } : null,
    provenance: f.provenance
      ? {
          materials: f.provenance.materials.map((m) => ({ uri: m.uri, digest: { ...m.digest } })),
          vcs: { source: f.provenance.vcs?.source ?? null, revision: f.provenance.vcs?.revision ?? null },
          dockerfile: f.provenance.dockerfile?.path ?? null,
        }
      : null,
    baseImage: baseImage(f),
  };
}
