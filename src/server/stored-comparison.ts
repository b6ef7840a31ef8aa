/**
 * Two images stored for one organisation compared as they are stored (GET
 * /v1/images/{digest}/compare, read by the dashboard and by `scout compare --server`): the same
 * compareImages() and storedSide() as a local comparison, on what the store holds. Nothing is
 * scanned or matched.
 */
import { compareImages, storedSide, type Comparison } from '../platform/compare.js';
import type { OrgStore, Page, StoredFinding, StoredPackage } from '../store/platform-store.js';
import { appendAll } from '../util/arrays.js';

/** Every item of a paged store read (the store pages at most 500 at a time). */
async function readAll<T>(read: (cursor?: string) => Promise<Page<T> | undefined>): Promise<T[] | undefined> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    if (!page) return undefined;
    appendAll(out, page.items);
    cursor = page.next;
  } while (cursor);
  return out;
}

/** How the comparison names a stored image: its first current tag, else repository@digest, else the digest. */
export function storedReference(i: { repository?: string; tags: string[]; digest: string }): string {
  if (!i.repository) return i.digest;
  return i.tags.length ? `${i.repository}:${i.tags[0]}` : `${i.repository}@${i.digest}`;
}

async function readSide(org: OrgStore, digest: string) {
  const detail = await org.getImage(digest);
  if (!detail) return undefined;
  const [packages, findings] = await Promise.all([
    readAll<StoredPackage>((cursor) => org.imagePackages(digest, { limit: 500, ...(cursor ? { cursor } : {}) })),
    readAll<StoredFinding>((cursor) => org.imageFindings(digest, { limit: 500, ...(cursor ? { cursor } : {}) })),
  ]);
  // Deleted between the reads: as if it had not been there.
  if (!packages || !findings) return undefined;
  return storedSide(storedReference(detail), { detail, packages, findings });
}

/**
 * `image` compared with `to` (added: in `image`, not in `to`), or the digest of the two that the
 * organisation does not hold (another organisation's image is as absent as a made-up one).
 */
export async function compareStoredImages(org: OrgStore, image: string, to: string): Promise<{ comparison: Comparison } | { missing: string }> {
  const [a, b] = await Promise.all([readSide(org, image), readSide(org, to)]);
  if (!a) return { missing: image };
  if (!b) return { missing: to };
  return { comparison: compareImages(a, b) };
}
