/**
 * Comparing two images (`scout compare IMAGE --to IMAGE`): a pure function of two analysed
 * images, each its packages, its findings and, where known, its base image, wherever they came
 * from (a local scan, an SBOM file, or an image stored on the server: storedSide()).
 *
 * - A package is known by its PURL without version and qualifiers (`pkg:npm/lodash`,
 *   `pkg:deb/debian/libc6`): the same package at another version is a change, not a removal
 *   and an addition. When a name has several versions on a side (npm nests copies), the
 *   versions both sides have are unchanged and the rest are paired in version order.
 * - Up or down is decided by the package type's own version scheme (dpkg epochs, PEP 440,
 *   Maven…, from src/versions); a type without one, or versions its scheme rejects, is only
 *   "changed".
 * - A finding is known by (vulnerability id, package): a package upgraded but still
 *   vulnerable to the same CVE keeps that finding (neither added nor removed).
 * - The base image (the server's answer: provenance, else the layer chain; locally: what the
 *   image's provenance names, provenanceBaseImage) is compared by digest: the same
 *   digest is unchanged, another digest of the same repository is updated, another repository
 *   is replaced; added and removed when only one side has one. Only when both sides know it.
 */
import type { FindingStatus } from '../match/types.js';
import type { Sbom } from '../sbom/model.js';
import { SEVERITY_LEVELS, type SeverityLevel } from '../match/severity.js';
import type { BaseImageMatch, StoredFinding } from '../store/platform-store.js';
import { schemeForPurlType } from '../versions/index.js';
import { appendAll } from '../util/arrays.js';
import { normaliseImageName, repositoryOf } from '../policy/image-names.js';

/** What compare reads of a finding: a local match's Finding has it, and so has a stored one (storedSide). */
export interface CompareFinding {
  id: string;
  status: FindingStatus;
  severity: { level: SeverityLevel; score?: number };
  package: { purl: string; name: string; version: string };
  fixedVersions: string[];
  kev?: unknown;
}

export interface CompareSide {
  /** The image metadata (when the source has an image) and the packages. */
  sbom: Pick<Sbom, 'image' | 'packages'>;
  /** Findings of this image (distribution "not affected" ones are left out here). */
  findings: readonly CompareFinding[];
  /** How the user named it; defaults to the SBOM's image reference. */
  reference?: string;
  /** The detected base image; null when it was looked for and none is known, absent when not looked for. */
  baseImage?: BaseImageMatch | null;
}

/** How the base image changed from `to` to `image`. */
export type BaseImageChange = 'unchanged' | 'updated' | 'replaced' | 'added' | 'removed' | 'none';

export interface BaseImageComparison {
  image: BaseImageMatch | null;
  to: BaseImageMatch | null;
  change: BaseImageChange;
}

export interface ImageSummary {
  reference: string;
  digest?: string;
  platform?: string;
  os?: string;
  packages: number;
  /** Bytes: compressed (as pulled) and unpacked, when the source knows them. */
  size?: { compressed: number; uncompressed?: number };
  vulnerabilities: Record<SeverityLevel, number>;
}

export interface ComparedPackage {
  /** PURL without version and qualifiers: what is compared. */
  key: string;
  name: string;
  namespace?: string;
  type: string;
  version: string;
  purl: string;
}

export interface PackageChange {
  key: string;
  name: string;
  namespace?: string;
  type: string;
  from: string;
  to: string;
  /** By the type's version scheme; `changed` when it has none or cannot order these versions. */
  direction: 'upgraded' | 'downgraded' | 'changed';
  fromPurl: string;
  toPurl: string;
}

export interface ComparedFinding {
  id: string;
  severity: SeverityLevel;
  score?: number;
  package: { key: string; name: string; version: string; purl: string };
  fixedVersions: string[];
  kev: boolean;
}

export interface Comparison {
  schema: 'iechor-scout/compare@1';
  image: ImageSummary;
  to: ImageSummary;
  packages: { added: ComparedPackage[]; removed: ComparedPackage[]; changed: PackageChange[]; unchanged: number };
  /** Added: in `image`, not in `to`; removed: in `to`, no longer in `image`. */
  findings: { added: ComparedFinding[]; removed: ComparedFinding[]; unchanged: number };
  /** image minus to, in bytes (positive: `image` is bigger). */
  sizeDelta?: { compressed: number; uncompressed?: number };
  /** When both sides' base images were looked for (images stored on the server). */
  baseImage?: BaseImageComparison;
}

/**
 * Compares `image` with `to`, the way Docker Scout's compare reads: what `image` has that `to`
 * has not is added, what `to` had that `image` has not is removed, and versions changed from
 * `to`'s to `image`'s.
 */
