/**
 * Applying layers one on top of another, as a container runtime's overlay does: which paths a
 * layer changed (package attribution reads this), deletions, opaque folders, a path changing
 * type, hard links across layers, and the sparse tree the scanner builds for big images.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureSpec } from '../../src/image/capture.js';
import { FileTree } from '../../src/image/filetree.js';
import type { LayerRef } from '../../src/image/layer-index.js';
import { indexFromMemory, treeFromMemory, type MemoryEntry } from '../../src/image/layer/memory-index.js';

const ALL: CaptureSpec = { selectors: [{ globs: ['**'] }], analyzers: [] };
const ref = (i: number): LayerRef => ({ index: i, digest: `sha256:blob${i}`, diffId: `sha256:diff${i}` });

/** Applies layers one by one; returns the tree and what each apply() said it changed (sorted). */
async function applyAll(layers: Record<string, MemoryEntry>[], spec = ALL, sparse = false): Promise<{ tree: FileTree; touched: string[][] }> {
  const tree = new FileTree(sparse);
  const touched: string[][] = [];
  for (let i = 0; i < layers.length; i++) touched.push(tree.apply(ref(i), await indexFromMemory(layers[i], spec)).sort());
  return { tree, touched };
}

test('apply() returns what a layer added, changed and deleted; a whiteout of nothing changes nothing', async () => {
  const { touched } = await applyAll([
    { '/etc/a': 'a', '/etc/b': 'b', '/var/cache/x/1': '1', '/var/cache/x/2': '2' },
    { '/etc/a': 'a2', '/etc/b': { whiteout: true }, '/etc/never': { whiteout: true }, '/var/cache/x': { opaque: true }, '/var/cache/x/3': '3' },
  ]);
  assert.deepEqual(touched[0], ['/etc/a', '/etc/b', '/var/cache/x/1', '/var/cache/x/2']);
  assert.deepEqual(touched[1], ['/etc/a', '/etc/b', '/var/cache/x/1', '/var/cache/x/2', '/var/cache/x/3']);
});

test('entries keep their size, mode and link target; the layer reference is the one applied', async () => {
  const { tree } = await applyAll([{ '/bin/sh': 'shell!', '/bin/bash': { symlink: 'sh' }, '/srv': { dir: true } }]);
  const sh = tree.lstat('/bin/sh')!;
  assert.equal(sh.size, 6);
  assert.equal(sh.mode, 0o644);
  assert.deepEqual(sh.layer, ref(0));
  assert.deepEqual(sh.firstLayer, ref(0));
  assert.equal(tree.lstat('/bin/bash')!.linkTarget, 'sh');
  assert.equal(tree.lstat('/bin/bash')!.mode, 0o777);
  assert.equal(tree.lstat('/srv')!.type, 'dir');
  assert.equal(tree.lstat('/srv')!.mode, 0o755);
  assert.equal(tree.lstat('/bin/bash')!.hardlinkTo, undefined);
});

test('a folder the image never listed is made on the way, attributed to the layer that needed it', async () => {
  const { tree } = await applyAll([{ '/a': 'x' }, { '/deep/er/file': 'f' }]);
  const d = tree.lstat('/deep/er')!;
  assert.equal(d.type, 'dir');
  assert.equal(d.layer.index, 1);
  assert.equal(d.firstLayer.index, 1);
  assert.equal(d.path, '/deep/er');
});

test('a path that changes type counts as first brought by the layer that changed it; same type keeps the first layer', async () => {
  const { tree } = await applyAll([{ '/x': 'file', '/y': 'file', '/z': { symlink: '/y' } }, { '/x/inner': 'in', '/y': 'new content', '/z': 'now a file' }]);
  assert.equal(tree.lstat('/x')!.type, 'dir');
  assert.equal(tree.lstat('/x')!.firstLayer.index, 1);
  assert.equal(tree.lstat('/y')!.firstLayer.index, 0);
  assert.equal(tree.lstat('/y')!.layer.index, 1);
  assert.equal(tree.lstat('/z')!.type, 'file');
  assert.equal(tree.lstat('/z')!.firstLayer.index, 1);
});

