/**
 * Image uploads for platform store tests that do not need a real image: metadata shaped exactly
 * as `scout image inspect` produces it, packages from purls, and findings as the matcher shapes
 * them. Tests that need real images catalogue ones built with image-builder.ts instead.
 */
import type { ImageMetadata } from '../../src/image/metadata.js';
import type { Finding } from '../../src/match/types.js';
import type { SeverityLevel } from '../../src/match/severity.js';
import type { Package } from '../../src/sbom/model.js';
import { parsePurl } from '../../src/sbom/purl.js';
import type { ImageUpload } from '../../src/store/platform-store.js';
import { sha256 } from './image-builder.js';

export function layerDiffIds(names: readonly string[]): string[] {
  return names.map((n) => sha256(`layer ${n}`));
}

export function packageOf(purl: string, i = 0): Package {
  const p = parsePurl(purl);
  return {
    id: `pkg-${i}`,
    name: p.name,
    ...(p.namespace ? { namespace: p.namespace } : {}),
    version: p.version ?? '',
    type: p.type,
    purl,
    licenses: [{ spdx: 'MIT' }],
    locations: [{ path: `/usr/lib/${p.name}` }],
    foundBy: 'test',
    relationship: 'direct',
  };
}

export function findingOf(pkg: Package, id: string, level: SeverityLevel = 'high', fixed?: string): Finding {
  return {
    id,
    ids: [id, `GHSA-${id.slice(-4)}-test-test`],
    package: { id: pkg.id, name: pkg.name, version: pkg.version, purl: pkg.purl, type: pkg.type, locations: pkg.locations },
    ecosystem: 'npm',
    queriedName: pkg.name,
    queriedVersion: pkg.version,
    status: fixed ? 'fixed' : 'unfixed',
    fixedVersions: fixed ? [fixed] : [],
    affectedRanges: [],
    severity: { level, source: 'advisory', score: 7.5 },
    references: [],
    advisories: [{ id, source: 'test', modified: '2024-01-01T00:00:00Z' }],
    dataSource: { name: 'test' },
    trace: [],
  };
}

export interface UploadSpec {
  /** Layer names (their diff_ids are derived from the names: equal names, equal layers). */
  layers: readonly string[];
  purls?: readonly string[];
  /** [purl, vulnerability id, severity?] */
  findings?: readonly [string, string, SeverityLevel?][];
  repository?: string;
  tags?: readonly string[];
  /** Distinguishes images with the same layers (a different config). */
  config?: string;
}

export function uploadOf(spec: UploadSpec): ImageUpload {
  const diffIds = layerDiffIds(spec.layers);
  const configDigest = sha256(`config ${spec.layers.join('/')} ${spec.config ?? ''}`);
  const digest = sha256(`manifest ${configDigest}`);
  const metadata: ImageMetadata = {
    reference: spec.repository ? `${spec.repository}:${spec.tags?.[0] ?? 'latest'}` : digest,
    source: 'oci-layout',
    created: '2024-05-01T12:00:00Z',
    digest,
    configDigest,
    platform: { os: 'linux', architecture: 'amd64' },
    os: { type: 'linux', name: 'debian', version: '12' },
    exposedPorts: ['80/tcp'],
    env: [{ name: 'PATH', value: '/usr/bin' }],
    labels: { maintainer: 'tests' },
    layers: diffIds.map((d, i) => ({ index: i, digest: sha256(`blob ${d}`), diffId: d, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 1000 + i, uncompressedSize: 4000 + i, createdBy: `RUN step ${i}` })),
    history: diffIds.map((_, i) => ({ createdBy: `RUN step ${i}`, emptyLayer: false, layerIndex: i })),
    registry: { host: 'registry.example.com', url: 'https://registry.example.com', type: 'other' },
    size: { compressed: 5000, uncompressed: 20000 },
  };
  const packages = (spec.purls ?? []).map((p, i) => packageOf(p, i));
  const byPurl = new Map(packages.map((p) => [p.purl, p]));
  const findings = (spec.findings ?? []).map(([purl, id, level]) => findingOf(byPurl.get(purl) ?? packageOf(purl), id, level));
  return { metadata, packages, findings, ...(spec.repository ? { repository: spec.repository } : {}), ...(spec.tags ? { tags: spec.tags } : {}) };
}
