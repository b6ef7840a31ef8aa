/**
 * The header fields as POSIX and GNU tar write them: octal numbers padded with NULs or spaces,
 * GNU base-256 for big values, NUL-terminated (or full-width) names, pax records. Hostile
 * fields give NaN or are skipped, never a wrong number.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { num, parsePax, str } from '../../../src/image/layer/tar-header.js';
import { paxRecord } from '../../helpers/tar-blocks.js';

/** `field` placed at offset 3 of a buffer with other bytes around it, read back with num. */
function numOf(field: string | Buffer, before = 'x', after = '7'): number {
  const f = typeof field === 'string' ? Buffer.from(field, 'latin1') : field;
  const buf = Buffer.concat([Buffer.from(before.repeat(3), 'latin1'), f, Buffer.from(after.repeat(4), 'latin1')]);
  return num(buf, 3, f.length);
}

test('octal fields: every digit, padding with NULs or spaces before and after, and nothing read past the field', () => {
  assert.equal(numOf('00000000017\0'), 0o17);
  assert.equal(numOf('01234567\0'), 0o1234567);
  assert.equal(numOf('  755 \0'), 0o755);
  assert.equal(numOf('\x00\x00\x00644\x00'), 0o644);
  assert.equal(numOf('0000007'), 7, 'a full-width field without a terminator');
  assert.equal(numOf('7654321'), 0o7654321);
  assert.equal(numOf('77777777777\0'), 0o77777777777);
  assert.equal(numOf('\0\0\0\0'), 0, 'an empty field is 0');
  assert.equal(numOf('    '), 0);
  assert.equal(numOf('000'), 0);
  // The digits stop at the first NUL or space after them: what follows is not read.
  assert.equal(numOf('12 34\0\0'), 0o12);
  assert.equal(numOf('5\0' + '9'), 5);
});

test('octal fields with anything but octal digits, spaces and NULs are NaN', () => {
  for (const bad of ['0000008\0', '9\0', '00/7\0', '0x10\0', '-1\0', '1.5\0', '0000:\0', '00a0\0', '\u007f17\0']) {
    assert.ok(Number.isNaN(numOf(bad)), JSON.stringify(bad));
  }
});

test('base-256 fields (high bit set on the first byte): the other bytes big-endian, the first one\'s low bits ignored', () => {
  const field = (bytes: number[]) => Buffer.from([0x80, ...bytes]);
  assert.equal(numOf(field([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), 0);
  assert.equal(numOf(field([0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xbc])), 700);
  // 8 GiB + 1: over the 8 GiB - 1 octal can hold in 11 digits.
  assert.equal(numOf(field([0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0].slice(1))), 2 ** 33);
  assert.equal(numOf(field([0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 1])), 2 ** 32 + 1);
  assert.equal(numOf(Buffer.from([0xff, 1, 0])), 256, 'the marker byte is not part of the value');
  assert.equal(numOf(Buffer.from([0x80, 0xff])), 255);
});

test('strings stop at the first NUL, or fill the field; UTF-8 is decoded', () => {
  const buf = Buffer.from('xxhello\0world!!', 'latin1');
  assert.equal(str(buf, 2, 10), 'hello');
  assert.equal(str(buf, 8, 5), 'world', 'no NUL: the whole field');
  assert.equal(str(buf, 7, 5), '');
  assert.equal(str(Buffer.from('caf\u00e9/\u00fcber\0x', 'utf8'), 0, 40), 'caf\u00e9/\u00fcber');
});

test('pax records: key=value pairs, values with spaces, = and newlines, UTF-8; later records win', () => {
  const data = Buffer.from(paxRecord('path', 'dir/with space/a=b') + paxRecord('linkpath', 'multi\nline') + paxRecord('comment', '') + paxRecord('path', 'caf\u00e9/\u00fcber') + paxRecord('SCHILY.xattr.user.x', 'v'));
  assert.deepEqual(parsePax(data), { path: 'caf\u00e9/\u00fcber', linkpath: 'multi\nline', comment: '', 'SCHILY.xattr.user.x': 'v' });
  assert.deepEqual(parsePax(Buffer.alloc(0)), {});
});

test('malformed pax records: reading stops at the first whose length is not a positive number within the data; a record without a key is skipped', () => {
  const good = paxRecord('path', 'kept');
  const after = paxRecord('linkpath', 'never read');
  for (const bad of ['abc path=x\n', '0 path=x\n', '-5 path=x\n', '999 path=x\n', 'path=x\n']) {
    assert.deepEqual(parsePax(Buffer.from(good + bad + after)), { path: 'kept' }, JSON.stringify(bad));
  }
  // A record '=value' (no key) and one without '=' are skipped, the next ones still read.
  assert.deepEqual(parsePax(Buffer.from(paxRecord('', 'nokey') + '9 nokeys\n' + good)), { path: 'kept' });
  // The length counts the whole record: a length one short cuts the value's last byte (the newline is assumed).
  assert.deepEqual(parsePax(Buffer.from('12 path=abc\n' + '11 size=12\n')), { path: 'abc', size: '12' });
  assert.deepEqual(parsePax(Buffer.from('11 path=abc\n')), { path: 'ab' });
  // A record that ends exactly at the data's end is read; one byte more is not.
  assert.deepEqual(parsePax(Buffer.from('12 path=abc\n').subarray(0, 12)), { path: 'abc' });
  assert.deepEqual(parsePax(Buffer.from('12 path=abc').subarray(0, 11)), {});
});
