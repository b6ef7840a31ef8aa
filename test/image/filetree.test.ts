import assert from 'node:assert/strict';
import { test } from 'node:test';
import { treeFromMemory, type MemoryEntry } from '../../src/image/layer/memory-index.js';
import type { CaptureSpec } from '../../src/image/capture.js';

const ALL: CaptureSpec = { selectors: [{ globs: ['**'] }], analyzers: [] };

test('a file deleted by a whiteout in a later layer disappears, siblings stay', async () => {
  const t = await treeFromMemory(
    [
      { '/etc/a.conf': 'a', '/etc/b.conf': 'b', '/opt/app/x': 'x' },
      { '/etc/a.conf': { whiteout: true }, '/opt/app': { whiteout: true } },
    ],
    ALL,
  );
  assert.equal(t.lstat('/etc/a.conf'), undefined);
  assert.equal(t.readText('/etc/b.conf'), 'b');
  assert.equal(t.lstat('/opt/app'), undefined, 'whiteout of a directory removes it');
  assert.equal(t.lstat('/opt/app/x'), undefined, 'and everything below it');
});

test('an opaque directory hides lower-layer children but keeps what its own layer adds', async () => {
  const t = await treeFromMemory(
    [
      { '/var/lib/x/old1': '1', '/var/lib/x/old2': '2' },
      // the marker is listed after the new file on purpose: order inside a tar is not guaranteed
      { '/var/lib/x/new': 'n', '/var/lib/x': { opaque: true } },
    ],
    ALL,
  );
  assert.deepEqual(t.list('/var/lib/x').map((n) => n.path), ['/var/lib/x/new']);
  assert.equal(t.readText('/var/lib/x/new'), 'n');
});

test('first and last layer attribution across three layers', async () => {
  const t = await treeFromMemory([{ '/a': 'v1', '/b': 'b' }, { '/c': 'c' }, { '/a': 'v3' }], ALL);
  const a = t.lstat('/a')!;
  assert.equal(a.firstLayer.index, 0);
  assert.equal(a.layer.index, 2);
  assert.equal(t.readText('/a'), 'v3', 'content comes from the last writer');
  assert.equal(t.lstat('/b')!.layer.index, 0);
  assert.equal(t.lstat('/c')!.firstLayer.index, 1);
});

test('a path deleted and re-added counts as first brought by the re-adding layer', async () => {
  const t = await treeFromMemory([{ '/a': '1' }, { '/a': { whiteout: true } }, { '/a': '3' }], ALL);
  assert.equal(t.lstat('/a')!.firstLayer.index, 2);
});

test('hard links share content, also across layers', async () => {
  const t = await treeFromMemory([{ '/usr/bin/python3.11': 'PY' }, { '/usr/bin/python3': { hardlink: '/usr/bin/python3.11' }, '/same': 'S', '/same-link': { hardlink: '/same' } }], ALL);
  assert.equal(t.readText('/usr/bin/python3'), 'PY');
  assert.equal(t.lstat('/usr/bin/python3')!.hardlinkTo, '/usr/bin/python3.11');
  assert.equal(t.lstat('/usr/bin/python3')!.size, 2);
  assert.equal(t.readText('/same-link'), 'S');
});

test('symlinks resolve inside the image root, never above it', async () => {
  const t = await treeFromMemory(
    [
      {
        '/etc/os-release': { symlink: '../usr/lib/os-release' },
        '/usr/lib/os-release': 'ID=test',
        '/lib': { symlink: 'usr/lib' },
        '/escape': { symlink: '../../../../etc/os-release' },
        '/abs': { symlink: '/usr/lib/os-release' },
      },
    ],
    ALL,
  );
  assert.equal(t.readText('/etc/os-release'), 'ID=test');
  assert.equal(t.readText('/lib/os-release'), 'ID=test', 'a symlinked directory in the middle of a path');
  assert.equal(t.realpath('/escape'), '/usr/lib/os-release', "'..' above the root stays at the root");
  assert.equal(t.readText('/abs'), 'ID=test');
  assert.equal(t.lstat('/etc/os-release')!.type, 'symlink');
  assert.equal(t.stat('/etc/os-release')!.type, 'file');
});

test('symlink loops end with "not found" instead of hanging', async () => {
  const t = await treeFromMemory([{ '/a': { symlink: 'b' }, '/b': { symlink: 'a' }, '/self': { symlink: '/self/x' } }], ALL);
  assert.equal(t.realpath('/a'), undefined);
  assert.equal(t.read('/a'), undefined);
  assert.equal(t.realpath('/self/y'), undefined);
});

test('a file replaced by a directory in a later layer (and back) keeps a consistent view', async () => {
  const t = await treeFromMemory([{ '/x': 'file' }, { '/x/inner': 'in' }], ALL);
  assert.equal(t.lstat('/x')!.type, 'dir');
  assert.equal(t.readText('/x/inner'), 'in');
});

test('glob and walk list squashed paths', async () => {
  const t = await treeFromMemory([{ '/app/node_modules/a/package.json': '{}', '/app/node_modules/b/package.json': '{}', '/app/x.js': '' }, { '/app/node_modules/b': { whiteout: true } }], ALL);
  assert.deepEqual(t.glob('**/node_modules/*/package.json').map((n) => n.path), ['/app/node_modules/a/package.json']);
  assert.ok([...t.walk()].some((n) => n.path === '/app/x.js'));
});

test('a sparse tree keeps captured files, links and deletions, and hides older versions of skipped paths', async () => {
  const { indexFromMemory } = await import('../../src/image/layer/memory-index.js');
  const { FileTree } = await import('../../src/image/filetree.js');
  const spec = { selectors: [{ globs: ['**/*.json'] }], analyzers: [] };
  const layers: Record<string, MemoryEntry>[] = [
    { '/a/pkg.json': '{"v":1}', '/a/readme.txt': 'r', '/link': { symlink: '/a/pkg.json' }, '/b.json': 'old' },
    { '/b.json': { whiteout: true }, '/c.json': 'c' },
  ];
  const t = new FileTree(true);
  for (let i = 0; i < layers.length; i++) t.apply({ index: i, digest: `sha256:l${i}`, diffId: `sha256:l${i}` }, await indexFromMemory(layers[i], spec));
  assert.equal(t.readText('/link'), '{"v":1}');
  assert.equal(t.lstat('/a/readme.txt'), undefined, 'not captured, not kept');
  assert.equal(t.lstat('/b.json'), undefined);
  assert.equal(t.lstat('/c.json')!.firstLayer.index, 1);
});
