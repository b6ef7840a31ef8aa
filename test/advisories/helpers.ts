// Shared by the advisory and store tests: fixture paths, temp dirs, reading fixture records
// straight from the files (independently of the importers under test).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync, gunzipSync } from 'node:zlib';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'advisories');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Parses a .jsonl.gz fixture with plain zlib + JSON.parse, for expectations. */
export function rawRecords(name: string): Record<string, unknown>[] {
  return gunzipSync(readFileSync(fixture(name)))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

type RawAffected = { package?: { ecosystem: string; name: string } };

/** Ids of raw records with an affected entry for (ecosystem, name) as spelled in the file. */
export function rawIdsFor(records: Record<string, unknown>[], ecosystem: string, name: string): string[] {
  return records
    .filter((r) => ((r.affected as RawAffected[] | undefined) ?? []).some((a) => a.package?.ecosystem === ecosystem && a.package?.name === name))
    .map((r) => r.id as string)
    .sort();
}

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'scout-adv-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A minimal zip writer (deflate) for building all.zip-style test archives. */
export function makeZip(files: { name: string; data: Buffer | string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const data = Buffer.isBuffer(f.data) ? f.data : Buffer.from(f.data);
    const comp = deflateRawSync(data);
    const name = Buffer.from(f.name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(comp.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, comp);
    centrals.push(central, name);
    offset += local.length + name.length + comp.length;
  }
  const dir = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(files.length, 8);
  eocd.writeUInt16LE(files.length, 10);
  eocd.writeUInt32LE(dir.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, eocd]);
}
