import type { Image } from '../../src/image/types.js';

/** Every layer of `img` read to the end through `open()` (digests verified): the uncompressed tars. */
export async function readLayerTars(img: Image): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const l of img.layers) {
    const chunks: Buffer[] = [];
    for await (const c of await l.open()) chunks.push(c as Buffer);
    out.push(Buffer.concat(chunks));
  }
  return out;
}
