/**
 * Chain IDs (OCI image spec, "Layer ChainID"): chain[0] = diff_id[0], chain[i] =
 * sha256(chain[i-1] + " " + diff_id[i]). A chain ID names a whole stack of layers, so two images
 * share their first k layers exactly when their k-th chain IDs are equal: that is how a base
 * image is recognised.
 */
import { createHash } from 'node:crypto';

export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : 'sha256:' + createHash('sha256').update(`${prev} ${d}`).digest('hex'));
  }
  return out;
}
