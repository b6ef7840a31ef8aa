/**
 * A gzipped image archive is unpacked into the cache to be read. When the cache cannot be
 * written, that is the error (naming the archive, the folder and what to do), not a raw
 * "ENOTDIR: mkdir" nor a "cannot decompress" that blames the archive.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openImage } from '../../src/image/open.js';
import { ScoutError } from '../../src/util/errors.js';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { DEMO } from '../report/helpers.js';

function setup(): { gz: string; cache: string } {
  const dir = tempDir();
  const gz = join(dir, 'demo.tar.gz');
  writeFileSync(gz, gzipSync(readFileSync(DEMO)));
  // A cache folder under a regular file cannot be created, whoever runs the test (root too).
  writeFileSync(join(dir, 'not-a-dir'), '');
  return { gz, cache: join(dir, 'not-a-dir', 'cache') };
}

test('a gzipped archive with an unwritable cache: one clear error naming the archive, the folder and the way out', () => {
  const { gz, cache } = setup();
  const r = scout(['image', 'inspect', gz], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.equal(r.stderr, `error: archive ${gz} is gzip-compressed and is unpacked into the cache to be read, but ${join(cache, 'archives')} cannot be written (ENOTDIR): set SCOUT_CACHE_DIR to a writable directory, or decompress it first (gunzip -k ${gz})\n`);
  // The same archive uncompressed is read without the cache, with a warning.
  const plain = scout(['image', 'inspect', DEMO], { SCOUT_CACHE_DIR: cache });
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stderr, /^warning: cannot write the layer cache/m);
});

test('openImage: the error is a ScoutError with its own code', async () => {
  const { gz, cache } = setup();
  const before = process.env.SCOUT_CACHE_DIR;
  process.env.SCOUT_CACHE_DIR = cache;
  try {
    await assert.rejects(openImage(gz), (err: unknown) => err instanceof ScoutError && err.code === 'cache-unwritable' && err.path === gz);
  } finally {
    if (before === undefined) delete process.env.SCOUT_CACHE_DIR;
    else process.env.SCOUT_CACHE_DIR = before;
  }
});
