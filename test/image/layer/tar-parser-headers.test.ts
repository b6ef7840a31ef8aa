/**
 * Header blocks real tars rarely or never write, read the way POSIX and GNU tar define them: old
 * V7 and contiguous-file types, base-256 sizes, pax global headers, extension headers at and over
 * the size limit, and hostile fields (a bad checksum, a size that is not a number), which fail
 * the layer with an error saying what was wrong.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TarParser, type TarHeader } from '../../../src/image/layer/tar-parser.js';
import { ScoutError } from '../../../src/util/errors.js';
import { gnuTar } from '../../helpers/gnu-tar.js';
import { header, pad, paxRecord } from '../../helpers/tar-blocks.js';

type Got = TarHeader & { body?: string };

/** Every entry of `tar` fed in chunks of `chunk` bytes, with the bodies a sink was given. */
function parse(tar: Buffer, chunk = tar.length): Got[] {
  const out: Got[] = [];
  const parser = new TarParser((h) => {
    const e: Got = { ...h };
    out.push(e);
    const chunks: Buffer[] = [];
    return { write: (c) => chunks.push(Buffer.from(c)), end: () => (e.body = Buffer.concat(chunks).toString()) };
  });
  for (let p = 0; p < tar.length; p += chunk) parser.push(tar.subarray(p, p + chunk));
  parser.end();
  return out;
}

