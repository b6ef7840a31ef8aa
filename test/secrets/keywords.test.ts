/**
 * The one-pass keyword search picks exactly the rules a separate search for each keyword
 * would: on keywords at the very start and end of a text, split or overlapping, in random text
 * made of keyword pieces, and with package-tree files leaving out the app-only rule. The same
 * search over a file's chunks (as the layer pass hands them over, cut anywhere, down to a byte
 * each) finds the same rules as over the whole file. Long texts, searched a word at a time,
 * give the same rules at every alignment of their memory and over any sub-range.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { KeywordIndex } from '../../src/secrets/keywords.js';
import { RULES, type SecretRule } from '../../src/secrets/rules.js';

const index = new KeywordIndex(RULES);
const naive = (buf: Buffer, skip?: (r: SecretRule) => boolean) => RULES.filter((r) => !skip?.(r) && r.keywords.some((k) => buf.indexOf(k) !== -1)).map((r) => r.id);
const fast = (buf: Buffer, skip?: (r: SecretRule) => boolean) => index.candidates(buf, skip).map((r) => r.id);

test('keyword index: the same rules as a search for each keyword', () => {
  const keywords = [...new Set(RULES.flatMap((r) => r.keywords))];
  for (const k of keywords) {
    for (const text of [k, `x${k}`, `${k}x`, `${k.slice(0, -1)}`, `${k.slice(0, 2)}\n${k.slice(2)}`, `${k}${k}`]) {
      const b = Buffer.from(text);
      assert.deepEqual(fast(b), naive(b), JSON.stringify(text));
    }
  }
  const piece = fc.oneof(fc.constantFrom(...keywords.map((k) => k.slice(0, 1 + Math.floor(k.length / 2)))), fc.constantFrom(...keywords.map((k) => k.slice(Math.floor(k.length / 2)))), fc.constantFrom(...keywords), fc.string({ maxLength: 4 }));
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.boolean(), (parts, app) => {
      const b = Buffer.from(parts.join(''));
      const skip = app ? undefined : (r: SecretRule) => !!r.appOnly;
      assert.deepEqual(fast(b, skip), naive(b, skip));
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
  );
});

test('keyword index: long texts at every alignment of their memory, over any sub-range, as a search for each keyword', () => {
  const keywords = [...new Set(RULES.flatMap((r) => r.keywords))];
  const filler = fc.string({ minLength: 0, maxLength: 40 });
  fc.assert(
    fc.property(fc.array(fc.tuple(filler, fc.constantFrom(...keywords)), { minLength: 1, maxLength: 8 }), filler, fc.nat(7), fc.nat(), fc.nat(), (parts, end, shift, a, b) => {
      const text = Buffer.from(parts.map(([f, k]) => f + k).join('') + end);
      // The same bytes at `shift` bytes past a 4-byte boundary of a bigger buffer, as chunks of a layer lie.
      const mem = Buffer.alloc(text.length + 16);
      text.copy(mem, shift);
      const buf = mem.subarray(shift, shift + text.length);
      const from = a % (buf.length + 1);
      const to = from + (b % (buf.length - from + 1));
      const rules = index.rulesOf(index.search(buf, from, to)).map((r) => r.id);
      assert.deepEqual(rules, naive(buf.subarray(from, to)), `${JSON.stringify(text.toString())} at +${shift}, [${from}, ${to})`);
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 500) * 4 },
  );
  // Every keyword at every offset of a 200-byte text, at every alignment: first and last words included.
  for (const k of keywords) {
    for (let shift = 0; shift < 4; shift++) {
      for (let at = 0; at + k.length <= 200; at += 1 + (at > 8 && at < 180 ? 13 : 0)) {
        const mem = Buffer.alloc(208, 0x2e);
        mem.write(k, shift + at, 'latin1');
        const buf = mem.subarray(shift, shift + 200);
        assert.deepEqual(index.rulesOf(index.search(buf)).map((r) => r.id), naive(buf), `${k} at ${at}, memory +${shift}`);
      }
    }
  }
});

/** The rules the streaming search finds in `buf` cut at `cuts` (offsets, any order). */
function streamed(buf: Buffer, cuts: number[]): string[] {
  const stream = index.stream();
  stream.reset();
  const at = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const c of [...at, buf.length]) {
    // Chunks are views into a bigger buffer in the layer pass: so here too.
    if (c > from) stream.write(buf.subarray(from, c));
    from = Math.max(from, c);
  }
  return index.rulesOf(stream.rules).map((r) => r.id);
}

test('keyword stream: the same rules over chunks cut anywhere as over the whole file', () => {
  const keywords = [...new Set(RULES.flatMap((r) => r.keywords))];
  for (const k of keywords) {
    const b = Buffer.from(`ab${k}cd`);
    // Every single cut, and one byte per chunk.
    for (let c = 0; c <= b.length; c++) assert.deepEqual(streamed(b, [c]), naive(b), `${k} cut at ${c}`);
    assert.deepEqual(streamed(b, Array.from({ length: b.length }, (_, i) => i)), naive(b), `${k} a byte at a time`);
  }
  const stream = index.stream();
  stream.write(Buffer.from('ghp_'));
  assert.equal(stream.passed(), true);
  stream.reset();
  stream.write(Buffer.from('gh'));
  stream.reset();
  stream.write(Buffer.from('p_'));
  assert.equal(stream.passed(), false, 'reset forgets the bytes before it');
  const piece = fc.oneof(fc.constantFrom(...keywords), fc.constantFrom(...keywords.map((k) => k.slice(0, 1 + Math.floor(k.length / 2)))), fc.string({ maxLength: 6 }));
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 12 }), (parts, cuts) => {
      const b = Buffer.from(parts.join(''));
      assert.deepEqual(streamed(b, cuts), naive(b));
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
  );
});
