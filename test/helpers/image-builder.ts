/**
 * Builds real container images inside tests: layer tars (plain, gzip, zstd), configs,
 * manifests and indexes, written as an OCI layout, an OCI archive or a docker-archive.
 * Byte-for-byte what the readers see from real tools, so tests exercise the real paths.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';

export type FileSpec =
  | string
  | Buffer
  | { content: string | Buffer; mode?: number }
  | { symlink: string }
  | { hardlink: string }
  | { dir: true }
  | { whiteout: true }
  | { opaque: true };

/** Layer contents: tar member name → what it is. Names are written as given (hostile ones too). */
export type LayerSpec = Record<string, FileSpec>;

export function sha256(b: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(b).digest('hex');
}

export async function tarOf(files: LayerSpec): Promise<Buffer> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => p.on('end', () => r()));
  const mtime = new Date('2024-01-01T00:00:00Z');
  for (const [name, spec] of Object.entries(files)) {
    if (typeof spec === 'string' || Buffer.isBuffer(spec)) p.entry({ name, mode: 0o644, mtime }, Buffer.from(spec));
    else if ('content' in spec) p.entry({ name, mode: spec.mode ?? 0o644, mtime }, Buffer.from(spec.content));
    else if ('symlink' in spec) p.entry({ name, type: 'symlink', linkname: spec.symlink, mode: 0o777, mtime });
    else if ('hardlink' in spec) p.entry({ name, type: 'link', linkname: spec.hardlink, mode: 0o644, mtime });
    else if ('dir' in spec) p.entry({ name, type: 'directory', mode: 0o755, mtime });
    else if ('whiteout' in spec) {
      const i = name.lastIndexOf('/');
      p.entry({ name: i === -1 ? `.wh.${name}` : `${name.slice(0, i)}/.wh.${name.slice(i + 1)}`, mode: 0o644, mtime }, Buffer.alloc(0));
    } else p.entry({ name: name.replace(/\/?$/, '/') + '.wh..wh..opq', mode: 0o644, mtime }, Buffer.alloc(0));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A tar file's members by name, read with tar-stream (not through the code under test). */
export async function tarMembers(path: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = tarExtract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        out.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(readFileSync(path));
  await done;
  return out;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export function compress(tar: Buffer, c: Compression): Buffer {
  if (c === 'gzip') return gzipSync(tar);
  if (c === 'zstd') {
    const r = spawnSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error('zstd failed: ' + r.stderr.toString());
    return r.stdout;
  }
  return tar;
}

export interface BuiltLayer {
  tar: Buffer;
  blob: Buffer;
  digest: string;
  diffId: string;
  mediaType: string;
}

export interface BuiltImage {
  layers: BuiltLayer[];
  config: Record<string, unknown>;
  configBytes: Buffer;
  configDigest: string;
  manifest: Record<string, unknown>;
  manifestBytes: Buffer;
  manifestDigest: string;
  platform: { os: string; architecture: string; variant?: string };
}

export interface ImageOptions {
  /** Each layer's contents, or a ready uncompressed layer tar (one GNU tar wrote, say). */
  layers: (LayerSpec | Buffer)[];
  compression?: Compression;
  /** docker = Docker v2 schema 2 media types; oci = OCI (default). */
  flavor?: 'oci' | 'docker';
  os?: string;
  architecture?: string;
  variant?: string;
  created?: string;
  env?: string[];
  labels?: Record<string, string>;
  exposedPorts?: string[];
  user?: string;
  workingDir?: string;
  entrypoint?: string[];
  cmd?: string[];
  /** Extra empty-layer history entries inserted before the layer with this index. */
  emptyHistoryBefore?: Record<number, string>;
}

export async function buildImage(o: ImageOptions): Promise<BuiltImage> {
  const c = o.compression ?? 'gzip';
  const docker = o.flavor === 'docker';
  const layers: BuiltLayer[] = [];
  for (const spec of o.layers) {
    const tar = Buffer.isBuffer(spec) ? spec : await tarOf(spec);
    const blob = compress(tar, c);
    const mediaType = docker
      ? c === 'gzip' ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.docker.image.rootfs.diff.tar'
      : c === 'gzip' ? 'application/vnd.oci.image.layer.v1.tar+gzip' : c === 'zstd' ? 'application/vnd.oci.image.layer.v1.tar+zstd' : 'application/vnd.oci.image.layer.v1.tar';
    layers.push({ tar, blob, digest: sha256(blob), diffId: sha256(tar), mediaType });
  }
  const created = o.created ?? '2024-05-01T12:00:00Z';
  const history: Record<string, unknown>[] = [];
  layers.forEach((_, i) => {
    const e = o.emptyHistoryBefore?.[i];
    if (e) history.push({ created, created_by: e, empty_layer: true });
    history.push({ created, created_by: `/bin/sh -c #(nop) layer ${i}` });
  });
  const platform = { os: o.os ?? 'linux', architecture: o.architecture ?? 'amd64', ...(o.variant ? { variant: o.variant } : {}) };
  const config = {
    created,
    architecture: platform.architecture,
    os: platform.os,
    ...(o.variant ? { variant: o.variant } : {}),
    config: {
      ...(o.user ? { User: o.user } : {}),
      ...(o.exposedPorts ? { ExposedPorts: Object.fromEntries(o.exposedPorts.map((p) => [p, {}])) } : {}),
      Env: o.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(o.entrypoint ? { Entrypoint: o.entrypoint } : {}),
      Cmd: o.cmd ?? ['/bin/sh'],
      ...(o.workingDir ? { WorkingDir: o.workingDir } : {}),
      Labels: o.labels ?? {},
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history,
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json', digest: sha256(configBytes), size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return { layers, config, configBytes, configDigest: sha256(configBytes), manifest, manifestBytes, manifestDigest: sha256(manifestBytes), platform };
}

export function indexOf(images: BuiltImage[], flavor: 'oci' | 'docker' = 'oci'): { bytes: Buffer; digest: string } {
  const idx = {
    schemaVersion: 2,
    mediaType: flavor === 'docker' ? 'application/vnd.docker.distribution.manifest.list.v2+json' : 'application/vnd.oci.image.index.v1+json',
    manifests: images.map((im) => ({ mediaType: im.manifest.mediaType, digest: im.manifestDigest, size: im.manifestBytes.length, platform: im.platform })),
  };
  const bytes = Buffer.from(JSON.stringify(idx));
  return { bytes, digest: sha256(bytes) };
}

function blobFiles(images: BuiltImage[], extra: Buffer[] = []): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  for (const im of images) {
    blobs.set(im.manifestDigest, im.manifestBytes);
    blobs.set(im.configDigest, im.configBytes);
    for (const l of im.layers) blobs.set(l.digest, l.blob);
  }
  for (const b of extra) blobs.set(sha256(b), b);
  return blobs;
}

/** One entry of index.json: a single image, or a multi-platform index of several. */
export interface LayoutEntry {
  images: BuiltImage[];
  refName?: string;
}

function layoutFiles(entries: LayoutEntry[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const manifests: Record<string, unknown>[] = [];
  const extra: Buffer[] = [];
  for (const e of entries) {
    const annotations = e.refName ? { 'org.opencontainers.image.ref.name': e.refName } : undefined;
    if (e.images.length === 1) {
      const im = e.images[0];
      manifests.push({ mediaType: im.manifest.mediaType, digest: im.manifestDigest, size: im.manifestBytes.length, ...(annotations ? { annotations } : {}) });
    } else {
      const idx = indexOf(e.images);
      extra.push(idx.bytes);
      manifests.push({ mediaType: 'application/vnd.oci.image.index.v1+json', digest: idx.digest, size: idx.bytes.length, ...(annotations ? { annotations } : {}) });
    }
  }
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  files.set('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })));
  for (const [d, b] of blobFiles(entries.flatMap((e) => e.images), extra)) files.set(`blobs/sha256/${d.slice(7)}`, b);
  return files;
}

export function writeOciLayout(dir: string, entries: LayoutEntry[]): void {
  for (const [rel, data] of layoutFiles(entries)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), data);
  }
}

export async function writeOciArchive(path: string, entries: LayoutEntry[]): Promise<void> {
  writeFileSync(path, await tarOf(Object.fromEntries(layoutFiles(entries))));
}

/** docker save's classic format: manifest.json, <config>.json and <id>/layer.tar (uncompressed). */
export async function writeDockerArchive(path: string, images: { image: BuiltImage; tags: string[] }[]): Promise<void> {
  const files: LayerSpec = {};
  const manifest = images.map(({ image, tags }) => {
    const cfg = `${image.configDigest.slice(7)}.json`;
    files[cfg] = image.configBytes;
    const layers = image.layers.map((l) => {
      const name = `${l.diffId.slice(7)}/layer.tar`;
      files[name] = l.tar;
      return name;
    });
    return { Config: cfg, RepoTags: tags, Layers: layers };
  });
  files['manifest.json'] = JSON.stringify(manifest);
  writeFileSync(path, await tarOf(files));
}

/** The image with layer `i`'s blob replaced by `blob` (digests fixed up; diff_id as given, or left). */
export function withLayerBlob(im: BuiltImage, i: number, blob: Buffer, o: { diffId?: string; mediaType?: string } = {}): BuiltImage {
  const layers = im.layers.map((l, j) => (j === i ? { ...l, blob, digest: sha256(blob), diffId: o.diffId ?? l.diffId, mediaType: o.mediaType ?? l.mediaType } : l));
  const config = { ...im.config, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = { ...im.manifest, config: { ...(im.manifest.config as object), digest: sha256(configBytes), size: configBytes.length }, layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })) };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return { ...im, layers, config, configBytes, configDigest: sha256(configBytes), manifest, manifestBytes, manifestDigest: sha256(manifestBytes) };
}
