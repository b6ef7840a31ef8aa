/**
 * How catalogers look things up in the squashed tree: path normalising, symlinks followed
 * (or not) the way the kernel does inside a chroot, listings, walks and the captured/analyzed
 * lists. Layers are indexed by the same builder as a tar layer (indexFromMemory).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptureSpec, FileAnalyzer } from '../../src/image/capture.js';
import { FileTree, normalizePath } from '../../src/image/filetree.js';
import { indexFromMemory, treeFromMemory, type MemoryEntry } from '../../src/image/layer/memory-index.js';

const ALL: CaptureSpec = { selectors: [{ globs: ['**'] }], analyzers: [] };

/** A small analyzer: the interpreter a script's '#!' line names. */
const shebang: FileAnalyzer = {
  name: 'shebang',
  version: 1,
  maxSize: 1 << 20,
  select: (_path, _size, head) => head.subarray(0, 2).toString() === '#!',
  analyze: (content) => content.toString('utf8').split('\n')[0].slice(2).trim(),
};

const paths = (nodes: Iterable<{ path: string }>): string[] => [...nodes].map((n) => n.path);

test('normalizePath gives every spelling of a path the one "/a/b" form, never above the root', () => {
  const cases: [string, string][] = [
    ['/usr/lib', '/usr/lib'],
    ['usr/lib', '/usr/lib'],
    ['/usr//lib/', '/usr/lib'],
    ['/usr/./lib/../bin', '/usr/bin'],
    ['/a/.', '/a'],
    ['/a/..', '/'],
    ['./a', '/a'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['..', '/'],
    ['\\Windows\\System32', '/Windows/System32'],
    ['/a/b/', '/a/b'],
    ['/', '/'],
    ['', '/'],
    ['/.hidden/..dots/x.', '/.hidden/..dots/x.'],
  ];
  for (const [raw, want] of cases) assert.equal(normalizePath(raw), want, JSON.stringify(raw));
});

/** An image with the link shapes real distributions have: merged /usr, relative and absolute links. */
async function linkedTree(extra: Record<string, MemoryEntry> = {}): Promise<FileTree> {
  return treeFromMemory(
    [
      {
        '/usr/lib/os-release': 'ID=test\n',
        '/usr/lib/libz.so.1': 'ELF',
        '/lib': { symlink: 'usr/lib' },
        '/etc/os-release': { symlink: '../usr/lib/os-release' },
        '/etc/alternatives/python': { symlink: '/usr/bin/python3' },
        '/usr/bin/python3': '#!/usr/bin/env python3\n',
        '/usr/bin/tool': '#!/bin/sh\necho\n',
        '/dangling': { symlink: '/no/such/file' },
        '/loop1': { symlink: 'loop2' },
        '/loop2': { symlink: 'loop1' },
        ...extra,
      },
    ],
    { ...ALL, analyzers: [shebang] },
  );
}

test('realpath follows links in the middle and at the end; followLast=false keeps the last one', async () => {
  const t = await linkedTree();
  assert.equal(t.realpath('/etc/os-release'), '/usr/lib/os-release');
  assert.equal(t.realpath('/lib/libz.so.1'), '/usr/lib/libz.so.1');
  assert.equal(t.realpath('/etc/os-release', false), '/etc/os-release');
  assert.equal(t.realpath('/lib/os-release', false), '/usr/lib/os-release', 'a linked folder on the way is still followed');
  assert.equal(t.realpath('/lib', false), '/lib');
  assert.equal(t.realpath('/lib'), '/usr/lib');
  assert.equal(t.realpath('/dangling'), undefined);
  assert.equal(t.realpath('/dangling', false), '/dangling');
  assert.equal(t.realpath('/'), '/');
  assert.equal(t.realpath('//usr/./lib/'), '/usr/lib');
});

test('a relative link resolves from its own folder, an absolute one from the root, wherever the link lives', async () => {
  // The shapes of a Debian image: versioned binaries and sonames behind relative links in the
  // same folder, alternatives behind absolute ones, and a link into a sibling folder.
  const t = await treeFromMemory(
    [
      {
        '/usr/bin/python3.11': '#!python\n',
        '/usr/bin/python3': { symlink: 'python3.11' },
        '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13': 'ELF-z',
        '/usr/lib/x86_64-linux-gnu/libz.so.1': { symlink: 'libz.so.1.2.13' },
        '/usr/lib/x86_64-linux-gnu/libz.so': { symlink: '../x86_64-linux-gnu/./libz.so.1' },
        '/usr/sbin/py': { symlink: '../bin/python3' },
        '/etc/alternatives/python': { symlink: '/usr/bin/python3' },
        '/usr/local/bin/python': { symlink: '/etc/alternatives/python' },
      },
    ],
    ALL,
  );
  assert.equal(t.realpath('/usr/bin/python3'), '/usr/bin/python3.11');
  assert.equal(t.readText('/usr/bin/python3'), '#!python\n');
  assert.equal(t.realpath('/usr/lib/x86_64-linux-gnu/libz.so'), '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13');
  assert.equal(t.readText('/usr/lib/x86_64-linux-gnu/libz.so.1'), 'ELF-z');
  assert.equal(t.realpath('/usr/sbin/py'), '/usr/bin/python3.11');
  assert.equal(t.realpath('/etc/alternatives/python'), '/usr/bin/python3.11');
  assert.equal(t.realpath('/usr/local/bin/python'), '/usr/bin/python3.11');
  assert.equal(t.stat('/usr/local/bin/python')!.size, 9);
  assert.deepEqual(t.follow('/usr/bin/python3'), { path: '/usr/bin/python3.11', exists: true });
  assert.deepEqual(t.follow('/usr/lib/x86_64-linux-gnu/libz.so'), { path: '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13', exists: true });
  assert.deepEqual(t.follow('/usr/sbin/py'), { path: '/usr/bin/python3.11', exists: true });
  assert.deepEqual(t.follow('/usr/local/bin/python'), { path: '/usr/bin/python3.11', exists: true });
});

test('follow tells where a path leads even when nothing is there, and "loop" for a loop', async () => {
  const t = await linkedTree();
  assert.deepEqual(t.follow('/etc/os-release'), { path: '/usr/lib/os-release', exists: true });
  assert.deepEqual(t.follow('/lib/libmissing.so'), { path: '/usr/lib/libmissing.so', exists: false });
  assert.deepEqual(t.follow('/dangling'), { path: '/no/such/file', exists: false });
  assert.deepEqual(t.follow('/etc/alternatives/python'), { path: '/usr/bin/python3', exists: true });
  assert.deepEqual(t.follow('/nothing/below'), { path: '/nothing/below', exists: false });
  assert.deepEqual(t.follow('/'), { path: '/', exists: true });
  assert.deepEqual(t.follow('/usr/lib/'), { path: '/usr/lib', exists: true });
  assert.equal(t.follow('/loop1'), 'loop');
  assert.equal(t.follow('/loop1/x'), 'loop');
});

/** A chain /l0 -> /l1 -> ... -> /l<n> -> /target. */
function chain(n: number): Record<string, MemoryEntry> {
  const files: Record<string, MemoryEntry> = { '/target': 'end' };
  for (let i = 0; i < n; i++) files[`/l${i}`] = { symlink: i === n - 1 ? 'target' : `l${i + 1}` };
  return files;
}

test('a chain of 40 links resolves and one of 41 is a loop (the kernel\'s MAXSYMLINKS)', async () => {
  const ok = await treeFromMemory([chain(40)], ALL);
  assert.equal(ok.realpath('/l0'), '/target');
  assert.equal(ok.readText('/l0'), 'end');
  assert.deepEqual(ok.follow('/l0'), { path: '/target', exists: true });
  const tooLong = await treeFromMemory([chain(41)], ALL);
  assert.equal(tooLong.realpath('/l0'), undefined);
  assert.equal(tooLong.read('/l0'), undefined);
  assert.equal(tooLong.follow('/l0'), 'loop');
  // One hop fewer from the second link: 40 again.
  assert.equal(tooLong.realpath('/l1'), '/target');
  assert.deepEqual(tooLong.follow('/l1'), { path: '/target', exists: true });
});

test('lstat reports the path itself, stat what it points to; both resolve links on the way', async () => {
  const t = await linkedTree();
  const link = t.lstat('/etc/os-release')!;
  assert.equal(link.type, 'symlink');
  assert.equal(link.linkTarget, '../usr/lib/os-release');
  assert.equal(link.path, '/etc/os-release');
  assert.equal(t.stat('/etc/os-release')!.path, '/usr/lib/os-release');
  assert.equal(t.stat('/etc/os-release')!.size, 8);
  // A file below a linked folder: lstat resolves the folder, not the file.
  assert.equal(t.lstat('/lib/os-release')!.path, '/usr/lib/os-release');
  assert.equal(t.lstat('/lib')!.type, 'symlink');
  assert.equal(t.lstat('/')!.type, 'dir');
  assert.equal(t.lstat('/usr/')!.path, '/usr');
  assert.equal(t.lstat('/dangling')!.type, 'symlink');
  assert.equal(t.stat('/dangling'), undefined);
  assert.equal(t.lstat('/missing/file'), undefined);
  assert.equal(t.lstat('/usr/lib/os-release/x'), undefined, 'nothing lives below a file');
});

test('read gives captured content of files only, following links', async () => {
  const t = await linkedTree();
  assert.equal(t.readText('/etc/os-release'), 'ID=test\n');
  assert.equal(t.read('/usr/lib'), undefined, 'a folder has no content');
  assert.equal(t.read('/dangling'), undefined);
  assert.equal(t.readText('/missing'), undefined);
  const spec: CaptureSpec = { selectors: [{ globs: ['/etc/*'] }], analyzers: [] };
  const partial = await treeFromMemory([{ '/etc/hostname': 'box', '/usr/share/doc': 'not captured' }], spec);
  assert.equal(partial.readText('/etc/hostname'), 'box');
  assert.equal(partial.lstat('/usr/share/doc')!.type, 'file');
  assert.equal(partial.read('/usr/share/doc'), undefined, 'listed but not captured');
});

test('list gives a folder\'s direct children, through a linked folder; nothing for a file or a missing path', async () => {
  const t = await linkedTree();
  assert.deepEqual(paths(t.list('/lib')).sort(), ['/usr/lib/libz.so.1', '/usr/lib/os-release']);
  assert.deepEqual(paths(t.list('/')).sort(), ['/dangling', '/etc', '/lib', '/loop1', '/loop2', '/usr']);
  assert.deepEqual(t.list('/usr/lib/os-release'), []);
  assert.deepEqual(t.list('/missing'), []);
});

test('walk yields parents before children in path order, from any folder, without following links', async () => {
  const t = await linkedTree();
  assert.deepEqual(paths(t.walk('/usr')), ['/usr', '/usr/bin', '/usr/bin/python3', '/usr/bin/tool', '/usr/lib', '/usr/lib/libz.so.1', '/usr/lib/os-release']);
  assert.deepEqual(paths(t.walk('/etc')), ['/etc', '/etc/alternatives', '/etc/alternatives/python', '/etc/os-release']);
  assert.deepEqual(paths(t.walk('/lib')), ['/lib'], 'a linked folder is walked as the link');
  assert.deepEqual(paths(t.walk('/missing')), []);
  const all = paths(t.walk());
  assert.equal(all[0], '/dangling');
  assert.ok(!all.includes('/'), 'the root itself is not yielded');
  assert.equal(all.length, 15);
  assert.deepEqual(paths(t.glob('/usr/*/*')), ['/usr/bin/python3', '/usr/bin/tool', '/usr/lib/libz.so.1', '/usr/lib/os-release']);
  assert.deepEqual(paths(t.glob('/lib/*')), [], 'glob does not go through linked folders');
});

test('captured() and analyzed() list what catalogers can read, sorted, and follow later layers', async () => {
  const spec: CaptureSpec = { selectors: [{ globs: ['/etc/**'] }], analyzers: [shebang] };
  const t = new FileTree();
  const layers: Record<string, MemoryEntry>[] = [
    { '/etc/b.conf': 'b', '/etc/a.conf': 'a', '/usr/bin/tool': '#!/bin/sh\n', '/usr/bin/bin': '\x7fELF', '/opt/run': '#!/usr/bin/python3\n' },
    { '/etc/a.conf': { whiteout: true }, '/usr/bin/zz': '#!/bin/bash\n' },
  ];
  t.apply({ index: 0, digest: 'sha256:l0', diffId: 'sha256:l0' }, await indexFromMemory(layers[0], spec));
  assert.deepEqual(paths(t.captured()), ['/etc/a.conf', '/etc/b.conf', '/opt/run', '/usr/bin/tool']);
  assert.deepEqual(t.analyzed('shebang'), ['/opt/run', '/usr/bin/tool']);
  assert.deepEqual(t.analyzed('other'), []);
  assert.equal(t.analysis('/usr/bin/tool', 'shebang'), '/bin/sh');
  assert.equal(t.analysis('/etc/b.conf', 'shebang'), undefined);
  t.apply({ index: 1, digest: 'sha256:l1', diffId: 'sha256:l1' }, await indexFromMemory(layers[1], spec));
  assert.deepEqual(paths(t.captured()), ['/etc/b.conf', '/opt/run', '/usr/bin/tool', '/usr/bin/zz']);
  assert.deepEqual(t.analyzed('shebang'), ['/opt/run', '/usr/bin/tool', '/usr/bin/zz']);
  assert.equal(t.analysis('/usr/bin/zz', 'shebang'), '/bin/bash');
  assert.equal(t.firstLayer('/usr/bin/zz')!.index, 1);
  assert.equal(t.lastLayer('/etc/b.conf')!.index, 0);
  assert.equal(t.firstLayer('/etc/a.conf'), undefined);
  assert.deepEqual(t.layers.map((l) => l.index), [0, 1]);
});

test('captured() is sorted by path for a layer of hundreds of files in any order (as /usr/share/zoneinfo)', async () => {
  // Enough entries that the sort merges runs rather than inserting one by one.
  const files: Record<string, MemoryEntry> = {};
  for (const region of ['Pacific', 'America', 'Europe', 'Asia', 'Africa']) {
    for (let i = 0; i < 80; i++) files[`/usr/share/zoneinfo/${region}/City${(i * 37) % 80}`] = `TZif ${region} ${i}`;
  }
  files['/usr/share/zoneinfo/UTC'] = 'TZif UTC';
  files['/etc/localtime'] = { symlink: '/usr/share/zoneinfo/UTC' };
  const t = await treeFromMemory([files], ALL);
  const got = paths(t.captured());
  assert.equal(got.length, 401);
  assert.deepEqual(got, [...got].sort());
  assert.equal(new Set(got).size, got.length);
});
