/**
 * The fields of a tar header block, read in place: what TarFile needs to list an archive's
 * members, apart from the layer parser (tar-parser.ts), so opening a `docker save` archive
 * whose layers are cached loads neither the parser nor what it feeds.
 */

const BLOCK = 512;

/** A numeric header field: octal, or GNU base-256 when the high bit is set. */
export function num(buf: Buffer, off: number, len: number): number {
  if (buf[off] & 0x80) {
    // GNU base-256 for values that do not fit in octal.
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + buf[i];
    return n;
  }
  let n = 0;
  for (let i = off; i < off + len; i++) {
    const c = buf[i];
    if (c === 0 || c === 0x20) {
      if (n > 0) break;
      continue;
    }
    if (c < 0x30 || c > 0x37) return NaN;
    n = n * 8 + (c - 0x30);
  }
  return n;
}

/** A NUL-terminated header string. */
export function str(buf: Buffer, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  return buf.toString('utf8', off, end);
}

// A view of the buffer the last header came from: consecutive headers share their chunk.
let viewOf: ArrayBufferLike | undefined;
let view: DataView | undefined;

/**
 * The header checksum: every byte summed, with the checksum field itself counted as spaces.
 * Every entry of every layer passes here, so the bytes are read four at a time (unaligned
 * little-endian words) and summed in two 16-bit lanes of even and odd bytes; 126 words of at
 * most 255 per byte cannot carry out of a lane. Twice as fast as a byte loop.
 */
export function checksumOk(h: Buffer, off = 0): boolean {
  if (viewOf !== h.buffer) {
    viewOf = h.buffer;
    view = new DataView(h.buffer);
  }
  const dv = view!;
  const base = h.byteOffset + off;
  let even = 0;
  let odd = 0;
  for (let i = base; i < base + 148; i += 4) {
    const w = dv.getUint32(i, true);
    even += w & 0x00ff00ff;
    odd += (w >>> 8) & 0x00ff00ff;
  }
  for (let i = base + 156; i < base + BLOCK; i += 4) {
    const w = dv.getUint32(i, true);
    even += w & 0x00ff00ff;
    odd += (w >>> 8) & 0x00ff00ff;
  }
  const sum = 8 * 0x20 + (even & 0xffff) + (even >>> 16) + (odd & 0xffff) + (odd >>> 16);
  return sum === num(h, off + 148, 8);
}

/** pax extended header records: "<len> key=value\n". */
export function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp === -1) break;
    const len = parseInt(data.toString('latin1', i, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || i + len > data.length) break;
    const rec = data.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}
