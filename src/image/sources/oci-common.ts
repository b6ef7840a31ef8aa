import type { Readable } from 'node:stream';
import { ScoutError } from '../../util/errors.js';
import { defaultLimits } from '../limits.js';
import { isDigest } from '../manifest.js';
import { resolveImage, type BlobStore } from '../resolve.js';
import type { Descriptor, Image, OpenOptions, SourceKind } from '../types.js';

/** Reads files of an OCI image layout, wherever the layout lives (folder or tar). */
export interface LayoutReader {
  describe: string;
  read(relPath: string, maxSize: number): Promise<Buffer>;
  stream(relPath: string): Promise<Readable>;
  exists(relPath: string): Promise<boolean>;
}

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

function blobPath(digest: string): string {
  if (!isDigest(digest)) throw new ScoutError('bad-digest', `invalid digest ${digest}`);
  const [algo, hex] = digest.split(':');
  return `blobs/${algo}/${hex}`;
}

export function layoutStore(r: LayoutReader, entries: Descriptor[] = []): BlobStore {
  const max = defaultLimits().maxManifestBytes;
  return {
    describe: r.describe,
    manifest: (digest) => r.read(blobPath(digest), max),
    blob: (digest) => r.read(blobPath(digest), max),
    openBlob: (digest) => r.stream(blobPath(digest)),
    referrers: (digest) => layoutReferrers(r, entries, digest),
  };
}

/** Referrer manifests are small; anything bigger listed in index.json is an image, not read here. */
const MAX_REFERRER_MANIFEST = 256 * 1024;
const MAX_LAYOUT_ENTRIES = 2000;

/** An index.json entry that is a referrer (or a tag-schema referrers index), not an image to pick. */
function isReferrerEntry(d: Descriptor): boolean {
  const name = d.annotations?.[REF_NAME] ?? '';
  return typeof d.artifactType === 'string' || /(^|:)sha(256|512)-[a-f0-9]{64,128}$/.test(name);
}

/**
 * A layout has no referrers API: the manifests listed in index.json whose subject is `digest`
 * are its referrers, plus those of an index tagged `sha256-<hex>` (the tag schema).
 */
async function layoutReferrers(r: LayoutReader, entries: Descriptor[], digest: string): Promise<Descriptor[]> {
  const tag = digest.replace(':', '-');
  const found = new Map<string, Descriptor>();
  for (const d of entries.slice(0, MAX_LAYOUT_ENTRIES)) {
    if (!isDigest(d.digest) || d.size > MAX_REFERRER_MANIFEST) continue;
    const name = d.annotations?.[REF_NAME] ?? '';
    let doc: { manifests?: unknown; subject?: { digest?: unknown }; artifactType?: unknown; config?: { mediaType?: unknown } };
    try {
      doc = JSON.parse((await r.read(blobPath(d.digest), MAX_REFERRER_MANIFEST)).toString('utf8'));
    } catch {
      continue;
    }
    if (name === tag || name.endsWith(':' + tag)) {
      for (const m of Array.isArray(doc.manifests) ? (doc.manifests as Descriptor[]) : []) if (m && typeof m.digest === 'string' && isDigest(m.digest)) found.set(m.digest, m);
    } else if (doc.subject?.digest === digest) {
      const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : typeof doc.config?.mediaType === 'string' ? doc.config.mediaType : undefined;
      found.set(d.digest, { ...d, ...(artifactType ? { artifactType } : {}) });
    }
  }
  return [...found.values()];
}

/** Does a descriptor carry the name the user asked for ("3.19", "alpine:3.19", a full ref)? */
function nameMatches(d: Descriptor, pick: string): boolean {
  const names = [d.annotations?.[REF_NAME], d.annotations?.[CONTAINERD_NAME]].filter((x): x is string => !!x);
  return names.some((n) => n === pick || n.endsWith('/' + pick) || n.endsWith(':' + pick) || (n.includes(':') && n.split(':').pop() === pick));
}

function describeChoices(ms: Descriptor[]): string {
  return ms.map((m) => m.annotations?.[REF_NAME] ?? m.annotations?.[CONTAINERD_NAME] ?? m.digest).join(', ');
}

/**
 * Open an image from an OCI layout: index.json names the images (by ref-name annotation);
 * --ref picks one by name or digest; an index.json whose entries are platform variants of one
 * image is treated as that image's index.
 */
export async function openLayout(r: LayoutReader, source: SourceKind, reference: string, opts: OpenOptions): Promise<Image> {
  if (!(await r.exists('index.json'))) throw new ScoutError('not-oci-layout', `${r.describe}: no index.json; not an OCI image layout`);
  const indexBytes = await r.read('index.json', defaultLimits().maxManifestBytes);
  let index: { manifests?: Descriptor[] };
  try {
    index = JSON.parse(indexBytes.toString('utf8'));
  } catch (err) {
    throw new ScoutError('malformed-json', `${r.describe}: index.json is not valid JSON: ${(err as Error).message}`);
  }
  const all = Array.isArray(index.manifests) ? index.manifests : [];
  // Referrers (signatures, attestations) sit in index.json too; they are not images to pick.
  const ms = all.filter((m) => !isReferrerEntry(m));
  if (ms.length === 0) throw new ScoutError('empty-layout', `${r.describe}: index.json lists no images`);
  const store = layoutStore(r, all);
  let chosen: Descriptor | undefined;
  if (opts.pick) {
    chosen = isDigest(opts.pick) ? ms.find((m) => m.digest === opts.pick) : ms.find((m) => nameMatches(m, opts.pick!));
    if (!chosen) throw new ScoutError('image-not-found', `${r.describe}: no image named "${opts.pick}"; it holds: ${describeChoices(ms)}`);
  } else if (ms.length === 1) chosen = ms[0];
  else if (ms.every((m) => m.platform)) {
    // index.json itself is the multi-platform index.
    return resolveImage({ source, reference, root: indexBytes, rootMediaType: 'application/vnd.oci.image.index.v1+json', store, opts });
  } else {
    const names = new Set(ms.map((m) => m.annotations?.[REF_NAME] ?? m.annotations?.[CONTAINERD_NAME] ?? m.digest));
    if (names.size === 1) chosen = ms[0];
    else throw new ScoutError('ambiguous-image', `${r.describe} holds ${ms.length} images (${describeChoices(ms)}); pick one with --ref`);
  }
  const root = await store.manifest(chosen.digest, chosen.mediaType);
  const name = chosen.annotations?.[CONTAINERD_NAME] ?? chosen.annotations?.[REF_NAME];
  return resolveImage({ source, reference: name ? `${reference}@${name}` : reference, root, rootDigest: chosen.digest, rootMediaType: chosen.mediaType, store, opts });
}
