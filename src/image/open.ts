import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScoutError } from '../util/errors.js';
import { formatPlatform } from './manifest.js';
import { parseReference } from './reference.js';
import type { Image, ImageSource, OpenOptions, Platform, SourceKind } from './types.js';
import { fileKind } from '../util/regular-file.js';

/**
 * Where a user's reference points: which source, and the location within it. `image` is a
 * name to look for in the local engine's store first, then in its registry.
 */
export interface ParsedTarget {
  kind: SourceKind | 'image';
  location: string;
}

const PREFIXES: Record<string, SourceKind> = {
  'registry://': 'registry',
  'archive://': 'docker-archive',
  'docker-archive://': 'docker-archive',
  'oci-archive://': 'docker-archive',
  'oci-dir://': 'oci-layout',
  'fs://': 'directory',
  'dir://': 'directory',
  'local://': 'docker-engine',
};

/**
 * Decide the source from the reference the way Docker Scout users write it: an explicit
 * prefix wins; a bare path that exists is an archive (file), an OCI layout (folder with
 * oci-layout) or a plain directory; anything else is an image name, looked for in the local
 * image store and then in its registry, as `image://NAME` is.
 */
export async function parseTarget(ref: string): Promise<ParsedTarget> {
  for (const [prefix, kind] of Object.entries(PREFIXES)) {
    if (ref.startsWith(prefix)) return { kind, location: ref.slice(prefix.length) };
  }
  if (ref.startsWith('image://')) return { kind: 'image', location: ref.slice('image://'.length) };
  if (ref.startsWith('sbom://')) throw new ScoutError('not-an-image', `${ref} is an SBOM, not an image; this command needs an image`);
  const st = await stat(ref).catch(() => undefined);
  if (st?.isFile()) return { kind: 'docker-archive', location: ref };
  if (st?.isDirectory()) {
    const layout = await stat(join(ref, 'oci-layout')).catch(() => undefined);
    return { kind: layout ? 'oci-layout' : 'directory', location: ref };
  }
  if (st) throw new ScoutError('not-a-file', `${ref} is ${fileKind(st)}: an image is an archive file, an OCI layout or a directory`);
  if (ref.startsWith('/') || ref.startsWith('./') || ref.startsWith('../')) throw new ScoutError('not-found', `${ref}: no such file or directory`);
  return { kind: 'image', location: ref };
}

async function sourceFor(kind: SourceKind): Promise<ImageSource> {
  // Imported lazily: a command that reads an archive never loads the registry client.
  switch (kind) {
    case 'registry':
      return (await import('./sources/registry.js')).registrySource;
    case 'docker-archive':
    case 'oci-archive':
      return (await import('./sources/archive.js')).archiveSource;
    case 'oci-layout':
      return (await import('./sources/oci-layout.js')).ociLayoutSource;
    case 'directory':
      return (await import('./sources/directory.js')).directorySource;
    case 'docker-engine':
      return (await import('./sources/engine.js')).engineSource;
  }
}

/**
 * `image://NAME` and a bare name: the local engine's image store first (Docker Scout's
 * default), then the registry; one notice says which was read, and why not the local store.
 */
async function openLocalThenRegistry(name: string, opts: OpenOptions): Promise<Image> {
  if (!name) throw new ScoutError('bad-reference', 'image:// needs an image name, e.g. image://alpine:3.20');
  // A name no registry could have is refused before any engine is asked (IDs are the engine's).
  if (!/^(sha256:)?[a-f0-9]{12,64}$/.test(name)) parseReference(name);
  const local = await (await import('./sources/engine.js')).lookInEngines(name, opts);
  if ('image' in local) {
    opts.onNotice?.(`${name}: read from the local image store of ${local.engine}`);
    return local.image;
  }
  opts.onNotice?.(`${name}: not in a local image store (${local.absent}); pulling it from its registry`);
  return (await sourceFor('registry')).open(name, opts);
}

export async function openImage(ref: string, opts: OpenOptions = {}): Promise<Image> {
  const t = await parseTarget(ref);
  const img = t.kind === 'image' ? await openLocalThenRegistry(t.location, opts) : await (await sourceFor(t.kind)).open(t.location, opts);
  if (opts.platform && t.kind !== 'directory') checkPlatform(img, opts.platform);
  return img;
}

/**
 * A platform asked for must be the platform read. An index was narrowed to it already; a
 * single-platform image (an archive, a plain manifest) is checked against its config, so
 * `--platform linux/arm64` never scans an amd64 image without a word. A plain directory has
 * no platform of its own.
 */
export function checkPlatform(img: Image, want: Platform): void {
  const c = img.config;
  const variantOk = !want.variant || !c.variant || want.variant === c.variant;
  if (c.os === want.os && c.architecture === want.architecture && variantOk) return;
  const has = formatPlatform({ os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) });
  throw new ScoutError('platform-not-found', `${img.reference}: no image for platform ${formatPlatform(want)}; this image is ${has} only (a single-platform image; drop --platform or pick another image)`);
}
