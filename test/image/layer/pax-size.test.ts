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
import { header, paxRecord, pad } from '../../helpers/tar-blocks.js';

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