test('a folder replaced by a file loses its children; a folder listed again keeps them', async () => {
  const { tree } = await applyAll([
    { '/opt/app/bin/run': 'r', '/opt/data/keep': 'k' },
    { '/opt/app': 'now a file', '/opt/data': { dir: true }, '/opt/data/new': 'n' },
  ]);
  assert.equal(tree.lstat('/opt/app')!.type, 'file');
  assert.equal(tree.lstat('/opt/app/bin/run'), undefined);
  assert.deepEqual(tree.list('/opt/data').map((n) => n.path).sort(), ['/opt/data/keep', '/opt/data/new']);
  assert.equal(tree.lstat('/opt/data')!.firstLayer.index, 0);
  assert.equal(tree.lstat('/opt/data')!.layer.index, 1);
});

test('an opaque marker for a folder no lower layer had makes an empty folder', async () => {
  const { tree, touched } = await applyAll([{ '/a': 'x' }, { '/new/dir': { opaque: true } }]);
  assert.equal(tree.lstat('/new/dir')!.type, 'dir');
  assert.deepEqual(tree.list('/new/dir'), []);
  assert.deepEqual(touched[1], []);
});

test('hard links: size and content come from the target, also when the target is in a lower layer', async () => {
  const { tree } = await applyAll([
    { '/usr/bin/perl5.36': 'PERL-BINARY' },
    { '/usr/bin/perl': { hardlink: '/usr/bin/perl5.36' }, '/usr/bin/orphan': { hardlink: '/usr/bin/gone' } },
  ]);
  const perl = tree.lstat('/usr/bin/perl')!;
  assert.equal(perl.type, 'file');
  assert.equal(perl.size, 11);
  assert.equal(perl.hardlinkTo, '/usr/bin/perl5.36');
  assert.equal(perl.linkTarget, undefined, 'a hard link is a file, not a symlink');
  assert.equal(tree.readText('/usr/bin/perl'), 'PERL-BINARY');
  const orphan = tree.lstat('/usr/bin/orphan')!;
  assert.equal(orphan.type, 'file');
  assert.equal(orphan.size, 0);
  assert.equal(tree.read('/usr/bin/orphan'), undefined);
});

test('a hard link takes its size from the target even when neither is captured', async () => {
  const spec: CaptureSpec = { selectors: [{ globs: ['/etc/**'] }], analyzers: [] };
  const { tree } = await applyAll([{ '/usr/share/base/motd': 'hello', '/etc/motd': { hardlink: '/usr/share/base/motd' } }], spec);
  assert.equal(tree.read('/usr/share/base/motd'), undefined, 'not captured under its own name');
  assert.equal(tree.lstat('/etc/motd')!.size, 5);
});

test('a hard link in a later layer keeps reading the target after the target is replaced', async () => {
  const t = await treeFromMemory([{ '/a': 'old' }, { '/b': { hardlink: '/a' } }, { '/a': 'new' }], ALL);
  assert.equal(t.readText('/b'), 'old', 'the link shares the inode it was made to, not the later file');
});

test('a sparse tree: skipped files hide what they replace, folders and deletions stay', async () => {
  const spec: CaptureSpec = { selectors: [{ globs: ['**/*.json'] }], analyzers: [] };
  const { tree, touched } = await applyAll(
    [
      { '/app/package.json': '{}', '/app/config.json': '{"a":1}', '/app/readme.md': 'r', '/lib/x.json': 'x' },
      // config.json becomes a folder (not kept, but it must hide the old file), readme is replaced
      // by another skipped file, unrelated skipped files land in a folder nobody kept (each of
      // them removes nothing and changes nothing).
      { '/app/config.json': { dir: true }, '/app/readme.md': 'r2', '/var/log/big.log': 'l', '/var/log/big.log.1': 'l1', '/lib/x.json': { whiteout: true } },
      { '/app/package.json': 'not json any more, but still a .json path' },
    ],
    spec,
    true,
  );
  assert.deepEqual(touched[0], ['/app/config.json', '/app/package.json', '/lib/x.json']);
  assert.deepEqual(touched[1], ['/app/config.json', '/lib/x.json']);
  assert.deepEqual(touched[2], ['/app/package.json']);
  assert.equal(tree.lstat('/app/config.json'), undefined, 'a skipped folder entry hides the file it replaces');
  assert.equal(tree.lstat('/app/readme.md'), undefined);
  assert.equal(tree.lstat('/var/log/big.log'), undefined);
  assert.equal(tree.lstat('/var/log/big.log.1'), undefined);
  assert.equal(tree.lstat('/lib/x.json'), undefined);
  assert.equal(tree.lstat('/app/package.json')!.layer.index, 2);
});

