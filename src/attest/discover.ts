/**
 * Finding an image's attestations wherever its source keeps them: BuildKit attestation
 * manifests in the image's index (annotated `vnd.docker.reference.type: attestation-manifest`
 * and tied to the image by `vnd.docker.reference.digest`), and OCI referrers of the image's
 * manifest or index (the registry's referrers API or its `sha256-<hex>` tag, or a layout's
 * index.json). Everything read is hostile: sizes are capped, digests verified, and whatever
 * cannot be read becomes a warning, never a failed command.
 */
import { verifyDigest, isDigest } from '../image/manifest.js';
import type { BlobStore } from '../image/resolve.js';
import type { Descriptor, Image } from '../image/types.js';
import { Warnings } from '../util/errors.js';
import { unwrap } from './envelope.js';
import { checkSignature, loadKeys } from './signature.js';
import { DSSE_MEDIA_TYPE, IN_TOTO_MEDIA_TYPE, SIGSTORE_BUNDLE_PREFIX, type Attestation, type AttestationOrigin, type AttestationResult, type TrustOptions } from './types.js';

/** An SBOM statement of a big image is a few MB; nothing honest comes near this. */
const MAX_STATEMENT_BYTES = 64 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_LAYERS = 64;
const MAX_MANIFESTS = 64;

const ATTESTATION_MANIFEST = 'attestation-manifest';
const REF_TYPE = 'vnd.docker.reference.type';
const REF_DIGEST = 'vnd.docker.reference.digest';
const PREDICATE_ANNOTATION = 'in-toto.io/predicate-type';

/** Layers that hold a statement (plain, in DSSE, or in a Sigstore bundle); others are skipped. */
function holdsStatement(mediaType: string): boolean {
  return mediaType === IN_TOTO_MEDIA_TYPE || mediaType === DSSE_MEDIA_TYPE || mediaType.startsWith(SIGSTORE_BUNDLE_PREFIX) || mediaType === 'application/json';
}

async function readBlob(store: BlobStore, d: Descriptor, cap: number): Promise<Buffer> {
  if (d.size > cap) throw new Error(`${d.digest} is ${d.size} bytes, over the ${cap}-byte cap`);
  const chunks: Buffer[] = [];
  let n = 0;
  const stream = await store.openBlob(d.digest, d.size);
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > cap || n > d.size) {
      stream.destroy();
      throw new Error(`${d.digest} runs past the ${d.size} bytes its descriptor gives`);
    }
    chunks.push(c as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  verifyDigest(bytes, d.digest, `blob ${d.digest}`);
  return bytes;
}

interface Candidate {
  digest: string;
  origin: AttestationOrigin;
}

/** Which manifests may carry this image's attestations. */
async function candidates(image: Image, store: BlobStore, warnings: Warnings): Promise<Candidate[]> {
  const out = new Map<string, Candidate>();
  for (const m of image.index?.manifests ?? []) {
    if (m.annotations?.[REF_TYPE] === ATTESTATION_MANIFEST && m.annotations?.[REF_DIGEST] === image.manifestDigest) out.set(m.digest, { digest: m.digest, origin: 'attestation-manifest' });
  }
  if (store.referrers) {
    for (const subject of [image.manifestDigest, image.indexDigest].filter((d): d is string => !!d)) {
      try {
        for (const r of await store.referrers(subject)) {
          if (isDigest(r.digest) && !out.has(r.digest)) out.set(r.digest, { digest: r.digest, origin: 'referrer' });
        }
      } catch (err) {
        warnings.fromError(err, 'referrers-failed');
      }
    }
  }
  return [...out.values()].slice(0, MAX_MANIFESTS);
}

/** Every attestation about this image, with its signature checked against what `trust` gives. */
export async function findAttestations(image: Image, trust: TrustOptions = {}): Promise<AttestationResult> {
  const warnings = new Warnings();
  const store = image.blobs;
  if (!store) return { attestations: [], warnings: [] };
  const { keys, errors } = loadKeys(trust);
  for (const e of errors) warnings.add('bad-key', e);
  const subjects = new Set([image.manifestDigest, image.indexDigest].filter((d): d is string => !!d).map((d) => d.replace(/^sha256:/, '')));
  const attestations: Attestation[] = [];
  for (const c of await candidates(image, store, warnings)) {
    const where = `${c.origin} ${c.digest}`;
    let manifest: { layers?: Descriptor[]; subject?: { digest?: string } };
    try {
      const bytes = await store.manifest(c.digest);
      if (bytes.length > MAX_MANIFEST_BYTES) throw new Error(`${bytes.length} bytes, over ${MAX_MANIFEST_BYTES}`);
      verifyDigest(bytes, c.digest, where);
      manifest = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      warnings.add('attestation-unreadable', `${store.describe}: ${where} cannot be read: ${(err as Error).message}`);
      continue;
    }
    const layers = Array.isArray(manifest.layers) ? manifest.layers.slice(0, MAX_LAYERS) : [];
    for (const l of layers) {
      if (!l || typeof l.digest !== 'string' || !isDigest(l.digest) || typeof l.size !== 'number' || !holdsStatement(String(l.mediaType ?? ''))) continue;
      let bytes: Buffer;
      try {
        bytes = await readBlob(store, l, MAX_STATEMENT_BYTES);
      } catch (err) {
        warnings.add('attestation-unreadable', `${store.describe}: layer ${l.digest} of ${where} cannot be read: ${(err as Error).message}`);
        continue;
      }
      const u = unwrap(bytes);
      if (!u.ok) {
        warnings.add('attestation-invalid', `${store.describe}: layer ${l.digest} of ${where} is not a readable in-toto statement: ${u.error}`);
        continue;
      }
      // A statement about another artifact does not speak for this image, whoever attached it.
      const about = u.statement.subject.some((s) => subjects.has((s.digest.sha256 ?? '').toLowerCase()));
      if (!about) {
        warnings.add('attestation-other-subject', `${store.describe}: the ${u.statement.predicateType} statement in ${where} is about ${u.statement.subject.map((s) => s.name ?? Object.values(s.digest)[0]).join(', ') || 'nothing'}, not this image; ignored`);
        continue;
      }
      const signature = await checkSignature(u.wrapping, keys, trust);
      attestations.push({
        origin: c.origin,
        manifestDigest: c.digest,
        layerDigest: l.digest,
        mediaType: String(l.mediaType),
        predicateType: u.statement.predicateType || l.annotations?.[PREDICATE_ANNOTATION] || '',
        subject: u.statement.subject,
        statement: u.statement,
        signature,
      });
    }
  }
  return { attestations, warnings: warnings.items };
}
