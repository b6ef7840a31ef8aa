import { ScoutError } from '../../util/errors.js';

/**
 * Reader for rpm's NDB backend (SUSE: /usr/lib/sysimage/rpm/Packages.db). The file starts
 * with a 32-byte header ("RpmP", version, generation, number of slot pages), followed by
 * 16-byte slots ("Slot", package index, block offset, block count); each used slot points at
 * a blob ("BlbS", package index, checksum, length) holding one rpm header. All little-endian.
 */

const HEADER_MAGIC = 0x506d7052; // 'RpmP'
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOB_MAGIC = 0x53626c42; // 'BlbS'
const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const HEADER_SIZE = 32;
const BLOCK_SIZE = 16;
/** go-rpmdb's sanity bound: 2048 slot pages is over 500,000 packages. */
const MAX_SLOT_PAGES = 2048;
const MAX_BLOB = 256 * 1024 * 1024;
/** After this many broken slots the slot table is garbage: stop reporting each one. */
const MAX_PROBLEMS = 20;

export interface NdbResult {
  blobs: Buffer[];
  problems: string[];
}

export function readNdb(file: Buffer): NdbResult {
  if (file.length < HEADER_SIZE) throw new ScoutError('rpm-ndb', `file is ${file.length} bytes, too short for an NDB header`);
  if (file.readUInt32LE(0) !== HEADER_MAGIC) throw new ScoutError('rpm-ndb', 'not an rpm NDB file (bad magic)');
  const version = file.readUInt32LE(4);
  if (version !== 0) throw new ScoutError('rpm-ndb', `unsupported NDB version ${version}`);
  const slotPages = file.readUInt32LE(12);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES) throw new ScoutError('rpm-ndb', `bad NDB slot page count ${slotPages}`);
  const slotCount = slotPages * (PAGE_SIZE / SLOT_SIZE) - HEADER_SIZE / SLOT_SIZE;
  const blobs: Buffer[] = [];
  const problems: string[] = [];
  for (let i = 0; i < slotCount && problems.length < MAX_PROBLEMS; i++) {
    const o = HEADER_SIZE + i * SLOT_SIZE;
    if (o + SLOT_SIZE > file.length) {
      problems.push(`slot table is cut short at slot ${i}`);
      break;
    }
    if (file.readUInt32LE(o) !== SLOT_MAGIC) {
      problems.push(`slot ${i}: bad magic`);
      continue;
    }
    const pkgIndex = file.readUInt32LE(o + 4);
    if (pkgIndex === 0) continue;
    const blobAt = file.readUInt32LE(o + 8) * BLOCK_SIZE;
    if (blobAt + 16 > file.length) {
      problems.push(`slot ${i} (package ${pkgIndex}): blob offset ${blobAt} is past the end of the file`);
      continue;
    }
    if (file.readUInt32LE(blobAt) !== BLOB_MAGIC) {
      problems.push(`slot ${i} (package ${pkgIndex}): bad blob magic`);
      continue;
    }
    if (file.readUInt32LE(blobAt + 4) !== pkgIndex) {
      problems.push(`slot ${i}: blob belongs to package ${file.readUInt32LE(blobAt + 4)}, not ${pkgIndex}`);
      continue;
    }
    const len = file.readUInt32LE(blobAt + 12);
    if (len > MAX_BLOB || blobAt + 16 + len > file.length) {
      problems.push(`slot ${i} (package ${pkgIndex}): blob of ${len} bytes runs past the end of the file`);
      continue;
    }
    blobs.push(file.subarray(blobAt + 16, blobAt + 16 + len));
  }
  return { blobs, problems };
}
