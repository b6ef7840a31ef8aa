/**
 * The push parser against real tars (GNU tar's pax, gnu, oldgnu and ustar output), fed in every
 * way a stream can cut them: one byte at a time, across header and body boundaries, whole. Every
 * cut must give what tar-stream (an independent reader) reads, and a stream that stops partway
 * must fail exactly when it stopped inside a header, an extension or a body.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extract as tarExtract } from 'tar-stream';
import { HEAD_BYTES, TarParser, parseTar, type TarHeader } from '../../../src/image/layer/tar-parser.js';
import { ScoutError } from '../../../src/util/errors.js';
import { gnuTar, type GnuTarEntry, type TarFormat } from '../../helpers/gnu-tar.js';

type Entry = { name: string; type: string; size: number; mode: number; linkname: string; body?: string; head?: string };

const LONG_DIR = `usr/lib/${'node_modules/a-package-with-a-long-name/'.repeat(4)}lib`;
const LONG_BASE = `${'a-long-file-name-'.repeat(7)}.js`;
// 140 bytes: ustar keeps it in the prefix field, pax and GNU formats in their own ways.
const MID_DIR = `opt/${'segment-of-a-path/'.repeat(7)}leaf`;

function members(longNames: boolean): [string, GnuTarEntry][] {
  const list: [string, GnuTarEntry][] = [
    ['etc', { dir: true }],
    ['etc/os-release', 'ID=debian\nVERSION_ID=12\n'],
    ['etc/empty', ''],
    ['etc/block', 'b'.repeat(512)],
    ['etc/just-over', 'o'.repeat(513)],
    ['etc/head-and-more', Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('')],
    ['etc/link', { symlink: 'os-release' }],
    ['etc/hard', { hardlink: 'etc/os-release' }],
    ['etc/fifo', { fifo: true }],
    [MID_DIR, { dir: true }],
    [`${MID_DIR}/package.json`, '{"name":"mid"}'],
  ];
  if (longNames) list.push([LONG_DIR, { dir: true }], [`${LONG_DIR}/${LONG_BASE}`, 'long'], [`${LONG_DIR}/to-long`, { symlink: `${LONG_DIR}/${LONG_BASE}` }]);
  return list;
}

const TYPES: Record<string, string> = { file: '0', link: '1', symlink: '2', directory: '5', fifo: '6' };

/** What tar-stream reads from `tar`: the oracle. */
async function oracle(tar: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  const ex = tarExtract();
  await new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const e: Entry = { name: h.name.replace(/\/+$/, ''), type: TYPES[h.type ?? ''] ?? `?${h.type}`, size: h.size ?? 0, mode: h.mode ?? 0, linkname: h.linkname ?? '' };
        if (e.type === '0') e.body = Buffer.concat(chunks).toString('latin1');
        out.push(e);
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
    ex.end(tar);
  });
  return out;
}

/** The parser fed `tar` in chunks of the given sizes (cycled), every file's body collected. */
function parseInChunks(tar: Buffer, sizes: number[]): Entry[] {
  const out: Entry[] = [];
  const parser = new TarParser((h: TarHeader, head) => {
    const e: Entry = { ...h };
    out.push(e);
    if (head) e.head = head.toString('latin1');
    if (h.type !== '0') return undefined;
    const chunks: Buffer[] = [];
    return { write: (c) => chunks.push(Buffer.from(c)), end: () => (e.body = Buffer.concat(chunks).toString('latin1')) };
  });
  for (let pos = 0, k = 0; pos < tar.length && !parser.done; k++) {
    const n = sizes[k % sizes.length];
    parser.push(tar.subarray(pos, pos + n));
    pos += n;
  }
  parser.end();
  return out;
}

const CUTS = [[1], [7], [511], [512], [513], [100, 412, 1024], [3, 509], [1536], [4096], [1 << 20]];

