/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids made this way sort by
 * creation time as text, so they serve as keyset-paging cursors (`?after=`) and as ordered
 * primary keys, and a receiver can deduplicate on them.
 */
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;

export function uuidv7(now: number = Date.now()): string {
  // Within one millisecond, a 12-bit counter in rand_a keeps ids of this process in order.
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    seq = randomBytes(2).readUInt16BE(0) & 0x3ff;
  }
  const b = randomBytes(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8] & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
