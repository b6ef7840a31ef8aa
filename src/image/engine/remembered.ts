/**
 * What an engine's image is, remembered by its image ID: the manifest, config and layer list
 * read from its first export. The ID is a digest of that content (the config for Docker's
 * classic store, the manifest or index for the containerd store), so while the engine gives the
 * same ID the same image is meant. A warm scan then needs no export at all when every layer's
 * result is in the layer cache; a layer that is not is read from an export made on demand.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from '../cache.js';
import { formatPlatform } from '../manifest.js';
import type { Image, ImageLayer, Platform } from '../types.js';

/** Bumped when the remembered shape changes. */
const FORMAT = 1;

type Documents = Pick<Image, 'manifest' | 'manifestDigest' | 'index' | 'indexDigest' | 'config' | 'configDigest'> & {
  layers: Pick<ImageLayer, 'index' | 'digest' | 'diffId' | 'mediaType' | 'size'>[];
};

function fileOf(id: string, platform: Platform | undefined): string {
  // The platform asked for is part of the key: one containerd index holds several images.
  const key = createHash('sha256').update(JSON.stringify([FORMAT, id, platform ? formatPlatform(platform) : ''])).digest('hex');
  return join(cacheDir(), 'engine-images', key.slice(0, 2), `${key}.json`);
}

/** Keep an exported image's documents; a cache that cannot be written only costs an export next time. */
export function rememberImage(id: string, platform: Platform | undefined, img: Image): void {
  const docs: Documents & { id: string } = {
    id,
    manifest: img.manifest,
    manifestDigest: img.manifestDigest,
    ...(img.index ? { index: img.index, indexDigest: img.indexDigest } : {}),
    config: img.config,
    configDigest: img.configDigest,
    layers: img.layers.map((l) => ({ index: l.index, digest: l.digest, diffId: l.diffId, mediaType: l.mediaType, size: l.size })),
  };
  const file = fileOf(id, platform);
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(docs));
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    // Read-only or full cache: exported again next time.
  }
}

/**
 * The remembered image with ID `id`, whose layers (and blobs, for attestations) come from
 * `exported()` if anything reads them; undefined when it was never seen.
 */
export async function recallImage(id: string, platform: Platform | undefined, exported: () => Promise<Image>): Promise<Image | undefined> {
  let docs: Documents & { id?: string };
  try {
    docs = JSON.parse(await readFile(fileOf(id, platform), 'utf8'));
  } catch {
    return undefined;
  }
  if (docs.id !== id || !Array.isArray(docs.layers) || !docs.config?.rootfs) return undefined;
  const layer = async (i: number): Promise<ImageLayer> => {
    const l = (await exported()).layers[i];
    // The export is checked against the ID (sources/engine.ts); its layers are these layers.
    if (!l || l.digest !== docs.layers[i].digest) throw new Error(`the export's layer ${i} is not the remembered one`);
    return l;
  };
  const blobs = async () => (await exported()).blobs!;
  return {
    source: 'docker-engine',
    reference: '',
    manifest: docs.manifest,
    manifestDigest: docs.manifestDigest,
    ...(docs.index ? { index: docs.index, indexDigest: docs.indexDigest } : {}),
    config: docs.config,
    configDigest: docs.configDigest,
    layers: docs.layers.map((l, i) => ({ ...l, open: async () => (await layer(i)).open(), openBlob: async () => (await layer(i)).openBlob!() })),
    blobs: {
      describe: 'local image store',
      manifest: async (d, m) => (await blobs()).manifest(d, m),
      blob: async (d, s) => (await blobs()).blob(d, s),
      openBlob: async (d, s) => (await blobs()).openBlob(d, s),
      referrers: async (d) => (await blobs()).referrers?.(d) ?? [],
    },
  };
}
