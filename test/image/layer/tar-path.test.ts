/**
 * confineTarPath against Node's own path arithmetic: a member name joined onto a root folder
 * must stay inside it (else the entry is hostile and refused), and inside it the path is what
 * posix.join gives. Names are generated from the pieces real and hostile tars use: '.', '..',
 * empty segments, back slashes, dots inside names, a leading './' or '/'.
 */
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { test } from 'node:test';
import { confineTarPath } from '../../../src/image/layer/tar-path.js';

const ROOT = '/r00t';

/** What the name is inside ROOT by posix.join, or undefined when it leaves ROOT. */
function expected(name: string): string | undefined {
  const p = posix.join(ROOT, name.replace(/\\/g, '/'));
  if (p === ROOT || p === `${ROOT}/`) return '/';
  if (!p.startsWith(`${ROOT}/`)) return undefined;
  return p.slice(ROOT.length).replace(/\/+$/, '');
}

test('member names, real and hostile, confine to the root exactly as posix.join would place them', () => {
  const pieces = ['a', 'usr', 'lib64', '.', '..', '', 'x.y', '..a', '.b', 'a..', '...', 'b\\c', '\\', '.wh.a', 'ü'];
  let seed = 11;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const names = ['', '.', './', '/', '..', '../', '/..', 'a', './a', '/a', 'a/', 'a//b', './a/../b', 'a/./b', 'a\\..\\..\\b', '.../x', '..a/b', 'a/..', '/a/../..', './../etc/passwd'];
  for (let i = 0; i < 20_000; i++) {
    const n = 1 + rand(6);
    const parts = Array.from({ length: n }, () => pieces[rand(pieces.length)]);
    const lead = ['', '/', './', '//'][rand(4)];
    names.push(lead + parts.join('/'));
  }
  for (const name of names) {
    const got = confineTarPath(name);
    assert.equal(got.path, expected(name), JSON.stringify(name));
    assert.equal(got.absolute, name.startsWith('/'), JSON.stringify(name));
  }
});

test('plain names keep their bytes: the fast path adds the leading slash and drops a leading ./ only', () => {
  assert.deepEqual(confineTarPath('usr/lib/libc.so.6'), { path: '/usr/lib/libc.so.6', absolute: false });
  assert.deepEqual(confineTarPath('./usr/lib/libc.so.6'), { path: '/usr/lib/libc.so.6', absolute: false });
  assert.deepEqual(confineTarPath('/usr/bin/env'), { path: '/usr/bin/env', absolute: true });
  assert.deepEqual(confineTarPath('././a'), { path: '/a', absolute: false });
  assert.deepEqual(confineTarPath('./'), { path: '/', absolute: false });
  assert.deepEqual(confineTarPath('../etc/shadow'), { absolute: false });
  assert.deepEqual(confineTarPath('/../etc/shadow'), { absolute: true });
});

test('a layer member named ".//etc/os-release" is /etc/os-release in the index (it was "//etc/os-release", out of every lookup)', async () => {
  const { Readable } = await import('node:stream');
  const { CompiledCapture } = await import('../../../src/image/capture.js');
  const { indexTarStream } = await import('../../../src/image/layer/tar-index.js');
  const { tarOf } = await import('../../helpers/image-builder.js');
  const tar = await tarOf({ './/etc/os-release': 'ID=alpine\n', './/usr//lib/x': 'x' });
  const index = await indexTarStream(Readable.from([tar]), 'sha256:x', new CompiledCapture({ selectors: [{ globs: ['/etc/os-release'] }], analyzers: [] }), 'layer 0');
  assert.deepEqual(index.entries.map((e) => e.path), ['/etc/os-release', '/usr/lib/x']);
  assert.equal(index.captured.get('/etc/os-release')?.toString(), 'ID=alpine\n');
});
