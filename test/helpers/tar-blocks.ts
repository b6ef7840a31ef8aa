/**
 * Tar blocks written by hand, for headers no real tar writes: a pax `size` of `abc`, `-5` or
 * `1.5`, members that lie about themselves. Real archives come from `gnu-tar.ts`.
 */

/** A ustar header block with a correct checksum. */
export function header(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write('ustar\u000000', 257, 'latin1');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

/** One pax extended-header record, its length prefix counting itself (in UTF-8 bytes, as pax does). */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = (s: string) => Buffer.byteLength(s);
  let len = bytes(body) + 1;
  while (bytes(`${len}${body}`) !== len) len = bytes(`${len}${body}`);
  return `${len}${body}`;
}

/** `b` padded with zeros to a whole number of 512-byte blocks. */
export const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