export function compareImages(image: CompareSide, to: CompareSide): Comparison {
  const packages = comparePackages(to.sbom, image.sbom);
  const findings = compareFindingSets(openFindings(to.findings), openFindings(image.findings));
  const a = summarise(image);
  const b = summarise(to);
  const out: Comparison = { schema: 'iechor-scout/compare@1', image: a, to: b, packages, findings };
  if (a.size && b.size) {
    out.sizeDelta = { compressed: a.size.compressed - b.size.compressed };
    if (a.size.uncompressed !== undefined && b.size.uncompressed !== undefined) out.sizeDelta.uncompressed = a.size.uncompressed - b.size.uncompressed;
  }
  if (image.baseImage !== undefined && to.baseImage !== undefined) out.baseImage = compareBaseImages(image.baseImage, to.baseImage);
  return out;
}

export function compareBaseImages(image: BaseImageMatch | null, to: BaseImageMatch | null): BaseImageComparison {
  const change: BaseImageChange = !image && !to ? 'none'
    : !to ? 'added'
      : !image ? 'removed'
        : image.digest === to.digest ? 'unchanged'
          : image.repository !== undefined && image.repository === to.repository ? 'updated'
            : 'replaced';
  return { image, to, change };
}

/**
 * The base image an image's provenance names, as a base-image answer: `scout compare` without
 * a server has no layer catalogue to match, but BuildKit's provenance says what the final stage
 * was built FROM (its reference and, usually, the digest it resolved to). No digest: no answer
 * (two bases could not be told apart). Its layers are not known.
 */
export function provenanceBaseImage(p: { baseImage?: { name: string; digest?: string } } | undefined): BaseImageMatch | null {
  const b = p?.baseImage;
  if (!b?.digest) return null;
  const normalised = normaliseImageName(b.name);
  const repository = repositoryOf(b.name);
  const tag = normalised.length > repository.length ? normalised.slice(repository.length + 1) : undefined;
  return { digest: b.digest, repository, tags: tag ? [tag] : [], catalog: false, from: 'provenance', name: b.name };
}

/**
 * A side from an image stored on the server: its metadata, packages and base image as stored,
 * and its findings still open (a finding a re-match found fixed or withdrawn is history).
 */
export function storedSide(reference: string, stored: { detail: { metadata: Sbom['image']; baseImage?: BaseImageMatch }; packages: Sbom['packages']; findings: readonly StoredFinding[] }): CompareSide {
  const findings = stored.findings
    .filter((f) => !f.fixedAt && !f.withdrawnAt)
    .map((f): CompareFinding => ({
      id: f.vulnerabilityId,
      status: f.status as FindingStatus,
      severity: { level: f.severity, ...(f.cvssScore !== undefined ? { score: f.cvssScore } : {}) },
      package: { purl: f.purl, name: f.packageName, version: f.packageVersion },
      fixedVersions: f.fixedVersions,
      ...(f.kev ? { kev: true } : {}),
    }));
  return { sbom: { image: stored.detail.metadata, packages: stored.packages }, findings, reference, baseImage: stored.detail.baseImage ?? null };
}

/** The PURL without version, qualifiers and subpath. */
export function purlKey(purl: string): string {
  let p = purl;
  const hash = p.indexOf('#');
  if (hash >= 0) p = p.slice(0, hash);
  const q = p.indexOf('?');
  if (q >= 0) p = p.slice(0, q);
  // The version follows the last '@' after the last '/' (a scoped npm name's '@' is encoded).
  const at = p.lastIndexOf('@');
  if (at > p.lastIndexOf('/')) p = p.slice(0, at);
  return p;
}

function openFindings(findings: readonly CompareFinding[]): CompareFinding[] {
  return findings.filter((f) => f.status !== 'not-affected');
}

