import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScoutError } from '../../util/errors.js';
import { openRegular } from '../../util/regular-file.js';
import { cacheDir } from '../cache.js';
import { FileDigests, fileIdentity } from '../file-digests.js';
import { sniffCompression } from '../layer/compression.js';
import { defaultLimits } from '../limits.js';
import { isDigest, MediaTypes, sha256 } from '../manifest.js';
import { parseReference } from '../reference.js';
import { resolveImage, type BlobStore } from '../resolve.js';
import { TarFile } from '../tarfile.js';
import type { Descriptor, Image, ImageSource, OpenOptions } from '../types.js';
import { openLayout } from './oci-common.js';
import { tarLayoutReader } from './tar-reader.js';

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
  /** Foreign layers `docker save` left out, by diff_id: their descriptors, URLs included. */
  LayerSources?: Record<string, Descriptor> | null;
}

/**
 * A tarball: `docker save` output (manifest.json) or an OCI archive (oci-layout + index.json),
 * told apart by what it contains. A gzipped tarball is first unpacked into the cache, since a
 * tar can only be read in place when it is not compressed.
 */
export const archiveSource: ImageSource = {
  kind: 'docker-archive',
  async open(location: string, opts: OpenOptions): Promise<Image> {
    const tarPath = await uncompressedPath(location);
    const tar = await TarFile.open(tarPath);
    const hasDocker = tar.get('manifest.json') !== undefined;
    const hasOci = tar.get('index.json') !== undefined && tar.get('oci-layout') !== undefined;
    if (hasOci) {
      // docker save since Docker 25 writes both; the OCI side keeps the real manifest digest.
      return openLayout(tarLayoutReader(tar, `archive ${location}`), hasDocker ? 'docker-archive' : 'oci-archive', `archive://${location}`, opts);
    }
    if (hasDocker) return openDockerArchive(tar, location, opts, await FileDigests.of(tarPath, opts.cache === false ? null : cacheDir()));
    throw new ScoutError('unknown-archive', `archive ${location}: neither a docker-archive (manifest.json) nor an OCI archive (oci-layout + index.json)`);
  },
};

async function openDockerArchive(tar: TarFile, location: string, opts: OpenOptions, digests: FileDigests): Promise<Image> {
  const describe = `docker-archive ${location}`;
  const max = defaultLimits().maxManifestBytes;
  let entries: DockerManifestEntry[];
  try {
    entries = JSON.parse((await tar.read('manifest.json', max)).toString('utf8'));
  } catch (err) {
    if (err instanceof ScoutError) throw err;
    throw new ScoutError('malformed-json', `${describe}: manifest.json is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(entries) || entries.length === 0) throw new ScoutError('malformed-manifest', `${describe}: manifest.json lists no images`);
  for (const [i, e] of entries.entries()) {
    if (!e || typeof e.Config !== 'string' || !Array.isArray(e.Layers) || e.Layers.some((l) => typeof l !== 'string')) {
      throw new ScoutError('malformed-manifest', `${describe}: manifest.json entry ${i} lacks Config or Layers`);
    }
  }
  let entry = entries[0];
  if (opts.pick) {
    const want = normalizeTag(opts.pick);
    const found = entries.find((e) => (e.RepoTags ?? []).some((t) => normalizeTag(t) === want) || e.Config.includes(opts.pick!.replace(/^sha256:/, '')));
    if (!found) throw new ScoutError('image-not-found', `${describe}: no image tagged "${opts.pick}"; it holds: ${entries.flatMap((e) => e.RepoTags ?? [e.Config]).join(', ')}`);
    entry = found;
  } else if (entries.length > 1) {
    throw new ScoutError('ambiguous-image', `${describe} holds ${entries.length} images (${entries.flatMap((e) => e.RepoTags ?? [e.Config]).join(', ')}); pick one with --ref`);
  }
  const configBytes = await tar.read(entry.Config, max);
  const configDigest = sha256(configBytes);
  // docker-archive has no manifest: build the Docker v2 one a registry push would describe,
  // with each layer's digest taken from its blob name or, for plain tars, its content.
  const layers: Descriptor[] = [];
  const diffIds = diffIdsOf(configBytes);
  for (const [i, l] of entry.Layers.entries()) {
    const m = tar.get(l);
    if (!m) {
      // A foreign layer (a Windows base layer) is not saved: its descriptor says where it lives.
      const foreign = diffIds[i] !== undefined ? entry.LayerSources?.[diffIds[i]] : undefined;
      if (!foreign || typeof foreign.digest !== 'string' || !isDigest(foreign.digest) || typeof foreign.size !== 'number') {
        throw new ScoutError('missing-blob', `${describe}: layer ${l} named in manifest.json is missing`);
      }
      layers.push({ mediaType: typeof foreign.mediaType === 'string' ? foreign.mediaType : '', size: foreign.size, digest: foreign.digest, ...(Array.isArray(foreign.urls) ? { urls: foreign.urls } : {}) });
      continue;
    }
    // Hashed once per archive as it is on disk: an unchanged archive's layers are not read again.
    layers.push({ mediaType: MediaTypes.dockerLayer, size: m.size, digest: await digests.get(l, () => layerDigest(tar, l)) });
  }
  digests.save();
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.dockerManifest,
    config: { mediaType: MediaTypes.dockerConfig, size: configBytes.length, digest: configDigest },
    layers,
  };
  const root = Buffer.from(JSON.stringify(manifest));
  const byDigest = new Map(entry.Layers.map((l, i) => [layers[i].digest, l]));
  const store: BlobStore = {
    describe,
    manifest: async () => root,
    blob: async (d) => {
      if (d !== configDigest) throw new ScoutError('missing-blob', `${describe}: no blob ${d}`);
      return configBytes;
    },
    openBlob: async (d) => {
      const name = byDigest.get(d);
      if (name === undefined || !tar.get(name)) throw new ScoutError('missing-blob', `${describe}: no blob ${d}`);
      return tar.stream(name);
    },
  };
  const tag = entry.RepoTags?.[0];
  const ref = tag ? safeParse(tag) : undefined;
  return resolveImage({
    source: 'docker-archive',
    reference: `archive://${location}`,
    root,
    store,
    opts,
    registry: ref?.registry,
    repository: ref?.repository,
    tag: ref?.tag,
  });
}

