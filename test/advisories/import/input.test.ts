import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, lines, type SplitLine } from '../../../src/advisories/import/input.js';
import { rawRecords } from '../helpers.js';

/** Splits `bytes` into chunks of `size` and runs them through a LineSplitter. */
function split(bytes: Buffer, size: number, max: number): SplitLine[] {
  const s = new LineSplitter(max);
  const out: SplitLine[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...s.push(bytes.subarray(i, i + size)));
  out.push(...s.end());
  // Each line's bytes are exactly what its text was decoded from (no \r, no BOM).
  return out.map(({ bytes: b, ...line }) => {
    if (line.tooLong) assert.equal(b, undefined);
    else assert.equal(Buffer.compare(b ?? Buffer.alloc(0), Buffer.from(line.text)), 0, `bytes of line ${line.no}`);
    return line;
  });
}

/** What the lines must be, worked out on the whole text at once (no chunking at all). */
function expected(text: string, max: number): SplitLine[] {
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((p, i) => {
    let t = p.endsWith('\r') ? p.slice(0, -1) : p;
    if (i === 0 && t.startsWith('\uFEFF')) t = t.slice(1);
    return Buffer.byteLength(p) > max ? { no: i + 1, text: '', tooLong: true } : { no: i + 1, text: t };
  });
}

test('lines come out the same whatever the chunk boundaries: CRLF, BOM, multi-byte characters, long lines', () => {
  const text = '\uFEFF{"a":"é"}\r\n\r\n{"b":"日本語"}\n' + 'x'.repeat(40) + '\n{"c":"😀"}\r\nlast line without newline';
  const bytes = Buffer.from(text);
  for (const max of [1000, 30]) {
    const want = expected(text, max);
    assert.ok(want.some((l) => l.tooLong) === (max === 30));
    for (let size = 1; size <= bytes.length; size++) assert.deepEqual(split(bytes, size, max), want, `chunk size ${size}, max ${max}`);
  }
});

test('an input ending in a newline has no empty last line; an empty input has no lines', () => {
  assert.deepEqual(split(Buffer.from('a\nb\n'), 3, 100), [{ no: 1, text: 'a' }, { no: 2, text: 'b' }]);
  assert.deepEqual(split(Buffer.alloc(0), 3, 100), []);
  // A too-long last line without a newline is still reported as one line.
  assert.deepEqual(split(Buffer.from('ok\n' + 'y'.repeat(50)), 7, 10), [{ no: 1, text: 'ok' }, { no: 2, text: '', tooLong: true }]);
});

test('lines() over a real feed yields every record line', async () => {
  const { gzipSync } = await import('node:zlib');
  const { decodedChunks } = await import('../../../src/advisories/import/input.js');
  const raw = rawRecords('go.osv.jsonl.gz');
  const body = gzipSync(raw.map((r) => JSON.stringify(r)).join('\n'));
  const ids: string[] = [];
  for await (const l of lines(decodedChunks(body, 'go'))) ids.push((JSON.parse(l.text) as { id: string }).id);
  assert.deepEqual(ids, raw.map((r) => r.id));
});
