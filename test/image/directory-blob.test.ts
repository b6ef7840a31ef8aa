/**
 * A layer blob that is a folder in an OCI layout (EISDIR when read): the warning names the layer
 * and says what the path is, and the other layers are still read.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openImage } from '../../src/image/open.js';
import { scanImage, treeOf } from '../../src/image/scan.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

const ALL = { selectors: [{ globs: ['**'] }], analyzers: [] };

test('a layer blob that is a folder fails that layer with a warning naming the layer and the path; the others are read', async () => {
  const im = await buildImage({ layers: [{ a: 'a' }, { b: 'b' }, { c: 'c' }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  const blob = join(dir, 'blobs', 'sha256', im.layers[1].digest.slice('sha256:'.length));
  rmSync(blob);
  mkdirSync(blob);
  const scan = await scanImage(await openImage(dir), ALL, { cache: false });
  assert.deepEqual(scan.failedLayers, [1]);
  const w = scan.warnings.find((x) => x.layerFailed)!;
  assert.ok(w.message.startsWith(`layer 1 (${im.layers[1].digest.slice(0, 19)}): `), w.message);
  assert.equal(w.layer, `layer 1 (${im.layers[1].digest.slice(0, 19)})`);
  assert.match(w.message, /is a (folder|directory)/);
  assert.doesNotMatch(w.message, /EISDIR: illegal operation/);
  const tree = treeOf(scan);
  assert.equal(tree.readText('/a'), 'a');
  assert.equal(tree.readText('/c'), 'c');
});
