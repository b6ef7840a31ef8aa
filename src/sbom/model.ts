import type { LayerRef } from '../image/layer-index.js';
import type { ImageMetadata } from '../image/metadata.js';
import type { ScanWarning } from '../util/errors.js';

/** A license as the ecosystem stated it, normalised to SPDX where we can. */
export interface License {
  /** An SPDX license id or expression, when the text could be normalised. */
  spdx?: string;
  /** The original text when it is not SPDX (kept as a named non-SPDX license). */
  name?: string;
}

/** Where in the image a package was seen. */
export interface Location {
  path: string;
  /** The layer that last wrote this file (filled by the catalog runner, not catalogers). */
  layer?: LayerRef;
}

export type Relationship = 'root' | 'direct' | 'transitive' | 'unknown';

/**
 * One OS or language package. Every field our data-handling page promises is here:
 * PURL, author, description, licenses, name, namespace, scheme (purl type), size, type,
 * version, file paths, and the direct/transitive dependency type.
 */
export interface Package {
  /** Stable id within one SBOM (derived from purl and first location). */
  id: string;
  name: string;
  namespace?: string;
  version: string;
  /** The PURL type (deb, apk, rpm, npm, pypi, maven, golang, cargo, gem, composer, nuget, generic...). */
  type: string;
  /** Canonical Package URL. */
  purl: string;
  author?: string;
  description?: string;
  licenses: License[];
  /** Installed size in bytes when the ecosystem records it. */
  size?: number;
  /** Files that are the evidence of this package (database, manifest, binary). */
  locations: Location[];
  /** The first layer in which this package at this version appears. */
  introducedLayer?: LayerRef;
  relationship?: Relationship;
  /** ids of the packages that depend on this one directly (for direct/transitive reporting). */
  dependencyOf?: string[];
  /** ids of the packages this one depends on. */
  dependsOn?: string[];
  /** Source package of an OS package (deb source, rpm source RPM, apk origin). */
  source?: { name: string; version?: string };
  /** id of the OS package whose files include this language package's evidence. */
  ownedBy?: string;
  /** Name of the cataloger that found it. */
  foundBy: string;
  /** Ecosystem-specific extras (arch, epoch, release, dev, checksums...). Serialisable. */
  metadata?: Record<string, unknown>;
}

export interface DistroInfo {
  /** os-release ID, e.g. debian, ubuntu, alpine, rhel. */
  id: string;
  versionId?: string;
  versionCodename?: string;
  prettyName?: string;
  idLike?: string[];
}

export interface Sbom {
  schema: 'iechor-scout/sbom@1';
  generatedAt: string;
  tool: { name: string; version: string };
  image?: ImageMetadata;
  /** Where this SBOM came from when it was read, not built (cyclonedx, spdx, ...). */
  importedFrom?: string;
  distro?: DistroInfo;
  packages: Package[];
  packageCount: number;
  warnings: ScanWarning[];
}