test('a sparse tree removes a kept file that a later layer replaces with a skipped one', async () => {
  const spec: CaptureSpec = { selectors: [{ globs: ['/etc/**'] }], analyzers: [] };
  const layers: Record<string, MemoryEntry>[] = [{ '/etc/app.conf': 'v1' }, { '/etc/app.conf': '' }];
  const { tree, touched } = await applyAll(layers, spec, true);
  // An empty file is never captured (nothing to read), so the sparse tree does not keep it.
  assert.equal(tree.lstat('/etc/app.conf'), undefined);
  assert.deepEqual(touched[1], ['/etc/app.conf']);
  const full = await applyAll(layers, spec, false);
  assert.equal(full.tree.lstat('/etc/app.conf')!.size, 0);
  assert.equal(full.tree.read('/etc/app.conf'), undefined);
});

test('a sparse tree keeps links and their folders, and finds kept files again after a folder is made', async () => {
  const spec: CaptureSpec = { selectors: [{ globs: ['/etc/*.conf'] }], analyzers: [] };
  const { tree, touched } = await applyAll(
    [
      { '/usr/share/big': 'b', '/etc/a.conf': 'a' },
      // The skipped file's folder does not exist in the sparse tree; then a kept file makes it,
      // and a later skipped file of the same folder must still be able to replace a kept one.
      { '/opt/x/skip': 's', '/opt/x/link': { symlink: '/etc/a.conf' }, '/etc/skip.txt': 't' },
      { '/opt/x/link': 'now a plain file, skipped' },
    ],
    spec,
    true,
  );
  assert.deepEqual(touched[1], ['/opt/x/link']);
  assert.deepEqual(touched[2], ['/opt/x/link']);
  assert.equal(tree.lstat('/opt/x/link'), undefined);
  assert.equal(tree.lstat('/opt/x')!.type, 'dir');
  assert.equal(tree.readText('/etc/a.conf'), 'a');
});

test('fromLayers builds the tree that applying the layers one by one builds, sparse or not', async () => {
  const spec: CaptureSpec = { selectors: [{ globs: ['/etc/**'] }], analyzers: [] };
  const files: Record<string, MemoryEntry>[] = [
    { '/etc/a.conf': 'a', '/usr/share/doc/x': 'x', '/etc/link': { symlink: 'a.conf' } },
    { '/etc/b.conf': 'b', '/usr/share/doc/x': { whiteout: true } },
  ];
  const layers = await Promise.all(files.map(async (f, i) => ({ ref: ref(i), index: await indexFromMemory(f, spec) })));
  for (const sparse of [false, true]) {
    const built = FileTree.fromLayers(layers, sparse);
    const { tree } = await applyAll(files, spec, sparse);
    assert.equal(built.sparse, sparse);
    assert.deepEqual(built.layers, [ref(0), ref(1)]);
    assert.deepEqual([...built.walk()], [...tree.walk()], `sparse=${sparse}`);
    assert.equal(built.readText('/etc/link'), 'a');
  }
  assert.equal(FileTree.fromLayers(layers).lstat('/usr/share/doc')!.type, 'dir', 'not sparse by default');
  assert.equal(FileTree.fromLayers(layers, true).lstat('/usr/share/doc'), undefined);
});
