/**
 * A warm re-scan of an unchanged `docker save` archive does not hash its layers again (issue
 * #10, Speed): their digests are remembered by the archive's device, inode, size, mtime and
 * ctime. The time saved is measured by bench/warm-archive.bench.ts; this proves which digests
 * are used, and that any change to the file (its ctime) brings hashing back.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openImage } from '../../src/image/open.js';
import { buildImage, writeDockerArchive } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

const cache = tempDir('scout-cache-');
process.env.SCOUT_CACHE_DIR = cache;

async function archive(): Promise<{ path: string; diffIds: string[] }> {
  const im = await buildImage({ layers: [{ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\n' }, { 'app/a.txt': 'a' }] });
  const path = join(tempDir(), 'app.tar');
  await writeDockerArchive(path, [{ image: im, tags: ['app:1'] }]);
  return { path, diffIds: im.layers.map((l) => l.diffId) };
}

/** The one remembered entry: its file and what it says. */
function memory(): { file: string; entry: { identity: string; digests: Record<string, string> } } {
  const dir = join(cache, 'file-digests');
  const names = readdirSync(dir);
  assert.equal(names.length, 1, names.join(', '));
  const file = join(dir, names[0]);
  return { file, entry: JSON.parse(readFileSync(file, 'utf8')) };
}

test('an unchanged archive\'s layer digests come from memory; a touched one is hashed again', async () => {
  const { path, diffIds } = await archive();
  // Cold: hashed, and remembered (a docker-archive layer.tar is the uncompressed layer: its digest is its diff_id).
  const cold = await openImage(`archive://${path}`);
  assert.deepEqual(cold.layers.map((l) => l.digest), diffIds);
  const { file, entry } = memory();
  assert.deepEqual(Object.values(entry.digests), diffIds);
  // Warm: what memory says is used without reading the layers. A planted value proves it.
  const planted = 'sha256:' + 'e'.repeat(64);
  const first = Object.keys(entry.digests)[0];
  writeFileSync(file, JSON.stringify({ ...entry, digests: { ...entry.digests, [first]: planted } }));
  const warm = await openImage(`archive://${path}`);
  assert.equal(warm.layers[0].digest, planted);
  // --no-cache neither reads nor writes the memory.
  assert.equal((await openImage(`archive://${path}`, { cache: false })).layers[0].digest, diffIds[0]);
  // Same bytes and mtime, new ctime: the file may have changed, so it is hashed again.
  const st = statSync(path);
  utimesSync(path, st.atime, st.mtime);
  assert.deepEqual((await openImage(`archive://${path}`)).layers.map((l) => l.digest), diffIds);
});

test('an archive rewritten in place (same size, mtime put back) is hashed again', async () => {
  const { path, diffIds } = await archive();
  // Whole seconds, so the mtime put back is exactly the one before: only the ctime tells.
  const when = new Date('2024-06-01T00:00:00Z');
  utimesSync(path, when, when);
  await openImage(`archive://${path}`);
  const bytes = readFileSync(path);
  // Flip one byte of the first layer's content and keep size and mtime as they were.
  const at = bytes.indexOf(Buffer.from('ID=alpine'));
  bytes[at] = 'J'.charCodeAt(0);
  writeFileSync(path, bytes);
  utimesSync(path, when, when);
  const again = await openImage(`archive://${path}`);
  assert.notEqual(again.layers[0].digest, diffIds[0], 'the changed layer is hashed, not taken from memory');
  assert.equal(again.layers[1].digest, diffIds[1]);
});

test('a gzipped archive rewritten in place (same size, mtime put back) is unpacked again, not served stale', async () => {
  const make = async (id: string) => {
    const im = await buildImage({ layers: [{ 'etc/os-release': `ID=${id}\nVERSION_ID=3.20.0\n` }] });
    const tar = join(tempDir(), 'a.tar');
    await writeDockerArchive(tar, [{ image: im, tags: ['app:1'] }]);
    return { im, gz: gzipSync(readFileSync(tar), { level: 9 }) };
  };
  const a = await make('alpine');
  const b = await make('alpinf');
  assert.equal(a.gz.length, b.gz.length, 'the two archives compress to the same size (the case a size-and-mtime key misses)');
  const path = join(tempDir(), 'app.tar.gz');
  // Whole seconds, so the mtime put back is exactly the one before (no sub-millisecond part lost).
  const when = new Date('2024-06-01T00:00:00Z');
  writeFileSync(path, a.gz);
  utimesSync(path, when, when);
  assert.equal((await openImage(`archive://${path}`)).configDigest, a.im.configDigest);
  writeFileSync(path, b.gz);
  utimesSync(path, when, when);
  assert.equal((await openImage(`archive://${path}`)).configDigest, b.im.configDigest);
});
