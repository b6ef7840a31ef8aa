import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { openImage } from '../../src/image/open.js';
import { scanImage, treeOf } from '../../src/image/scan.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

const CAPTURE = { module: new URL('./worker-capture.fixture.ts', import.meta.url).href, name: 'capture' };

test('layers indexed in worker threads give the same result as on the main thread', async () => {
  const { capture } = await import('./worker-capture.fixture.js');
  const im = await buildImage({
    layers: [
      { 'etc/os-release': 'ID=debian\n', 'usr/share/a.txt': 'x'.repeat(300_000), 'app/package.json': '{"name":"a"}' },
      { 'app/package.json': '{"name":"b"}', 'etc/.wh.os-release': '' },
      { 'big.bin': Buffer.alloc(2_000_000, 5), 'lib/link': { symlink: '../app/package.json' } },
    ],
  });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const inThread = await scanImage(await openImage(dir), capture, { cache: false });
  const threaded = await scanImage(await openImage(dir), capture, { cache: false, workerCapture: CAPTURE, workerThresholdBytes: 0, concurrency: 2 });
  assert.deepEqual(threaded.warnings, []);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(threaded.layers[i].index!.entries, inThread.layers[i].index!.entries, `layer ${i} entries`);
    assert.deepEqual([...threaded.layers[i].index!.captured], [...inThread.layers[i].index!.captured], `layer ${i} captured`);
  }
  assert.equal(treeOf(threaded).readText('/lib/link'), '{"name":"b"}');
});

test('a digest mismatch found in a worker is reported like on the main thread', async () => {
  const im = await buildImage({ layers: [{ a: 'a' }, { b: 'b' }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  writeFileSync(join(dir, 'blobs/sha256', im.layers[0].digest.slice(7)), 'not the blob');
  const { capture } = await import('./worker-capture.fixture.js');
  const scan = await scanImage(await openImage(dir), capture, { cache: false, workerCapture: CAPTURE, workerThresholdBytes: 0, concurrency: 2 });
  assert.deepEqual(scan.failedLayers, [0]);
  assert.equal(scan.warnings[0].code, 'digest-mismatch');
  assert.match(scan.warnings[0].message, /^layer 0 \(sha256:[0-9a-f]{12}\): blob digest mismatch/);
});
