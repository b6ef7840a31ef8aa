import { createHash } from 'node:crypto';
import { ScoutError } from '../util/errors.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from './types.js';

export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;

const INDEX_TYPES = new Set<string>([MediaTypes.ociIndex, MediaTypes.dockerList]);
const MANIFEST_TYPES = new Set<string>([MediaTypes.ociManifest, MediaTypes.dockerManifest]);
const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

/** Verify bytes against a digest; a mismatch is an error naming what was fetched. */
export function verifyDigest(data: Buffer, digest: string, what: string): void {
  const [algo, hex] = digest.split(':');
  if (!isDigest(digest)) throw new ScoutError('bad-digest', `${what}: "${digest}" is not a valid digest`);
  const got = createHash(algo).update(data).digest('hex');
  if (got !== hex) throw new ScoutError('digest-mismatch', `${what}: digest mismatch: expected ${digest}, got ${algo}:${got}`);
}

function parseJson(data: Buffer, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new ScoutError('malformed-json', `${what} is not valid JSON: ${(err as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ScoutError('malformed-json', `${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

function checkDescriptor(d: unknown, what: string): Descriptor {
  const o = d as Descriptor;
  if (!o || typeof o !== 'object' || typeof o.digest !== 'string' || !isDigest(o.digest)) {
    throw new ScoutError('malformed-manifest', `${what}: descriptor without a valid digest`);
  }
  if (typeof o.size !== 'number' || o.size < 0 || !Number.isSafeInteger(o.size)) {
    throw new ScoutError('malformed-manifest', `${what}: descriptor ${o.digest} has no valid size`);
  }
  if (typeof o.mediaType !== 'string') o.mediaType = '';
  return o;
}

export type ParsedManifest = { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest };

/** Parse an image manifest or index, whichever it is, validating what we rely on. */
export function parseManifestOrIndex(data: Buffer, what: string, mediaTypeHint?: string): ParsedManifest {
  const o = parseJson(data, what);
  if (o.schemaVersion === 1) throw new ScoutError('unsupported-manifest', `${what}: Docker schema 1 manifests are not supported (deprecated); push the image again with a current client`);
  if (o.schemaVersion !== 2) throw new ScoutError('malformed-manifest', `${what}: schemaVersion is ${JSON.stringify(o.schemaVersion)}, expected 2`);
  const mt = (typeof o.mediaType === 'string' && o.mediaType) || mediaTypeHint || '';
  const looksIndex = INDEX_TYPES.has(mt) || (!MANIFEST_TYPES.has(mt) && Array.isArray(o.manifests));
  if (looksIndex) {
    if (!Array.isArray(o.manifests)) throw new ScoutError('malformed-manifest', `${what}: index has no manifests array`);
    const manifests = o.manifests.map((m, i) => checkDescriptor(m, `${what} manifests[${i}]`));
    return { kind: 'index', index: { ...(o as object), schemaVersion: 2, manifests } as ImageIndex };
  }
  if (!o.config) throw new ScoutError('malformed-manifest', `${what}: manifest has no config`);
  if (!Array.isArray(o.layers)) throw new ScoutError('malformed-manifest', `${what}: manifest has no layers array`);
  const config = checkDescriptor(o.config, `${what} config`);
  const layers = o.layers.map((l, i) => checkDescriptor(l, `${what} layers[${i}]`));
  return { kind: 'manifest', manifest: { ...(o as object), schemaVersion: 2, config, layers } as ImageManifest };
}

/** Parse an image config, validating the fields every later step relies on. */
export function parseConfig(data: Buffer, what: string): ImageConfig {
  const o = parseJson(data, what) as unknown as ImageConfig;
  if (!o.rootfs || !Array.isArray(o.rootfs.diff_ids)) throw new ScoutError('malformed-config', `${what}: config has no rootfs.diff_ids`);
  for (const d of o.rootfs.diff_ids) {
    if (typeof d !== 'string' || !isDigest(d)) throw new ScoutError('malformed-config', `${what}: rootfs.diff_ids holds an invalid digest ${JSON.stringify(d)}`);
  }
  if (typeof o.architecture !== 'string') o.architecture = '';
  if (typeof o.os !== 'string') o.os = '';
  if (o.config && typeof o.config !== 'object') throw new ScoutError('malformed-config', `${what}: "config" is not an object`);
  if (o.history !== undefined && !Array.isArray(o.history)) throw new ScoutError('malformed-config', `${what}: "history" is not an array`);
  return o;
}

export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  const p: Platform = { os: 'linux', architecture: arch[process.arch] ?? process.arch };
  if (p.architecture === 'arm') p.variant = 'v7';
  return p;
}

/** "linux/arm64/v8" → Platform. */
export function parsePlatform(s: string): Platform {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw new ScoutError('bad-platform', `platform "${s}" must be os/arch[/variant], e.g. linux/amd64`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Variants that mean the same thing when one side leaves them out. */
function sameVariant(a: Platform, b: Platform): boolean {
  if (!a.variant || !b.variant) return true;
  return a.variant === b.variant;
}

/** Pick the manifest for a platform from an index; attestation manifests are never picked. */
export function pickFromIndex(index: ImageIndex, want: Platform, what: string): Descriptor {
  const images = index.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && m.platform?.os !== 'unknown');
  const exact = images.filter((m) => m.platform && m.platform.os === want.os && m.platform.architecture === want.architecture && sameVariant(m.platform, want));
  if (exact.length) {
    return exact.find((m) => m.platform?.variant === want.variant) ?? exact[0];
  }
  if (images.length === 1 && !images[0].platform) return images[0];
  const available = images.map((m) => (m.platform ? formatPlatform(m.platform) : m.digest)).join(', ');
  throw new ScoutError('platform-not-found', `${what}: no image for platform ${formatPlatform(want)}; available: ${available || 'none'} (use --platform)`);
}
