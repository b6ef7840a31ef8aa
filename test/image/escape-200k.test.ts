/**
 * A whole scan of a layer with 200,000 tar members that climb out with `../` (issue #15): it
 * used to overflow the stack (a spread of the warnings into push) and fail the whole scan. It
 * must complete, say what it skipped, and write nothing outside the cache.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { scoutAsync } from '../helpers/cli.js';
import { buildImage, sha256, withLayerBlob, writeOciLayout } from '../helpers/image-builder.js';
import { listTree, tempDir } from '../helpers/tmp.js';

const N = 200_000;

/** A ustar header for an empty regular file (built by hand: 200,000 through tar-stream is slow). */
function header(name: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write('00000000000\0', 124);
  h.write('14000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

test('200,000 members climbing out with ../: the scan completes, names what it skipped, writes nothing outside the cache', async () => {
  const root = tempDir('scout-escape-');
  const work = join(root, 'work');
  mkdirSync(work);
  const parts: Buffer[] = [];
  for (let i = 0; i < N; i++) parts.push(header(`${'../'.repeat(1 + (i % 5))}escaped/f${i}`));
  // One ordinary file after them: the rest of the layer is still read.
  const ok = header('etc/os-release');
  parts.push(ok, Buffer.alloc(1024));
  const tar = Buffer.concat(parts);
  const base = await buildImage({ layers: [{ 'etc/hostname': 'box' }] });
  const blob = gzipSync(tar);
  const im = withLayerBlob(base, 0, blob, { diffId: sha256(tar) });
  const layout = join(work, 'layout');
  writeOciLayout(layout, [{ images: [im] }]);
  mkdirSync(join(root, 'tmp'));
  const before = listTree(root).filter((p) => p !== 'tmp');
  const cache = join(root, 'cache');
  const r = await scoutAsync(['sbom', layout, '--format', 'json'], { SCOUT_CACHE_DIR: cache, TMPDIR: join(root, 'tmp') });
  assert.equal(r.code, 0, r.stderr.slice(0, 2000));
  const out = JSON.parse(r.stdout) as { warnings: { code: string; message: string; layer?: string }[] };
  const escapes = out.warnings.filter((w) => w.code === 'path-escape');
  // The first 100 are named, the rest counted in one warning (not 200,000 lines of them).
  assert.equal(escapes.length, 101);
  assert.match(escapes[0].message, /^layer 0 \(sha256:[0-9a-f]{12}\): entry "\.\.\/escaped\/f0" climbs out of the image root/);
  assert.match(escapes[100].message, new RegExp(`: ${N - 100} more entries like those above \\(climbing out of the image root with '\\.\\.', skipped\\), ${N} in all; only the first 100 are named$`));
  assert.match(r.stderr, /climbs out of the image root/);
  // tsx (which runs the TypeScript sources in tests) keeps its compile cache in TMPDIR.
  const after = listTree(root).filter((p) => p !== 'cache' && !p.startsWith('cache/') && p !== 'tmp' && !/^tmp\/tsx-/.test(p));
  assert.deepEqual(after, before, 'only the cache folder changed');
  assert.ok(!listTree(work).some((p) => p.includes('escaped')));
});
