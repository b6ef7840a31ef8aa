/**
 * A small, defensive zip reader over an in-memory Buffer (jars, wars, wheels, nupkgs...).
 *
 * The archive is hostile input: every offset and size is checked against the buffer before it
 * is used, entry counts are capped, and decompression is bounded both by an absolute output
 * size and by a compression ratio, so a zip bomb costs at most `maxSize` bytes of memory.
 * Entry names are only ever reported, never joined to a filesystem path; names that would
 * escape a directory (zip-slip) are flagged and refused by `readZipEntry`.
 */
import { crc32, inflateRawSync } from 'node:zlib';
import { ScoutError } from './errors.js';

export interface ZipEntry {
  /** Name as stored (UTF-8 decoded), never normalised. */
  name: string;
  /** 0 = stored, 8 = deflate; anything else cannot be read. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the local file header, already corrected for data prepended to the archive. */
  localHeaderOffset: number;
  crc32: number;
  /** General-purpose flags; bit 0 = encrypted. */
  flags: number;
  isDirectory: boolean;
  /** The name is absolute, has a drive letter, a `..` segment or a NUL: a zip-slip attempt. */
  unsafeName: boolean;
}

export interface ListZipOptions {
  /** Most entries accepted before the archive is rejected. Default 100 000. */
  maxEntries?: number;
  /** How the archive is named in errors (e.g. its path in the image). */
  archiveName?: string;
}

export interface ReadZipEntryOptions {
  /** Largest uncompressed size accepted (declared or actual). */
  maxSize: number;
  /** Largest uncompressed/compressed ratio for entries above `ratioFloor` bytes. Default 100. */
  maxRatio?: number;
  /** Outputs smaller than this are not ratio-checked (tiny files compress absurdly). Default 1 MiB. */
  ratioFloor?: number;
  archiveName?: string;
}

export const DEFAULT_MAX_ENTRIES = 100_000;
export const DEFAULT_MAX_RATIO = 100;
export const DEFAULT_RATIO_FLOOR = 1024 * 1024;

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const MAX_COMMENT = 0xffff;

/** True when the buffer starts like a zip (local header or empty-archive EOCD). */
export function looksLikeZip(head: Buffer): boolean {
  if (head.length < 4) return false;
  const sig = head.readUInt32LE(0);
  return sig === SIG_LOCAL || sig === SIG_EOCD;
}

/** A name that would land outside the extraction directory if anyone ever extracted it. */
export function isUnsafeZipName(name: string): boolean {
  if (name.includes('\0')) return true;
  if (name.startsWith('/') || name.startsWith('\\')) return true;
  if (/^[A-Za-z]:/.test(name)) return true;
  // Every entry of every archive passes here: split only names that contain '..' at all.
  return name.includes('..') && name.split(/[\\/]/).some((seg) => seg === '..');
}

function fail(code: string, message: string, archiveName: string | undefined): never {
  throw new ScoutError(code, archiveName ? `${archiveName}: ${message}` : message, archiveName ? { path: archiveName } : {});
}

/** Read a u64 that must fit in a JS safe integer (anything bigger cannot be a real offset). */
function readU64(buf: Buffer, at: number, archiveName: string | undefined): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('zip-corrupt', 'ZIP64 value out of range', archiveName);
  return Number(v);
}

function findEocd(buf: Buffer): number {
  const lowest = Math.max(0, buf.length - EOCD_SIZE - MAX_COMMENT);
  for (let i = buf.length - EOCD_SIZE; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === SIG_EOCD) {
      // The comment length must reach exactly to the end: this rejects signatures that merely
      // appear inside compressed data or a comment.
      const commentLen = buf.readUInt16LE(i + 20);
      if (i + EOCD_SIZE + commentLen === buf.length) return i;
    }
  }
  // Some writers pad after the comment; accept the last plausible signature then.
  for (let i = buf.length - EOCD_SIZE; i >= lowest; i--) if (buf.readUInt32LE(i) === SIG_EOCD) return i;
  return -1;
}

interface Directory {
  count: number;
  size: number;
  offset: number;
  /** Where the directory really ends (the EOCD or ZIP64 record that follows it). */
  end: number;
}

