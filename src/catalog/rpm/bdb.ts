import { ScoutError } from '../../util/errors.js';

/**
 * Reader for the Berkeley DB hash file rpm used up to rpm 4.16 (/var/lib/rpm/Packages).
 * Like go-rpmdb's bdb package, it does not walk the hash: it scans every hash page for
 * key/value pairs whose value is an off-page (overflow) item, and follows the overflow
 * chain to reassemble the value, which is one rpm header blob. Every page number, offset
 * and chain is bounds-checked; loops and oversize chains are cut off with a warning.
 */

const HASH_MAGIC = 0x00061561;
const PAGE_HEADER = 26;
const HASH_UNSORTED_PAGE = 2;
const HASH_PAGE = 13;
const OVERFLOW_PAGE = 7;
const H_OFFPAGE = 3;
const VALID_PAGE_SIZES = new Set([512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]);
/** One header is at most rpm's data limit plus index; anything longer is corrupt. */
const MAX_VALUE = 256 * 1024 * 1024;

export interface BdbResult {
  blobs: Buffer[];
  problems: string[];
}

export function readBdbHash(file: Buffer): BdbResult {
  if (file.length < 72) throw new ScoutError('rpm-bdb', `file is ${file.length} bytes, too short for a Berkeley DB metadata page`);
  let le: boolean;
  if (file.readUInt32LE(12) === HASH_MAGIC) le = true;
  else if (file.readUInt32BE(12) === HASH_MAGIC) le = false;
  else throw new ScoutError('rpm-bdb', 'not a Berkeley DB hash file (bad magic)');
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const pageSize = u32(file, 20);
  if (!VALID_PAGE_SIZES.has(pageSize)) throw new ScoutError('rpm-bdb', `bad Berkeley DB page size ${pageSize}`);
  const encrypted = file.readUInt8(24);
  if (encrypted) throw new ScoutError('rpm-bdb', 'encrypted Berkeley DB files are not supported');
  const lastPage = u32(file, 32);
  const pagesInFile = Math.floor(file.length / pageSize);
  const problems: string[] = [];
  if (lastPage >= pagesInFile) problems.push(`metadata says ${lastPage + 1} pages, file holds ${pagesInFile}`);
  const last = Math.min(lastPage, pagesInFile - 1);

  const page = (n: number): Buffer | undefined => (n >= 0 && n < pagesInFile ? file.subarray(n * pageSize, (n + 1) * pageSize) : undefined);

  const blobs: Buffer[] = [];
  for (let n = 1; n <= last; n++) {
    const p = page(n)!;
    const type = p.readUInt8(25);
    if (type !== HASH_UNSORTED_PAGE && type !== HASH_PAGE) continue;
    const entries = u16(p, 20);
    if (entries % 2 !== 0 || PAGE_HEADER + entries * 2 > pageSize) {
      problems.push(`hash page ${n}: bad entry count ${entries}`);
      continue;
    }
    // Index entries alternate key, value: keep the values (odd positions).
    for (let i = 1; i < entries; i += 2) {
      const off = u16(p, PAGE_HEADER + i * 2);
      if (off < PAGE_HEADER || off >= pageSize) {
        problems.push(`hash page ${n}: item offset ${off} outside the page`);
        continue;
      }
      // Only off-page items hold package headers; small inline items (the key-0 counter) are skipped.
      if (p.readUInt8(off) !== H_OFFPAGE) continue;
      if (off + 12 > pageSize) {
        problems.push(`hash page ${n}: off-page item at ${off} runs past the page`);
        continue;
      }
      const first = u32(p, off + 4);
      const length = u32(p, off + 8);
      const value = readOverflow(first, length);
      if (typeof value === 'string') problems.push(`hash page ${n}: ${value}`);
      else blobs.push(value);
    }
  }
  return { blobs, problems };

  function readOverflow(first: number, length: number): Buffer | string {
    if (length > MAX_VALUE) return `overflow item of ${length} bytes is too large`;
    const parts: Buffer[] = [];
    let have = 0;
    const seen = new Set<number>();
    for (let cur = first; cur !== 0; ) {
      if (seen.has(cur)) return `overflow chain loops at page ${cur}`;
      seen.add(cur);
      const p = page(cur);
      if (!p) return `overflow chain points at page ${cur}, past the end of the file`;
      if (p.readUInt8(25) !== OVERFLOW_PAGE) return `overflow chain reaches page ${cur}, which is not an overflow page`;
      const next = u32(p, 16);
      // On an overflow page, the free-area field holds how many bytes of this page are used.
      const used = next === 0 ? u16(p, 22) : pageSize - PAGE_HEADER;
      if (PAGE_HEADER + used > pageSize) return `overflow page ${cur} claims ${used} bytes`;
      parts.push(p.subarray(PAGE_HEADER, PAGE_HEADER + used));
      have += used;
      if (have > MAX_VALUE || have > length + pageSize) return `overflow chain from page ${first} is longer than its item`;
      cur = next;
    }
    const value = Buffer.concat(parts, have);
    return length && length < value.length ? value.subarray(0, length) : value;
  }
}
