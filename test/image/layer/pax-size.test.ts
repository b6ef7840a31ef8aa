/**
 * A layer tar whose pax `size` is not a whole number of bytes (`abc`, `-5`, `1.5`, past 2^53):
 * the layer fails with an error naming the layer and the member, never a RangeError.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { CompiledCapture } from '../../../src/image/capture.js';
import { indexTarStream } from '../../../src/image/layer/tar-index.js';
import { ScoutError } from '../../../src/util/errors.js';

/** A ustar header block with a correct checksum. */
function header(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write(type, 156);
  h.write('ustar\u000000', 257, 'latin1');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
  return `${len}${body}`;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
const ALL = new CompiledCapture({ selectors: [{ globs: ['**'] }], analyzers: [] });

test('a layer member with a pax size that is not a whole number of bytes fails the layer, naming the layer and the member', async () => {
  for (const size of ['abc', '-5', '1.5', '99999999999999999999999', '9007199254740993']) {
    const pax = Buffer.from(paxRecord('size', size));
    const member = Buffer.from('hello');
    const tar = Buffer.concat([header('PaxHeader/evil', pax.length, 'x'), pad(pax), header('usr/bin/evil', member.length, '0'), pad(member), Buffer.alloc(1024)]);
    await assert.rejects(indexTarStream(Readable.from([tar]), 'sha256:x', ALL, 'layer 3 (sha256:abcdef012345)'), (err: unknown) => {
      assert.ok(err instanceof ScoutError, `${size}: ${String(err)}`);
      assert.equal(err.code, 'corrupt-layer');
      assert.equal(err.message, `layer 3 (sha256:abcdef012345): invalid pax size "${size}" for member "usr/bin/evil"`);
      return true;
    }, size);
  }
});

test('an empty pax size means no pax size (the keyword is deleted, as POSIX says): the header\'s size is used', async () => {
  const pax = Buffer.from(paxRecord('size', ''));
  const member = Buffer.from('hello');
  const tar = Buffer.concat([header('PaxHeader/x', pax.length, 'x'), pad(pax), header('etc/x', member.length, '0'), pad(member), header('etc/y', 2, '0'), pad(Buffer.from('yy')), Buffer.alloc(1024)]);
  const index = await indexTarStream(Readable.from([tar]), 'sha256:x', ALL, 'layer 0');
  assert.deepEqual(index.entries.map((e) => [e.path, e.size]), [['/etc/x', 5], ['/etc/y', 2]]);
  assert.equal(index.captured.get('/etc/x')?.toString(), 'hello');
});