function readDirectoryLocation(buf: Buffer, eocd: number, archiveName: string | undefined): Directory {
  let count = buf.readUInt16LE(eocd + 10);
  let size = buf.readUInt32LE(eocd + 12);
  let offset = buf.readUInt32LE(eocd + 16);
  let end = eocd;
  const wantsZip64 = size === 0xffffffff || offset === 0xffffffff;
  const loc = eocd - 20;
  if (loc >= 0 && buf.readUInt32LE(loc) === SIG_EOCD64_LOCATOR) {
    const rec = readU64(buf, loc + 8, archiveName);
    // The locator's offset is relative to the archive start; with prepended data it is off
    // by the same delta as everything else, so also look right before the locator.
    const candidates = [rec, loc - 56];
    const at = candidates.find((c) => c >= 0 && c + 56 <= loc && buf.readUInt32LE(c) === SIG_EOCD64);
    if (at !== undefined) {
      count = readU64(buf, at + 32, archiveName);
      size = readU64(buf, at + 40, archiveName);
      offset = readU64(buf, at + 48, archiveName);
      end = at;
    } else if (wantsZip64) fail('zip-corrupt', 'ZIP64 end of central directory record missing', archiveName);
  } else if (size === 0xffffffff || offset === 0xffffffff) {
    // (A count of exactly 65535 is legal without ZIP64; sizes and offsets of 2^32-1 are not.)
    fail('zip-corrupt', 'ZIP64 archive without a ZIP64 locator', archiveName);
  }
  return { count, size, offset, end };
}

/**
 * List the entries of a zip archive from its central directory.
 * Throws a ScoutError for anything that is not a readable, sane archive.
 */
export function listZip(buf: Buffer, opts: ListZipOptions = {}): ZipEntry[] {
  const archiveName = opts.archiveName;
  const maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
  if (buf.length < EOCD_SIZE) fail('zip-corrupt', 'too small to be a zip archive', archiveName);
  const eocd = findEocd(buf);
  if (eocd < 0) fail('zip-corrupt', 'end of central directory not found (truncated or not a zip)', archiveName);
  const dir = readDirectoryLocation(buf, eocd, archiveName);
  if (dir.count > maxEntries) fail('zip-too-many-entries', `${dir.count} entries exceeds the limit of ${maxEntries}`, archiveName);
  if (dir.size > dir.end) fail('zip-corrupt', 'central directory larger than the archive', archiveName);
  // Executable jars and self-extractors have a script or stub prepended: the directory then
  // sits `delta` bytes after where its recorded offset says, and so does every local header.
  const actualStart = dir.end - dir.size;
  let delta = 0;
  if (dir.offset !== actualStart) {
    const declaredOk = dir.offset + dir.size <= dir.end && dir.count > 0 && buf.readUInt32LE(dir.offset) === SIG_CENTRAL;
    if (!declaredOk) delta = actualStart - dir.offset;
  }
  const start = dir.offset + delta;
  if (start < 0 || start + dir.size > buf.length) fail('zip-corrupt', 'central directory offset out of range', archiveName);

  const entries: ZipEntry[] = [];
  let p = start;
  const limit = start + dir.size;
  for (let i = 0; i < dir.count; i++) {
    if (p + CENTRAL_SIZE > limit || buf.readUInt32LE(p) !== SIG_CENTRAL) {
      fail('zip-corrupt', `central directory entry ${i} is damaged`, archiveName);
    }
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compressedSize = buf.readUInt32LE(p + 20);
    let uncompressedSize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localHeaderOffset = buf.readUInt32LE(p + 42);
    const next = p + CENTRAL_SIZE + nameLen + extraLen + commentLen;
    if (next > limit) fail('zip-corrupt', `central directory entry ${i} runs past the directory`, archiveName);
    const name = buf.toString('utf8', p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLen);

    if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      // ZIP64 extended information: only the fields that overflowed are present, in this order.
      let e = p + CENTRAL_SIZE + nameLen;
      const extraEnd = e + extraLen;
      let found = false;
      while (e + 4 <= extraEnd) {
        const id = buf.readUInt16LE(e);
        const len = buf.readUInt16LE(e + 2);
        if (e + 4 + len > extraEnd) break;
        if (id === 0x0001) {
          let q = e + 4;
          const take = (): number => {
            if (q + 8 > e + 4 + len) fail('zip-corrupt', `entry "${name}" has a short ZIP64 field`, archiveName);
            const v = readU64(buf, q, archiveName);
            q += 8;
            return v;
          };
          if (uncompressedSize === 0xffffffff) uncompressedSize = take();
          if (compressedSize === 0xffffffff) compressedSize = take();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
          found = true;
          break;
        }
        e += 4 + len;
      }
      if (!found) fail('zip-corrupt', `entry "${name}" lacks its ZIP64 sizes`, archiveName);
    }
    localHeaderOffset += delta;
    if (localHeaderOffset < 0 || localHeaderOffset + LOCAL_SIZE > buf.length) {
      fail('zip-corrupt', `entry "${name}" points outside the archive`, archiveName);
    }
    entries.push({
      name,
      method,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      crc32: crc,
      flags,
      isDirectory: name.endsWith('/'),
      unsafeName: isUnsafeZipName(name),
    });
    p = next;
  }
  return entries;
}

