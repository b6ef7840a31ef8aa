import { join } from 'node:path';
import type { Cataloger } from '../../src/catalog/types.js';
import { LayerCache } from '../../src/image/cache.js';
import { openImage } from '../../src/image/open.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { buildImage, writeOciLayout, type LayerSpec } from './image-builder.js';
import { tempDir } from './tmp.js';

/**
 * Build an image from these layers into a fresh OCI layout and catalog it, with no cache (the
 * default catalogers when none are given): the SBOM, and the image as built (its layers'
 * digests and diff_ids).
 */
export async function sbomOfLayers(layers: (LayerSpec | Buffer)[], catalogers?: Cataloger[]) {
  const im = await buildImage({ layers });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const { sbom } = await sbomForImage(await openImage(dir), catalogers, { cache: false });
  return { sbom, im };
}

/** The image the README's first scan reads. */
export const DEMO_IMAGE = new URL('../../examples/demo-image.tar', import.meta.url).pathname;

/** The demo image catalogued with every default cataloger, every layer read (a fresh cache). */
export async function demoImageSbom() {
  const r = await sbomForImage(await openImage(DEMO_IMAGE), undefined, { cache: new LayerCache(join(tempDir(), 'cache')) });
  if (r.fromCache) throw new Error('a fresh cache served the demo image from its catalog cache');
  return r.sbom;
}