for (const format of ['pax', 'gnu', 'oldgnu', 'ustar'] as TarFormat[]) {
  test(`a ${format} tar fed in chunks of every size gives what tar-stream reads, head and bodies included`, async () => {
    const tar = gnuTar(members(format !== 'ustar'), format);
    const expected = await oracle(tar);
    assert.equal(expected.length, members(format !== 'ustar').length);
    for (const sizes of CUTS) {
      const got = parseInChunks(tar, sizes);
      assert.deepEqual(got.map(({ head: _h, ...e }) => e), expected, `chunks of ${sizes.join('/')}`);
      for (const e of got) {
        // head is the first bytes of a file's body, given only when they came in the same chunk as its header.
        if (e.head === undefined) continue;
        assert.equal(e.type, '0');
        assert.equal(e.head, e.body!.slice(0, HEAD_BYTES), `${e.name}: head`);
      }
      if (sizes[0] === 1 << 20) {
        // One chunk: every non-empty file had its head at hand.
        assert.deepEqual(got.filter((e) => e.head !== undefined).map((e) => e.name), expected.filter((e) => e.type === '0' && e.size > 0).map((e) => e.name));
      }
      if (sizes[0] === 1) assert.ok(got.every((e) => e.head === undefined), 'byte by byte, no head is ever at hand');
    }
  });
}

/** Where each member's header and data lie in a tar GNU tar wrote (sizes are octal there). */
function layout(tar: Buffer): { header: number; dataEnd: number }[] {
  const out: { header: number; dataEnd: number }[] = [];
  for (let off = 0; ; ) {
    if (tar.subarray(off, off + 512).every((b) => b === 0)) {
      out.push({ header: off, dataEnd: off + 512 });
      return out;
    }
    const size = parseInt(tar.toString('latin1', off + 124, off + 136).replace(/\0.*$/, '').trim() || '0', 8);
    out.push({ header: off, dataEnd: off + 512 + size });
    off += 512 + Math.ceil(size / 512) * 512;
  }
}

test('a tar cut anywhere fails as truncated exactly when the cut is inside a header, an extension or a body', async () => {
  const tar = gnuTar(members(true), 'pax');
  const spans = layout(tar);
  assert.ok(spans.length > 10);
  // Every byte around every boundary, and a stride through the rest.
  const cuts = new Set<number>();
  for (const s of spans) for (const p of [s.header, s.header + 1, s.header + 511, s.header + 512, s.header + 513, s.dataEnd - 1, s.dataEnd, s.dataEnd + 1]) cuts.add(p);
  for (let p = 0; p < tar.length; p += 397) cuts.add(p);
  for (const cut of [...cuts].filter((c) => c >= 0 && c <= tar.length).sort((a, b) => a - b)) {
    const inside = spans.some((s) => cut > s.header && cut < s.dataEnd);
    for (const sizes of [[cut || 1], [300]]) {
      let err: unknown;
      try {
        parseInChunks(tar.subarray(0, cut), sizes);
      } catch (e) {
        err = e;
      }
      if (inside) {
        assert.ok(err instanceof ScoutError, `cut at ${cut} (chunks ${sizes}): ${String(err)}`);
        assert.equal(err.code, 'truncated-layer');
        assert.equal(err.message, 'tar ends in the middle of an entry');
      } else assert.equal(err, undefined, `cut at ${cut} is between entries`);
    }
  }
});

test('after the end-of-archive block nothing is parsed, yet the source is read to its end', async () => {
  const tar = gnuTar([['a', 'first']], 'pax');
  const junk = gnuTar([['b', 'after the end']], 'pax');
  let read = 0;
  const source = (async function* () {
    for (const c of [tar, junk, Buffer.from('not a tar at all')]) {
      read++;
      yield c;
    }
  })();
  const names: string[] = [];
  await parseTar(source, (h) => void names.push(h.name));
  assert.deepEqual(names, ['a']);
  assert.equal(read, 3);
  const parser = new TarParser(() => undefined);
  assert.equal(parser.done, false);
  parser.push(tar);
  assert.equal(parser.done, true);
});

test('inBody is true exactly while a file\'s bytes are still to come', () => {
  const tar = gnuTar([['a', 'x'.repeat(1000)], ['b', '']], 'ustar');
  const parser = new TarParser(() => undefined);
  parser.push(tar.subarray(0, 512));
  assert.equal(parser.inBody, true);
  parser.push(tar.subarray(512, 1511));
  assert.equal(parser.inBody, true);
  parser.push(tar.subarray(1511, 1512));
  assert.equal(parser.inBody, false, 'the body is complete; only padding is left');
  parser.push(tar.subarray(1512, 2048 + 512));
  assert.equal(parser.inBody, false, 'an empty file has no body');
});
