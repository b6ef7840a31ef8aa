/**
 * The squashed tree built from layer tars written by the real GNU tar and read by the layer
 * reader (indexTarStream), for what in-memory layers cannot show: a layer that lists the image
 * root itself ('./', as `tar -C rootfs .` writes), and named pipes (tar type '6'), which a
 * sparse tree must drop like any file it does not keep.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { CompiledCapture, type CaptureSpec } from '../../src/image/capture.js';
import { FileTree } from '../../src/image/filetree.js';
import type { LayerIndex, LayerRef } from '../../src/image/layer-index.js';
import { indexTarStream } from '../../src/image/layer/tar-index.js';
import { gnuTar, type GnuTarEntry } from '../helpers/gnu-tar.js';

const ALL: CaptureSpec = { selectors: [{ globs: ['**'] }], analyzers: [] };
const ref = (i: number): LayerRef => ({ index: i, digest: `sha256:blob${i}`, diffId: `sha256:diff${i}` });

async function tarLayer(entries: [string, GnuTarEntry][], spec: CaptureSpec, i: number): Promise<LayerIndex> {
  return indexTarStream(Readable.from([gnuTar(entries, 'pax')]), `sha256:diff${i}`, new CompiledCapture(spec), `layer ${i}`);
}

/** Applies the layers one by one; returns the tree and what each apply() said it changed (sorted). */
async function applyTars(layers: [string, GnuTarEntry][][], spec: CaptureSpec, sparse: boolean): Promise<{ tree: FileTree; touched: string[][] }> {
  const tree = new FileTree(sparse);
  const touched: string[][] = [];
  for (let i = 0; i < layers.length; i++) touched.push(tree.apply(ref(i), await tarLayer(layers[i], spec, i)).sort());
  return { tree, touched };
}

test("a layer that lists the root itself ('./') adds no entry for it: the root stays the tree's own, above every layer", async () => {
  const layer: [string, GnuTarEntry][] = [['.', { dir: true }], ['etc', { dir: true }], ['etc/hostname', 'box\n']];
  const index = await tarLayer(layer, ALL, 0);
  assert.ok(index.entries.some((e) => e.path === '/' && e.type === 'dir'), "the reader lists './' as '/'");
  const { tree, touched } = await applyTars([layer], ALL, false);
  assert.deepEqual(touched[0], ['/etc', '/etc/hostname']);
  assert.deepEqual(tree.list('/').map((n) => n.path), ['/etc']);
  assert.deepEqual([...tree.walk()].map((n) => n.path), ['/etc', '/etc/hostname']);
  const root = tree.lstat('/')!;
  assert.equal(root.path, '/');
  assert.equal(root.type, 'dir');
  // No layer brought the root: attribution must never name a layer for it.
  assert.deepEqual(root.firstLayer, { index: -1, digest: '', diffId: '' });
  assert.deepEqual(root.layer, root.firstLayer);
  assert.equal(tree.stat('/')!.path, '/');
});

test('a named pipe is a node of type "other" in a full tree; a sparse tree drops it and what it replaces', async () => {
  const spec: CaptureSpec = { selectors: [{ globs: ['/etc/**'] }], analyzers: [] };
  const layers: [string, GnuTarEntry][][] = [
    [['etc', { dir: true }], ['etc/app.conf', 'port=80\n'], ['etc/keep.conf', 'k\n']],
    // The app's config is replaced by a pipe it reads at start; another pipe lands in /run.
    [['etc/app.conf', { fifo: true }], ['run', { dir: true }], ['run/ctl', { fifo: true }]],
  ];
  const full = await applyTars(layers, spec, false);
  assert.equal(full.tree.lstat('/etc/app.conf')!.type, 'other');
  assert.equal(full.tree.lstat('/run/ctl')!.type, 'other');
  assert.equal(full.tree.read('/etc/app.conf'), undefined, 'a pipe has no content');
  assert.deepEqual(full.touched[1], ['/etc/app.conf', '/run', '/run/ctl']);

  const sparse = await applyTars(layers, spec, true);
  assert.equal(sparse.tree.lstat('/etc/app.conf'), undefined, 'the kept config must not show through the pipe');
  assert.equal(sparse.tree.lstat('/run/ctl'), undefined);
  assert.equal(sparse.tree.readText('/etc/keep.conf'), 'k\n');
  assert.deepEqual(sparse.touched[1], ['/etc/app.conf']);
  assert.deepEqual(sparse.tree.captured().map((n) => n.path), ['/etc/keep.conf']);
});