/** Writes the header's checksum again after a field was changed by hand. */
function reseal(h: Buffer): Buffer {
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

const END = Buffer.alloc(1024);

/** A tar without its end-of-archive blocks (GNU tar pads to 10 KiB records), to go on with more members. */
function withoutEnd(tar: Buffer): Buffer {
  let end = tar.length;
  while (end > 0 && tar[end - 1] === 0) end--;
  return tar.subarray(0, Math.ceil(end / 512) * 512);
}
const member = (name: string, body: string, type = '0') => [header(name, Buffer.byteLength(body), type), pad(Buffer.from(body))];

function rejects(tar: Buffer, code: string, message: string) {
  for (const chunk of [tar.length, 1, 100]) {
    assert.throws(() => parse(tar, chunk), (err: unknown) => {
      assert.ok(err instanceof ScoutError, String(err));
      assert.equal(err.code, code);
      assert.equal(err.message, message);
      return true;
    }, `chunks of ${chunk}`);
  }
}

test('a header whose checksum does not match its bytes fails the layer', () => {
  const [h, b] = member('etc/passwd', 'root:x:0:0\n');
  h[0] = 'E'.charCodeAt(0);
  rejects(Buffer.concat([...member('ok', 'fine'), h, b, END]), 'corrupt-layer', 'invalid tar header (checksum mismatch)');
});

test('a size field that is not octal fails the layer instead of being read as a number', () => {
  for (const field of ['0000000009\0\0', '00000000-12\0', '00000x00012\0']) {
    const [h, b] = member('etc/x', 'x');
    h.write(field, 124, 12, 'latin1');
    reseal(h);
    rejects(Buffer.concat([h, b, END]), 'corrupt-layer', 'invalid tar header (size field)');
  }
});

test('a base-256 size (GNU, for sizes octal cannot hold) is read', () => {
  const body = 'y'.repeat(700);
  const [h, b] = member('big', body);
  h.fill(0, 124, 136);
  h[124] = 0x80;
  h.writeUInt16BE(700, 134);
  reseal(h);
  const got = parse(Buffer.concat([h, b, ...member('after', 'z'), END]));
  assert.deepEqual(got.map((e) => [e.name, e.size, e.body]), [['big', 700, body], ['after', 1, 'z']]);
});

test('old V7 (type NUL) and contiguous (type 7) members are regular files with their bodies', () => {
  const [v7, v7b] = member('old', 'v7 body', '\0');
  const got = parse(Buffer.concat([v7, v7b, ...member('contig', 'contiguous', '7'), ...member('fifo', '', '6'), END]), 7);
  assert.deepEqual(got.map((e) => [e.name, e.type, e.body]), [['old', '0', 'v7 body'], ['contig', '7', 'contiguous'], ['fifo', '6', undefined]]);
});

test('a regular-file member whose name ends in "/" is a folder (old tars wrote folders so); folder names lose their trailing slashes', () => {
  const got = parse(Buffer.concat([...member('usr/', ''), ...member('opt//', '', '5'), ...member('link/', '', '2'), ...member('srv', '', '5'), END]));
  assert.deepEqual(got.map((e) => [e.name, e.type]), [['usr', '5'], ['opt', '5'], ['link/', '2'], ['srv', '5']]);
});

test('mode and link target come from the header; a link field starting with NUL is no target', () => {
  const [h] = member('bin/su', '');
  h.write('0004755\0', 100, 'latin1');
  h.write('target', 157, 'latin1');
  reseal(h);
  const [l] = member('lnk', '', '2');
  l.write('/etc/passwd', 157, 'latin1');
  reseal(l);
  const [n] = member('none', '', '2');
  n.write('\0garbage', 157, 'latin1');
  reseal(n);
  const got = parse(Buffer.concat([h, l, n, END]));
  assert.deepEqual(got.map((e) => [e.name, e.mode, e.linkname]), [['bin/su', 0o4755, 'target'], ['lnk', 0o644, '/etc/passwd'], ['none', 0o644, '']]);
});

test('a pax global header does not name the next member; a pax header names only the member after it', () => {
  const g = Buffer.from(paxRecord('path', 'global/name'));
  const x = Buffer.from(paxRecord('path', 'from/pax') + paxRecord('linkpath', 'pax/target'));
  const tar = Buffer.concat([header('pax_global_header', g.length, 'g'), pad(g), ...member('plain', 'p'), header('PaxHeader/x', x.length, 'x'), pad(x), ...member('short', '', '2'), ...member('next', 'n'), END]);
  for (const chunk of [tar.length, 1, 511]) {
    assert.deepEqual(parse(tar, chunk).map((e) => [e.name, e.linkname, e.body ?? null]), [['plain', '', 'p'], ['from/pax', 'pax/target', null], ['next', '', 'n']], `chunks of ${chunk}`);
  }
});

test('an empty pax header changes nothing', () => {
  const tar = Buffer.concat([header('PaxHeader/e', 0, 'x'), ...member('name', 'body'), END]);
  assert.deepEqual(parse(tar, 1).map((e) => [e.name, e.body]), [['name', 'body']]);
});

test('extension headers up to 1 MiB are read whole, bigger ones fail the layer before their bytes are buffered', () => {
  // A pax record exactly 1 MiB long, then GNU long names longer than a block (the buffer grows).
  const tail = paxRecord('path', 'p/after-big-pax');
  let value = 'c'.repeat(1024 * 1024 - tail.length - 20);
  while (paxRecord('comment', value).length + tail.length < 1024 * 1024) value += 'c';
  const rec = Buffer.from(paxRecord('comment', value) + tail);
  const big = Buffer.from(paxRecord('comment', value) + paxRecord('path', 'p/after-big-paxx'));
  assert.equal(rec.length, 1024 * 1024);
  assert.equal(big.length, 1024 * 1024 + 1);
  const longName = `${'d'.repeat(200)}/`.repeat(8) + 'leaf';
  const gnuLong = gnuTar([[longName, 'deep']], 'gnu');
  const tar = Buffer.concat([header('PaxHeader/big', rec.length, 'x'), pad(rec), ...member('ignored', 'one'), withoutEnd(gnuLong), ...member('last', 'two'), END]);
  assert.deepEqual(parse(tar, 4096).map((e) => [e.name, e.body]), [['p/after-big-pax', 'one'], [longName, 'deep'], ['last', 'two']]);
  const limit = 1024 * 1024;
  rejects(Buffer.concat([header('PaxHeader/big', big.length, 'x'), pad(big), END]), 'corrupt-layer', `tar extended header of ${big.length} bytes is over the ${limit}-byte limit`);
  rejects(Buffer.concat([header('././@LongLink', limit + 1, 'L'), END]), 'corrupt-layer', `tar extended header of ${limit + 1} bytes is over the ${limit}-byte limit`);
  rejects(Buffer.concat([header('././@LongLink', limit + 1, 'K'), END]), 'corrupt-layer', `tar extended header of ${limit + 1} bytes is over the ${limit}-byte limit`);
  rejects(Buffer.concat([header('PaxHeader/g', limit + 1, 'g'), END]), 'corrupt-layer', `tar extended header of ${limit + 1} bytes is over the ${limit}-byte limit`);
});

test('a GNU long link target (type K) belongs to the next member only', () => {
  const target = `/${'t'.repeat(150)}/${'u'.repeat(150)}`;
  const k = Buffer.from(target + '\0');
  const tar = Buffer.concat([header('././@LongLink', k.length, 'K'), pad(k), ...member('lnk', '', '2'), ...member('other', '', '2'), END]);
  assert.deepEqual(parse(tar, 3).map((e) => [e.name, e.linkname]), [['lnk', target], ['other', '']]);
});

test('a header whose name is empty (its first byte NUL) is an entry, not the end of the archive', () => {
  const [h, b] = member('', 'nameless');
  h.write('0000755\0', 100, 'latin1');
  reseal(h);
  const got = parse(Buffer.concat([h, b, ...member('after', 'a'), END]));
  assert.deepEqual(got.map((e) => [e.name, e.body]), [['', 'nameless'], ['after', 'a']]);
});

test('a file\'s first bytes come with its header when its whole body ends exactly where the chunk does', () => {
  const body = 'q'.repeat(512);
  const tar = Buffer.concat([...member('exact', body), ...member('short', 'abc'), END]);
  const heads: [string, string | undefined][] = [];
  const parser = new TarParser((h, head) => void heads.push([h.name, head?.toString()]));
  parser.push(tar.subarray(0, 1024));
  parser.push(tar.subarray(1024, 1024 + 512 + 3));
  parser.push(tar.subarray(1024 + 512 + 3));
  parser.end();
  assert.deepEqual(heads, [['exact', body], ['short', 'abc']]);
});

test('a valid pax size, 0 included, overrides the header\'s; a bad one is quoted cut to 64 characters, the member to 256', () => {
  for (const [paxSize, body] of [['5', 'hello'], ['0', '']] as const) {
    const pax = Buffer.from(paxRecord('size', paxSize));
    const [h] = member('sized', 'x'.repeat(700));
    const tar = Buffer.concat([header('PaxHeader/s', pax.length, 'x'), pad(pax), h, pad(Buffer.from(body)), ...member('next', 'n'), END]);
    assert.deepEqual(parse(tar).map((e) => [e.name, e.size, e.body]), [['sized', body.length, body], ['next', 1, 'n']], `pax size ${paxSize}`);
  }
  const bad = '9'.repeat(100);
  const name = 'n'.repeat(300);
  const pax = Buffer.from(paxRecord('size', bad) + paxRecord('path', name));
  rejects(Buffer.concat([header('PaxHeader/s', pax.length, 'x'), pad(pax), ...member('x', 'x'), END]), 'corrupt-layer', `invalid pax size "${bad.slice(0, 64)}" for member "${name.slice(0, 256)}"`);
});

test('an old V7 header (no ustar magic) has no prefix field: the name is the name field alone', () => {
  const [h, b] = member('v7name', 'v7');
  h.write('some/prefix', 345, 'latin1');
  h.fill(0, 257, 265);
  reseal(h);
  assert.deepEqual(parse(Buffer.concat([h, b, END])).map((e) => [e.name, e.body]), [['v7name', 'v7']]);
  const [u, ub] = member('name', 'u');
  u.write('some/prefix', 345, 'latin1');
  reseal(u);
  assert.deepEqual(parse(Buffer.concat([u, ub, END])).map((e) => e.name), ['some/prefix/name']);
});