function comparePackages(before: CompareSide['sbom'], after: CompareSide['sbom']): Comparison['packages'] {
  const group = (sbom: CompareSide['sbom']) => {
    const m = new Map<string, ComparedPackage[]>();
    for (const p of sbom.packages) {
      const key = purlKey(p.purl);
      const entry: ComparedPackage = { key, name: p.name, type: p.type, version: p.version, purl: p.purl, ...(p.namespace ? { namespace: p.namespace } : {}) };
      const list = m.get(key);
      // One entry per version: the same version found in two places is one package here.
      if (!list) m.set(key, [entry]);
      else if (!list.some((x) => x.version === entry.version)) list.push(entry);
    }
    return m;
  };
  const old = group(before);
  const now = group(after);
  const added: ComparedPackage[] = [];
  const removed: ComparedPackage[] = [];
  const changed: PackageChange[] = [];
  let unchanged = 0;
  for (const key of new Set([...old.keys(), ...now.keys()])) {
    const o = old.get(key) ?? [];
    const n = now.get(key) ?? [];
    const nVersions = new Set(n.map((x) => x.version));
    const oVersions = new Set(o.map((x) => x.version));
    unchanged += o.filter((x) => nVersions.has(x.version)).length;
    const gone = o.filter((x) => !nVersions.has(x.version));
    const fresh = n.filter((x) => !oVersions.has(x.version));
    const type = (o[0] ?? n[0]).type;
    const order = versionOrder(type);
    gone.sort((x, y) => order(x.version, y.version));
    fresh.sort((x, y) => order(x.version, y.version));
    const pairs = Math.min(gone.length, fresh.length);
    for (let i = 0; i < pairs; i++) {
      const from = gone[i];
      const to = fresh[i];
      const cmp = compareVersions(type, from.version, to.version);
      changed.push({
        key, name: to.name, type, from: from.version, to: to.version,
        direction: cmp === undefined ? 'changed' : cmp < 0 ? 'upgraded' : cmp > 0 ? 'downgraded' : 'changed',
        fromPurl: from.purl, toPurl: to.purl,
        ...(to.namespace ? { namespace: to.namespace } : {}),
      });
    }
    appendAll(removed, gone.slice(pairs));
    appendAll(added, fresh.slice(pairs));
  }
  const byKey = (x: { key: string; version?: string; to?: string }, y: { key: string; version?: string; to?: string }) =>
    x.key < y.key ? -1 : x.key > y.key ? 1 : (x.version ?? x.to ?? '') < (y.version ?? y.to ?? '') ? -1 : 1;
  return { added: added.sort(byKey), removed: removed.sort(byKey), changed: changed.sort(byKey), unchanged };
}

/** Negative, zero, positive; undefined when the type has no scheme or it rejects a version. */
function compareVersions(type: string, a: string, b: string): number | undefined {
  const scheme = schemeForPurlType(type);
  if (!scheme) return undefined;
  try {
    return scheme.compare(a, b);
  } catch {
    return undefined;
  }
}

/** A total order for sorting versions of one type: the scheme's where it can, else by text. */
function versionOrder(type: string): (a: string, b: string) => number {
  return (a, b) => compareVersions(type, a, b) ?? (a < b ? -1 : a > b ? 1 : 0);
}

function compareFindingSets(before: CompareFinding[], after: CompareFinding[]): Comparison['findings'] {
  const keyOf = (f: CompareFinding) => `${f.id}\0${purlKey(f.package.purl)}`;
  const index = (fs: CompareFinding[]) => {
    const m = new Map<string, CompareFinding>();
    for (const f of fs) if (!m.has(keyOf(f))) m.set(keyOf(f), f);
    return m;
  };
  const old = index(before);
  const now = index(after);
  const added = [...now].filter(([k]) => !old.has(k)).map(([, f]) => compared(f));
  const removed = [...old].filter(([k]) => !now.has(k)).map(([, f]) => compared(f));
  const unchanged = [...now.keys()].filter((k) => old.has(k)).length;
  return { added: added.sort(worstFirst), removed: removed.sort(worstFirst), unchanged };
}

function compared(f: CompareFinding): ComparedFinding {
  return {
    id: f.id,
    severity: f.severity.level,
    ...(f.severity.score !== undefined ? { score: f.severity.score } : {}),
    package: { key: purlKey(f.package.purl), name: f.package.name, version: f.package.version, purl: f.package.purl },
    fixedVersions: f.fixedVersions,
    kev: f.kev !== undefined,
  };
}

function worstFirst(a: ComparedFinding, b: ComparedFinding): number {
  const r = SEVERITY_LEVELS.indexOf(a.severity) - SEVERITY_LEVELS.indexOf(b.severity);
  if (r !== 0) return r;
  if ((b.score ?? -1) !== (a.score ?? -1)) return (b.score ?? -1) - (a.score ?? -1);
  return a.id < b.id ? -1 : a.id > b.id ? 1 : a.package.key < b.package.key ? -1 : 1;
}

function summarise(side: CompareSide): ImageSummary {
  const img = side.sbom.image;
  // Counted as quickview and cves count them: one per (package, vulnerability).
  const vulnerabilities = Object.fromEntries(SEVERITY_LEVELS.map((l) => [l, 0])) as Record<SeverityLevel, number>;
  for (const f of openFindings(side.findings)) vulnerabilities[f.severity.level in vulnerabilities ? f.severity.level : 'unknown']++;
  const s: ImageSummary = {
    reference: side.reference ?? img?.reference ?? '(SBOM)',
    packages: side.sbom.packages.length,
    vulnerabilities,
  };
  if (img?.digest) s.digest = img.digest;
  if (img?.platform) s.platform = [img.platform.os, img.platform.architecture, img.platform.variant].filter(Boolean).join('/');
  const os = img?.os.prettyName ?? (img?.os.name ? `${img.os.name} ${img.os.version ?? ''}`.trim() : undefined);
  if (os) s.os = os;
  if (img?.size) s.size = { compressed: img.size.compressed, ...(img.size.uncompressed !== undefined ? { uncompressed: img.size.uncompressed } : {}) };
  return s;
}
