import type { ImageMetadata } from '../../image/metadata.js';
import { buildPurl } from '../purl.js';

/** Docker's short form of a name: docker.io/library/alpine → alpine, docker.io/o/r → o/r. */
function familiar(name: string): string {
  return name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\/(library\/)?/, '');
}

/**
 * The image's name and tag as the user knows it: the registry reference (alpine:3.20,
 * ghcr.io/o/r:1), the tag an archive or OCI layout carries (demo-api:1.0.0), else the path
 * read (a plain directory, an untagged archive). Never the kind of source ("archive").
 */
export function imageNameParts(image: ImageMetadata): { name: string; tag?: string } {
  const r = image.registry;
  if (r?.repository) return { name: familiar(`${r.host}/${r.repository}`), ...(r.tag ? { tag: r.tag } : {}) };
  // archive://PATH@name:tag — the name an OCI archive or layout gave the image it holds.
  const at = /^[a-z-]+:\/\/.*@([^@]+)$/.exec(image.reference);
  if (at && !/^sha(256|512):/.test(at[1])) {
    const m = /^(.*?)(?::([\w][\w.-]{0,127}))?$/.exec(at[1].replace(/@sha\d+:[0-9a-f]+$/, ''))!;
    // A colon in the last path segment is a tag; one before a slash is a registry port.
    if (m[2] !== undefined && !m[2].includes('/')) return { name: familiar(m[1]), tag: m[2] };
    return { name: familiar(at[1]) };
  }
  return { name: image.reference.replace(/^[a-z-]+:\/\//, '') || image.reference };
}

/** How SBOM documents name the image they describe (demo-api:1.0.0); its digest goes beside it. */
export function imageName(image: ImageMetadata): string {
  const { name, tag } = imageNameParts(image);
  return tag ? `${name}:${tag}` : name;
}

/** The image's own PURL (pkg:oci/name@digest?arch=&repository_url=&tag=), when one can be built. */
export function imagePurl(image: ImageMetadata): string | undefined {
  try {
    const { name: full, tag } = imageNameParts(image);
    const name = (full.split('/').pop() ?? 'image').toLowerCase().replace(/[^a-z0-9._-]/g, '') || 'image';
    const repo = image.registry ? `${image.registry.host}/${image.registry.repository ?? name}` : undefined;
    return buildPurl({ type: 'oci', name, version: image.digest, qualifiers: { arch: image.platform.architecture, repository_url: repo, tag } });
  } catch {
    return undefined;
  }
}
