import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { listZip, readZipEntry, looksLikeZip, isUnsafeZipName, type ZipEntry } from '../../src/util/zip.js';
import { ScoutError } from '../../src/util/errors.js';
import { makeZip } from '../helpers/zip-writer.js';

const MiB = 1024 * 1024;

function entry(entries: ZipEntry[], name: string): ZipEntry {
  const e = entries.find((x) => x.name === name);
  assert.ok(e, `entry ${name} listed`);
  return e;
}

function scoutError(code: string, mentions: string) {
  return (err: unknown) => {
    assert.ok(err instanceof ScoutError, `expected ScoutError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.ok(err.message.includes(mentions), `message "${err.message}" names "${mentions}"`);
    return true;
  };
}

test('lists and reads stored and deflated entries', () => {
  const zip = makeZip([
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\n', method: 0 },
    { name: 'dir/', data: '', method: 0 },
    { name: 'dir/hello.txt', data: 'hello '.repeat(100) },
    { name: 'caf\u00e9.txt', data: 'unicode name' },
  ]);
  assert.ok(looksLikeZip(zip));
  const entries = listZip(zip);
  assert.deepEqual(entries.map((e) => e.name), ['META-INF/MANIFEST.MF', 'dir/', 'dir/hello.txt', 'caf\u00e9.txt']);
  assert.equal(entry(entries, 'dir/').isDirectory, true);
  const hello = entry(entries, 'dir/hello.txt');
  assert.equal(hello.method, 8);
  assert.equal(hello.uncompressedSize, 600);
  assert.ok(hello.compressedSize < 600);
  assert.equal(readZipEntry(zip, hello, { maxSize: MiB }).toString(), 'hello '.repeat(100));
  assert.equal(readZipEntry(zip, entry(entries, 'META-INF/MANIFEST.MF'), { maxSize: MiB }).toString(), 'Manifest-Version: 1.0\r\n');
  assert.equal(readZipEntry(zip, entry(entries, 'caf\u00e9.txt'), { maxSize: MiB }).toString(), 'unicode name');
});

test('reads ZIP64 archives', () => {
  const zip = makeZip([{ name: 'a.txt', data: 'alpha' }, { name: 'b.txt', data: 'bravo', method: 0 }], { zip64: true });
  const entries = listZip(zip);
  assert.deepEqual(entries.map((e) => [e.name, e.uncompressedSize]), [['a.txt', 5], ['b.txt', 5]]);
  assert.equal(readZipEntry(zip, entries[1], { maxSize: 100 }).toString(), 'bravo');
  assert.equal(readZipEntry(zip, entries[0], { maxSize: 100 }).toString(), 'alpha');
});

test('reads archives with a prepended launch script (offsets shifted)', () => {
  const zip = makeZip([{ name: 'BOOT-INF/lib/x.jar', data: 'inner' }], { prefix: Buffer.from('#!/bin/sh\nexec java -jar "$0"\n') });
  assert.equal(looksLikeZip(zip), false);
  const [e] = listZip(zip);
  assert.equal(readZipEntry(zip, e, { maxSize: 100 }).toString(), 'inner');
});

test('rejects a zip bomb by its declared size, naming the entry', () => {
  const zip = makeZip([{ name: 'bomb.bin', data: 'x', declaredSize: 1024 * MiB }]);
  const [e] = listZip(zip);
  assert.throws(() => readZipEntry(zip, e, { maxSize: 10 * MiB, archiveName: 'app.jar' }), scoutError('zip-bomb', 'bomb.bin'));
  // The same through ZIP64, declaring more than 4 GiB.
  const big = makeZip([{ name: 'bomb64.bin', data: 'x', declaredSize: 5 * 1024 * MiB }], { zip64: true });
  const [e64] = listZip(big);
  assert.equal(e64.uncompressedSize, 5 * 1024 * MiB);
  assert.throws(() => readZipEntry(big, e64, { maxSize: 10 * MiB, archiveName: 'app.jar' }), scoutError('zip-bomb', 'bomb64.bin'));
});

test('rejects a zip bomb that lies about its size: inflation stops at maxSize', () => {
  // 64 MiB of zeros deflates to ~64 KiB; the directory claims 100 bytes.
  const zeros = Buffer.alloc(64 * MiB);
  const zip = makeZip([{ name: 'liar.bin', data: zeros, declaredSize: 100 }]);
  const [e] = listZip(zip);
  assert.throws(() => readZipEntry(zip, e, { maxSize: 4 * MiB }), scoutError('zip-bomb', 'liar.bin'));
});

test('rejects an entry over the compression-ratio cap even under maxSize', () => {
  const zip = makeZip([{ name: 'dense.bin', data: Buffer.alloc(8 * MiB) }]);
  const [e] = listZip(zip);
  assert.ok(e.uncompressedSize / e.compressedSize > 100);
  assert.throws(() => readZipEntry(zip, e, { maxSize: 64 * MiB }), scoutError('zip-bomb', 'dense.bin'));
  // Small entries are exempt from the ratio check: tiny files legitimately compress very well.
  const small = makeZip([{ name: 'small.bin', data: Buffer.alloc(64 * 1024) }]);
  assert.equal(readZipEntry(small, listZip(small)[0], { maxSize: MiB }).length, 64 * 1024);
});

test('flags zip-slip names and refuses to read them; nothing is written', () => {
  const zip = makeZip([
    { name: '../../etc/passwd', data: 'root::0:0' },
    { name: '/abs/path', data: 'x' },
    { name: 'C:\\windows\\evil.dll', data: 'x' },
    { name: 'ok/../../x', data: 'x' },
    { name: 'fine/..name', data: 'ok' },
  ]);
  const entries = listZip(zip);
  assert.deepEqual(entries.map((e) => e.unsafeName), [true, true, true, true, false]);
  assert.throws(() => readZipEntry(zip, entries[0], { maxSize: MiB }), scoutError('zip-slip', '../../etc/passwd'));
  assert.equal(readZipEntry(zip, entries[4], { maxSize: MiB }).toString(), 'ok');
  assert.equal(isUnsafeZipName('a\0b'), true);
  assert.equal(isUnsafeZipName('a/b/c'), false);
});

test('rejects truncated and corrupt archives with a ScoutError naming the archive', () => {
  const zip = makeZip([{ name: 'a.txt', data: 'some text that compresses '.repeat(20) }]);
  assert.throws(() => listZip(zip.subarray(0, zip.length - 10), { archiveName: 'cut.jar' }), scoutError('zip-corrupt', 'cut.jar'));
  assert.throws(() => listZip(Buffer.from('not a zip at all, definitely not'), { archiveName: 'x.jar' }), scoutError('zip-corrupt', 'x.jar'));
  assert.throws(() => listZip(Buffer.alloc(3)), ScoutError);

  // Directory intact but the data is cut off.
  const entries = listZip(zip);
  const damaged = Buffer.from(zip);
  damaged.fill(0xff, 30 + 5, 30 + 5 + 10); // overwrite compressed bytes
  assert.throws(() => readZipEntry(damaged, entries[0], { maxSize: MiB }), scoutError('zip-corrupt', 'a.txt'));

  // A directory entry pointing past the end of the buffer.
  const wild = Buffer.from(zip);
  const cd = wild.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  wild.writeUInt32LE(0x7fff0000, cd + 42);
  assert.throws(() => listZip(wild), scoutError('zip-corrupt', 'a.txt'));
});

test('detects a CRC mismatch on stored data', () => {
  const zip = makeZip([{ name: 's.txt', data: 'stored!', method: 0 }]);
  const bad = Buffer.from(zip);
  bad[30 + 's.txt'.length] = 'S'.charCodeAt(0);
  assert.throws(() => readZipEntry(bad, listZip(bad)[0], { maxSize: 100 }), scoutError('zip-corrupt', 's.txt'));
});

test('caps the number of entries', () => {
  const files = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: '' }));
  const zip = makeZip(files);
  assert.equal(listZip(zip).length, 50);
  assert.throws(() => listZip(zip, { maxEntries: 10, archiveName: 'many.zip' }), scoutError('zip-too-many-entries', 'many.zip'));
});

test('rejects unsupported methods and encrypted entries', () => {
  const zip = makeZip([{ name: 'a', data: 'x', method: 0 }]);
  const [e] = listZip(zip);
  assert.throws(() => readZipEntry(zip, { ...e, method: 12 }, { maxSize: 10 }), scoutError('zip-unsupported', '"a"'));
  assert.throws(() => readZipEntry(zip, { ...e, flags: 1 }, { maxSize: 10 }), scoutError('zip-encrypted', '"a"'));
});

test('deflated data that does not inflate is corrupt, not a crash', () => {
  const good = deflateRawSync(Buffer.from('hello world hello world'));
  const zip = makeZip([{ name: 'g.txt', data: 'hello world hello world' }]);
  const i = zip.indexOf(good);
  assert.ok(i > 0);
  const bad = Buffer.from(zip);
  bad[i] = 0xff; // invalid block type
  assert.throws(() => readZipEntry(bad, listZip(bad)[0], { maxSize: MiB }), scoutError('zip-corrupt', 'g.txt'));
});
