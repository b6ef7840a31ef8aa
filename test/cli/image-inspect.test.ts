import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { scout } from '../helpers/cli.js';
import { listTree, tempDir } from '../helpers/tmp.js';

const DEMO = new URL('../../examples/demo-image.tar', import.meta.url).pathname;

test('scout image inspect on the shipped demo image: json and table', () => {
  const cache = tempDir();
  const r = scout(['image', 'inspect', DEMO, '--format', 'json'], { SCOUT_CACHE_DIR: cache });
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  assert.equal(m.source, 'oci-archive');
  assert.equal(m.os.name, 'debian');
  assert.equal(m.os.version, '12');
  assert.deepEqual(m.exposedPorts, ['8080/tcp']);
  assert.equal(m.layers.length, 3);
  assert.match(m.digest, /^sha256:[0-9a-f]{64}$/);
  assert.ok(listTree(cache).some((p) => p.endsWith('.idx')));
  const t = scout(['image', 'inspect', DEMO], { SCOUT_CACHE_DIR: cache });
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /OS\s+Debian GNU\/Linux 12 \(bookworm\)/);
  assert.match(t.stdout, /NODE_ENV\s+production/);
});

test('scout image inspect writes to a file with -o, and cache df/prune manage the cache', () => {
  const cache = tempDir();
  const out = join(tempDir(), 'meta.json');
  assert.equal(scout(['image', 'inspect', DEMO, '--format', 'json', '-o', out], { SCOUT_CACHE_DIR: cache }).code, 0);
  const df = scout(['cache', 'df'], { SCOUT_CACHE_DIR: cache });
  assert.match(df.stdout, /layer results\s+3\s/);
  const pr = scout(['cache', 'prune'], { SCOUT_CACHE_DIR: cache });
  // Each of the 3 layer results is its index and the record of the capture set it was made for.
  assert.match(pr.stdout, /Removed 6 files/);
  assert.match(scout(['cache', 'df'], { SCOUT_CACHE_DIR: cache }).stdout, /layer results\s+0\s/);
});

test('errors are one clear line with a non-zero exit; a failed layer gives exit 3 and a warning', async () => {
  const bad = scout(['image', 'inspect', '/nonexistent/image.tar']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: \/nonexistent\/image\.tar: no such file or directory/);
  const fmt = scout(['image', 'inspect', DEMO, '--format', 'xml']);
  assert.equal(fmt.code, 1);
  assert.match(fmt.stderr, /--format must be json or table/);

  const im = await buildImage({ layers: [{ a: 'a' }, { b: 'b' }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'blobs/sha256', im.layers[1].digest.slice(7)), 'garbage');
  const r = scout(['image', 'inspect', dir, '--format', 'json', '--no-cache']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /warning: layer 1 \(sha256:[0-9a-f]{12}\)/);
  assert.equal(JSON.parse(r.stdout).warnings[0].code, 'digest-mismatch');
});
