/**
 * A blob's compression from its first bytes. Apart from decompress.ts so that opening an
 * archive (which checks whether it is gzipped) does not load the layer decompressors.
 */
export type Compression = 'gzip' | 'zstd' | 'none';

export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}
