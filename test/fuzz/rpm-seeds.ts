/**
 * Small, well-formed rpm databases for the fuzzer to mutate, one per backend rpm has used:
 * SQLite (rpm >= 4.16), NDB (SUSE) and Berkeley DB (older rpm; a real file from syft's test
 * data, see test/fixtures/NOTICE.md). Small on purpose: a mutation of a few bytes then lands
 * in the structures (slots, pages, header indexes) rather than in padding.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { TAG } from '../../src/catalog/rpm/header.js';

type Tag = { tag: number; type: number; data: Buffer; count: number };
const str = (tag: number, s: string): Tag => ({ tag, type: 6, data: Buffer.from(s + '\0'), count: 1 });
const strs = (tag: number, a: string[]): Tag => ({ tag, type: 8, data: Buffer.from(a.map((s) => s + '\0').join('')), count: a.length });
function int32s(tag: number, a: number[]): Tag {
  const data = Buffer.alloc(4 * a.length);
  a.forEach((v, i) => data.writeUInt32BE(v, 4 * i));
  return { tag, type: 4, data, count: a.length };
}

/** An rpm header blob (index count, data length, index entries, data), as rpm lays it out. */
export function rpmHeader(entries: Tag[]): Buffer {
  const index = Buffer.alloc(entries.length * 16);
  const parts: Buffer[] = [];
  let off = 0;
  entries.forEach((e, i) => {
    // INT32 data is 4-byte aligned in real headers.
    if (e.type === 4 && off % 4) {
      parts.push(Buffer.alloc(4 - (off % 4)));
      off += 4 - (off % 4);
    }
    index.writeUInt32BE(e.tag, i * 16);
    index.writeUInt32BE(e.type, i * 16 + 4);
    index.writeUInt32BE(off, i * 16 + 8);
    index.writeUInt32BE(e.count, i * 16 + 12);
    parts.push(e.data);
    off += e.data.length;
  });
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(off, 4);
  return Buffer.concat([head, index, ...parts]);
}

/** Two packages with the tags the cataloger reads: epoch, source rpm, provides/requires, files. */
export const RPM_HEADERS = [
  rpmHeader([
    str(TAG.NAME, 'bash'),
    str(TAG.VERSION, '5.2.15'),
    str(TAG.RELEASE, '3.fc39'),
    int32s(TAG.EPOCH, [1]),
    str(TAG.ARCH, 'x86_64'),
    str(TAG.LICENSE, 'GPL-3.0-or-later'),
    str(TAG.SOURCERPM, 'bash-5.2.15-3.fc39.src.rpm'),
    int32s(TAG.SIZE, [8_000_000]),
    strs(TAG.PROVIDENAME, ['bash', '/bin/sh']),
    strs(TAG.REQUIRENAME, ['glibc', 'rpmlib(CompressedFileNames)']),
    strs(TAG.BASENAMES, ['bash', 'sh']),
    strs(TAG.DIRNAMES, ['/usr/bin/']),
    int32s(TAG.DIRINDEXES, [0, 0]),
  ]),
  rpmHeader([str(TAG.NAME, 'glibc'), str(TAG.VERSION, '2.38'), str(TAG.RELEASE, '1'), str(TAG.ARCH, 'x86_64'), strs(TAG.PROVIDENAME, ['glibc', 'libc.so.6'])]),
];

/** rpmdb.sqlite: rpm's own Packages table, one row per header. */
export function sqliteRpmdb(headers: Buffer[] = RPM_HEADERS): Buffer {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
  const ins = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  for (const h of headers) ins.run(h);
  const out = db.serialize();
  db.close();
  return out;
}

/**
 * Packages.db (NDB): a 32-byte header ("RpmP", version 0, generation, slot pages), one page of
 * 16-byte slots ("Slot", package index, block offset, block count), then each blob ("BlbS",
 * package index, checksum, length, header) at a 16-byte block. Little-endian throughout.
 */
export function ndbRpmdb(headers: Buffer[] = RPM_HEADERS): Buffer {
  const page = Buffer.alloc(4096);
  page.writeUInt32LE(0x506d7052, 0);
  page.writeUInt32LE(0, 4);
  page.writeUInt32LE(1, 8);
  page.writeUInt32LE(1, 12);
  for (let s = 0; s < 4096 / 16 - 2; s++) page.writeUInt32LE(0x746f6c53, 32 + s * 16);
  const blobs: Buffer[] = [];
  let at = 4096;
  headers.forEach((h, i) => {
    const blob = Buffer.alloc(Math.ceil((16 + h.length) / 16) * 16);
    blob.writeUInt32LE(0x53626c42, 0);
    blob.writeUInt32LE(i + 1, 4);
    blob.writeUInt32LE(h.length, 12);
    h.copy(blob, 16);
    const slot = 32 + i * 16;
    page.writeUInt32LE(i + 1, slot + 4);
    page.writeUInt32LE(at / 16, slot + 8);
    page.writeUInt32LE(blob.length / 16, slot + 12);
    blobs.push(blob);
    at += blob.length;
  });
  return Buffer.concat([page, ...blobs]);
}

/** A real Berkeley DB hash Packages file (16 KiB, four pages). */
export const BDB_RPMDB = readFileSync(new URL('../fixtures/catalogers/rpm/bdb-syft-dive/var/lib/rpm/Packages', import.meta.url));
