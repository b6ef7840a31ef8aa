import type { ImageMetadata } from '../../image/metadata.js';
import { buildPurl } from '../purl.js';

/** How SBOM documents name the image they describe: repository, else the reference. */
export function imageName(image: ImageMetadata): string {
  return image.registry?.repository ?? image.reference.replace(/[:@].*$/, '');
}

/** The image's own PURL (pkg:oci/name@digest?arch=&repository_url=&tag=), when one can be built. */
export function imagePurl(image: ImageMetadata): string | undefined {
  try {
    const name = imageName(image).split('/').pop() ?? 'image';
    const repo = image.registry ? `${image.registry.host}/${image.registry.repository ?? name}` : undefined;
    return buildPurl({ type: 'oci', name, version: image.digest, qualifiers: { arch: image.platform.architecture, repository_url: repo, tag: image.registry?.tag } });
  } catch {
    return undefined;
  }
}
