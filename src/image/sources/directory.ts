import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ScoutError } from '../../util/errors.js';
import { indexDirectory } from '../layer/directory-index.js';
import { MediaTypes, hostPlatform, sha256 } from '../manifest.js';
import type { Image, ImageSource, OpenOptions } from '../types.js';

/**
 * A plain directory seen as a one-layer root file system. It has no manifest or config, so
 * both are synthesised; the layer's "digest" is a name for this directory, not a content
 * digest, and its results are never cached.
 */
export const directorySource: ImageSource = {
  kind: 'directory',
  async open(location: string, opts: OpenOptions): Promise<Image> {
    const root = resolve(location);
    const st = await stat(root).catch(() => undefined);
    if (!st?.isDirectory()) throw new ScoutError('not-found', `directory ${location}: no such directory`);
    const diffId = sha256(`directory:${root}`);
    const platform = opts.platform ?? hostPlatform();
    const config = {
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: {},
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created_by: `directory ${root}` }],
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const manifest = {
      schemaVersion: 2 as const,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: sha256(configBytes), size: configBytes.length },
      layers: [{ mediaType: 'application/vnd.iechor-scout.directory', digest: diffId, size: 0 }],
    };
    return {
      source: 'directory',
      reference: `fs://${location}`,
      manifest,
      manifestDigest: sha256(JSON.stringify(manifest)),
      config,
      configDigest: manifest.config.digest,
      layers: [
        {
          index: 0,
          digest: diffId,
          diffId,
          mediaType: manifest.layers[0].mediaType,
          size: 0,
          open: () => Promise.reject(new ScoutError('not-a-tar', `directory ${location} is read in place, not as a tar`)),
          indexWith: (capture, budget) => indexDirectory(root, capture, diffId, budget),
        },
      ],
    };
  },
};
