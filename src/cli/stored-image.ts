/**
 * One image stored on the server, read whole: its detail (metadata, base image), layers,
 * packages and findings (`scout image get --server`). `scout compare --server` names a stored
 * image the same way (a digest, REPOSITORY:TAG or REPOSITORY@DIGEST) and resolves it here.
 */
import type { ImageDetail, ImageSummary, StoredFinding, StoredLayer, StoredPackage } from '../store/platform-store.js';
import { ScoutError } from '../util/errors.js';
import { callApi, fetchAll, type ServerLogin } from './server-client.js';

export interface StoredImage {
  detail: ImageDetail;
  layers: StoredLayer[];
  packages: StoredPackage[];
  findings: StoredFinding[];
}

/** The digest of a stored image named by a digest, REPOSITORY:TAG (default tag latest) or REPOSITORY@DIGEST. */
export async function resolveStoredImage(l: ServerLogin, image: string): Promise<string> {
  if (/^sha256:[a-f0-9]{64}$/.test(image)) return image;
  const at = image.lastIndexOf('@');
  if (at > 0) return image.slice(at + 1);
  const m = /^(.*[^:/]):([\w][\w.-]{0,127})$/.exec(image);
  const repository = m ? m[1] : image;
  const tag = m ? m[2] : 'latest';
  const images = await fetchAll<ImageSummary>(l, '/v1/images', { repository });
  const found = images.find((i) => i.tags.includes(tag));
  if (!found) throw new ScoutError('not-found', `no stored image ${repository}:${tag} (scout image list --repo ${repository})`);
  return found.digest;
}

export async function readStoredImage(l: ServerLogin, image: string): Promise<StoredImage> {
  const digest = await resolveStoredImage(l, image);
  // Every list is paged by the server: each is read to its last page.
  const [{ body: detail }, layers, packages, findings] = await Promise.all([
    callApi<ImageDetail>(l, { method: 'GET', path: `/v1/images/${digest}` }),
    fetchAll<StoredLayer>(l, `/v1/images/${digest}/layers`),
    fetchAll<StoredPackage>(l, `/v1/images/${digest}/packages`),
    fetchAll<StoredFinding>(l, `/v1/images/${digest}/findings`),
  ]);
  return { detail, layers, packages, findings };
}
