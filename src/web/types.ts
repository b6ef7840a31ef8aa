/** The `/v1` reply shapes the dashboard reads (the server's JSON schemas are the source). */
import type { SeverityCounts } from './components/common';

export interface Page<T> {
  items: T[];
  next?: string;
  total?: number;
}

export interface ImageSummary {
  digest: string;
  repository?: string;
  tags: string[];
  created?: string;
  pushedAt: string;
  lastSeenAt: string;
  platform: { os: string; architecture: string; variant?: string };
  os: { name?: string; version?: string };
  registry?: { host?: string; url?: string; type?: string };
  size: { compressed: number; uncompressed?: number };
  layerCount: number;
  packageCount: number;
  vulnerabilities: SeverityCounts;
  baseImage?: BaseImage;
}

export interface BaseImage {
  digest: string;
  repository?: string;
  tags: string[];
  layers: number;
  catalog: boolean;
}

export interface ImageDetail extends ImageSummary {
  metadata: {
    reference: string;
    created?: string;
    digest: string;
    indexDigest?: string;
    configDigest: string;
    platform: { os: string; architecture: string; variant?: string };
    os: { type: string; name?: string; version?: string; prettyName?: string };
    exposedPorts: string[];
    env: { name: string; value: string }[];
    labels: Record<string, string>;
    user?: string;
    workingDir?: string;
    entrypoint?: string[];
    cmd?: string[];
    history: { created?: string; createdBy?: string; comment?: string; emptyLayer: boolean; layerIndex?: number }[];
    registry?: { host: string; url: string; type: string; repository?: string; tag?: string };
    size: { compressed: number; uncompressed?: number };
  };
  distro?: { id: string; versionId?: string; prettyName?: string };
  baseImage?: BaseImage;
}

export interface Layer {
  position: number;
  digest: string;
  diffId: string;
  chainId: string;
  mediaType: string;
  size: number;
  uncompressedSize?: number;
  createdBy?: string;
  created?: string;
}

export interface Package {
  id: string;
  name: string;
  namespace?: string;
  version: string;
  type: string;
  purl: string;
  author?: string;
  description?: string;
  licenses: { spdx?: string; name?: string }[];
  size?: number;
  locations: { path: string; layer?: { index?: number; diffId?: string } }[];
  introducedLayer?: { index?: number; diffId?: string };
  relationship?: string;
  dependencyOf?: string[];
  source?: { name: string; version?: string };
  ownedBy?: string;
}

export interface Finding {
  vulnerabilityId: string;
  ids: string[];
  purl: string;
  packageName: string;
  packageVersion: string;
  packageType: string;
  severity: string;
  cvssScore?: number;
  status: string;
  fixedVersions: string[];
  kev: boolean;
  epss?: { score: number; percentile: number };
  summary?: string;
  vex?: { status: string; justification?: string };
  firstSeenAt: string;
  lastSeenAt: string;
  fixedAt?: string;
  withdrawnAt?: string;
}

export interface Usage {
  digest: string;
  repository?: string;
  tags: string[];
  purl: string;
  packageVersion: string;
  vulnerabilityId?: string;
  severity?: string;
  status?: string;
  fixedVersions?: string[];
}

export function imageName(i: { repository?: string; tags: string[]; digest: string }): string {
  const repo = i.repository ?? '(no repository)';
  return i.tags.length ? `${repo}:${i.tags[0]}` : `${repo}@${i.digest.slice(0, 19)}`;
}

export const imageHref = (digest: string, tab?: string) => `/images/${encodeURIComponent(digest)}${tab ? `?tab=${tab}` : ''}`;
export const vulnHref = (id: string) => `/vulnerabilities/${encodeURIComponent(id)}`;
export const packageHref = (purl: string) => `/packages?purl=${encodeURIComponent(purl)}`;
