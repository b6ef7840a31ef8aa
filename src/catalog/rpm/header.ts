import { ScoutError } from '../../util/errors.js';

/**
 * The rpm header blob as every rpmdb backend stores it: a big-endian index count (il) and data
 * length (dl), il 16-byte index entries (tag, type, offset, count), then dl bytes of data.
 * Every offset and count is checked against the blob, so a hostile header cannot make us read
 * outside it or allocate without bound.
 */

export const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  DESCRIPTION: 1005,
  BUILDTIME: 1006,
  INSTALLTIME: 1008,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  GROUP: 1016,
  URL: 1020,
  ARCH: 1022,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIRENAME: 1049,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  SIGMD5: 261,
  LONGSIZE: 5009,
  MODULARITYLABEL: 5096,
} as const;

const TYPE = { NULL: 0, CHAR: 1, INT8: 2, INT16: 3, INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

/** rpm's own sanity limits (hdrchkTags / hdrchkData in header.c). */
const MAX_TAGS = 0xffff;
const MAX_DATA = 0x0fffffff;
/** No single array in a package header is anywhere near this long. */
const MAX_COUNT = 1_000_000;

interface Entry {
  type: number;
  offset: number;
  count: number;
}

export class RpmHeader {
  private readonly entries = new Map<number, Entry>();
  private readonly data: Buffer;

  constructor(blob: Buffer) {
    if (blob.length < 8) throw new ScoutError('rpm-header', `rpm header blob is ${blob.length} bytes, too short`);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il === 0 || il > MAX_TAGS) throw new ScoutError('rpm-header', `rpm header claims ${il} index entries`);
    if (dl > MAX_DATA) throw new ScoutError('rpm-header', `rpm header claims ${dl} data bytes`);
    const dataStart = 8 + il * 16;
    if (dataStart + dl > blob.length) {
      throw new ScoutError('rpm-header', `rpm header needs ${dataStart + dl} bytes, blob has ${blob.length}`);
    }
    this.data = blob.subarray(dataStart, dataStart + dl);
    for (let i = 0; i < il; i++) {
      const o = 8 + i * 16;
      const tag = blob.readUInt32BE(o);
      const type = blob.readUInt32BE(o + 4);
      const offset = blob.readInt32BE(o + 8);
      const count = blob.readUInt32BE(o + 12);
      if (type > TYPE.I18NSTRING || offset < 0 || offset > dl || count > MAX_COUNT) continue;
      // The first occurrence wins: region entries come before any appended (dribble) copy.
      if (!this.entries.has(tag)) this.entries.set(tag, { type, offset, count });
    }
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** A STRING, or the first string of a STRING_ARRAY / I18NSTRING. */
  string(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (!e || (e.type !== TYPE.STRING && e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING)) return undefined;
    return this.readStrings(e, 1)[0];
  }

  strings(tag: number): string[] {
    const e = this.entries.get(tag);
    if (!e) return [];
    if (e.type === TYPE.STRING) return this.readStrings(e, 1);
    if (e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING) return [];
    return this.readStrings(e, e.count);
  }

  /** First value of an integer tag (INT8/16/32/64). */
  int(tag: number): number | undefined {
    return this.ints(tag)[0];
  }

  ints(tag: number): number[] {
    const e = this.entries.get(tag);
    if (!e) return [];
    const width = e.type === TYPE.INT8 || e.type === TYPE.CHAR ? 1 : e.type === TYPE.INT16 ? 2 : e.type === TYPE.INT32 ? 4 : e.type === TYPE.INT64 ? 8 : 0;
    if (!width || e.offset + width * e.count > this.data.length) return [];
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) {
      const o = e.offset + i * width;
      if (width === 1) out.push(this.data.readUInt8(o));
      else if (width === 2) out.push(this.data.readUInt16BE(o));
      else if (width === 4) out.push(this.data.readUInt32BE(o));
      else out.push(Number(this.data.readBigUInt64BE(o)));
    }
    return out;
  }

  bin(tag: number): Buffer | undefined {
    const e = this.entries.get(tag);
    if (!e || e.type !== TYPE.BIN || e.offset + e.count > this.data.length) return undefined;
    return this.data.subarray(e.offset, e.offset + e.count);
  }

  private readStrings(e: Entry, count: number): string[] {
    const out: string[] = [];
    let o = e.offset;
    for (let i = 0; i < count; i++) {
      const end = this.data.indexOf(0, o);
      if (end < 0) break;
      out.push(this.data.toString('utf8', o, end));
      o = end + 1;
    }
    return out;
  }
}
