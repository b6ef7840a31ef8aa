import type { Cataloger } from '../../src/catalog/types.js';
import { openImage } from '../../src/image/open.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { buildImage, writeOciLayout, type LayerSpec } from './image-builder.js';
import { tempDir } from './tmp.js';

/**
 * Build an image from these layers into a fresh OCI layout and catalog it, with no cache (the
 * default catalogers when none are given): the SBOM, and the image as built (its layers'
 * digests and diff_ids).
 */
export async function sbomOfLayers(layers: LayerSpec[], catalogers?: Cataloger[]) {
  const im = await buildImage({ layers });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const { sbom } = await sbomForImage(await openImage(dir), catalogers, { cache: false });
  return { sbom, im };
}
