/**
 * Just enough DER (ASN.1's distinguished encoding) to write X.509 certificates in tests:
 * node:crypto reads certificates but cannot make them. Every value is encoded minimally, as
 * DER requires, so a verifier that re-encodes what it parsed gets the same bytes back.
 */

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A tag, its length and its contents. */
export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

export const seq = (...items: Buffer[]) => tlv(0x30, ...items);
export const set = (...items: Buffer[]) => tlv(0x31, ...items);
export const octets = (b: Buffer) => tlv(0x04, b);
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
/** A context-specific tag [n]: constructed (explicit, around DER) or primitive (implicit, raw bytes). */
export const ctx = (n: number, constructed: boolean, ...contents: Buffer[]) => tlv((constructed ? 0xa0 : 0x80) | n, ...contents);

/** A non-negative INTEGER, with a leading zero when its top bit is set (it would read negative). */
export function int(v: bigint | number): Buffer {
  let hex = BigInt(v).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const groups: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      groups.unshift(v % 128);
      if (v < 128) break;
    }
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(out));
}

/** A BIT STRING of whole bytes (no unused bits). */
export const bits = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);

/**
 * A named-bit BIT STRING (KeyUsage): bit 0 is the first byte's top bit. DER drops trailing
 * zero bits and counts the unused ones.
 */
export function namedBits(set: number[]): Buffer {
  const last = Math.max(...set);
  const bytes = Buffer.alloc((last >> 3) + 1);
  for (const b of set) bytes[b >> 3] |= 0x80 >> (b & 7);
  return tlv(0x03, Buffer.from([7 - (last & 7)]), bytes);
}

/** UTCTime (years 1950–2049) or GeneralizedTime, to the second. */
export function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const year = d.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}