/**
 * Decompress one entry, bounded by `maxSize` and the compression-ratio cap, and check its CRC.
 * Throws a ScoutError naming the entry for bombs, zip-slip names, encryption, unsupported
 * methods and damage.
 */
export function readZipEntry(buf: Buffer, entry: ZipEntry, opts: ReadZipEntryOptions): Buffer {
  const archiveName = opts.archiveName;
  const maxRatio = opts.maxRatio ?? DEFAULT_MAX_RATIO;
  const ratioFloor = opts.ratioFloor ?? DEFAULT_RATIO_FLOOR;
  const what = `entry "${entry.name}"`;
  if (entry.unsafeName) fail('zip-slip', `${what} has an unsafe path (zip-slip); not read`, archiveName);
  if (entry.flags & 1) fail('zip-encrypted', `${what} is encrypted`, archiveName);
  if (entry.uncompressedSize > opts.maxSize) {
    fail('zip-bomb', `${what} declares ${entry.uncompressedSize} bytes, over the limit of ${opts.maxSize}`, archiveName);
  }
  if (entry.uncompressedSize > ratioFloor && entry.uncompressedSize > entry.compressedSize * maxRatio) {
    fail('zip-bomb', `${what} declares a compression ratio over ${maxRatio}:1`, archiveName);
  }
  const at = entry.localHeaderOffset;
  if (at + LOCAL_SIZE > buf.length || buf.readUInt32LE(at) !== SIG_LOCAL) fail('zip-corrupt', `${what} has no local header`, archiveName);
  const dataStart = at + LOCAL_SIZE + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const dataEnd = dataStart + entry.compressedSize;
  if (dataEnd > buf.length) fail('zip-corrupt', `${what} is truncated`, archiveName);
  const raw = buf.subarray(dataStart, dataEnd);

  let out: Buffer;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) fail('zip-corrupt', `${what} is stored with mismatched sizes`, archiveName);
    out = Buffer.from(raw);
  } else if (entry.method === 8) {
    try {
      out = inflateRawSync(raw, { maxOutputLength: Math.max(1, opts.maxSize) });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') fail('zip-bomb', `${what} inflates past the limit of ${opts.maxSize} bytes`, archiveName);
      fail('zip-corrupt', `${what} does not inflate: ${(err as Error).message}`, archiveName);
    }
  } else {
    fail('zip-unsupported', `${what} uses compression method ${entry.method}`, archiveName);
  }
  if (out.length > opts.maxSize) fail('zip-bomb', `${what} inflates past the limit of ${opts.maxSize} bytes`, archiveName);
  if (out.length > ratioFloor && out.length > entry.compressedSize * maxRatio) {
    fail('zip-bomb', `${what} has a compression ratio over ${maxRatio}:1`, archiveName);
  }
  if (out.length !== entry.uncompressedSize) {
    fail('zip-corrupt', `${what} inflates to ${out.length} bytes, not the declared ${entry.uncompressedSize}`, archiveName);
  }
  if ((crc32(out) >>> 0) !== entry.crc32) fail('zip-corrupt', `${what} fails its CRC check`, archiveName);
  return out;
}