/** A layer's blob digest: from a blobs/sha256/<hex> name, else by hashing the member. */
async function layerDigest(tar: TarFile, name: string): Promise<string> {
  const m = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(name);
  if (m) return `${m[1]}:${m[2]}`;
  const h = createHash('sha256');
  for await (const c of tar.stream(name)) h.update(c as Buffer);
  return 'sha256:' + h.digest('hex');
}

function safeParse(tag: string) {
  try {
    return parseReference(tag);
  } catch {
    return undefined;
  }
}

function normalizeTag(t: string): string {
  const r = safeParse(t);
  return r ? r.canonical : t;
}

/** The archive itself, or (when gzipped) an uncompressed copy inside the cache. */
async function uncompressedPath(location: string): Promise<string> {
  const fh = await openRegular(location, `archive ${location}`);
  const head = Buffer.alloc(4);
  try {
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  const kind = sniffCompression(head);
  if (kind === 'none') return location;
  if (kind !== 'gzip') throw new ScoutError('unsupported-archive', `archive ${location}: only plain or gzip-compressed tarballs are supported`);
  const st = await stat(location);
  const dir = join(cacheDir(), 'archives');
  // A tar is read in place, so a gzipped one needs an unpacked copy, and the cache is the one
  // place Scout writes: without it this archive cannot be read (other images still can).
  const unwritable = (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return new ScoutError('cache-unwritable', `archive ${location} is gzip-compressed and is unpacked into the cache to be read, but ${dir} cannot be written (${code}${code === 'ENOSPC' ? ': the disk is full' : ''}): set SCOUT_CACHE_DIR to a writable directory, or decompress it first (gunzip -k ${location})`, { path: location });
  };
  await mkdir(dir, { recursive: true }).catch((err: unknown) => {
    throw unwritable(err);
  });
  // Keyed by the file's identity (file-digests.ts): an archive rewritten in place, even to the
  // same size with its mtime put back, has a new ctime and is unpacked again.
  const key = createHash('sha256').update(await fileIdentity(location)).digest('hex').slice(0, 32);
  const out = join(dir, key + '.tar');
  if (await stat(out).then(() => true, () => false)) return out;
  const tmp = out + '.part-' + process.pid;
  const limits = defaultLimits();
  let written = 0;
  // Only a gzipped archive needs these: the usual plain one does not load zlib.
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  const { createGunzip } = await import('node:zlib');
  try {
    const gunzip = createGunzip();
    gunzip.on('data', (c: Buffer) => {
      written += c.length;
      if (written > limits.maxLayerBytes || (written > limits.ratioGraceBytes && written > st.size * limits.maxCompressionRatio)) {
        gunzip.destroy(new ScoutError('compression-ratio', `archive ${location}: decompresses beyond the size/ratio limits; possible decompression bomb`));
      }
    });
    await pipeline(createReadStream(location), gunzip, createWriteStream(tmp));
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (err instanceof ScoutError) throw err;
    // A write error (read-only, full disk) is the cache's, not the archive's fault.
    if (['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR', 'EDQUOT'].includes((err as NodeJS.ErrnoException).code ?? '')) throw unwritable(err);
    throw new ScoutError('corrupt-archive', `archive ${location}: cannot decompress (${(err as Error).message})`);
  }
  return out;
}

/** The config's diff_ids, or none when it cannot be read (resolveImage reports that properly). */
function diffIdsOf(configBytes: Buffer): string[] {
  try {
    const ids = (JSON.parse(configBytes.toString('utf8')) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
    return Array.isArray(ids) ? ids.map((x) => String(x)) : [];
  } catch {
    return [];
  }
}
