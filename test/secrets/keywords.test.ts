/**
 * The one-pass keyword search picks exactly the rules a separate search for each keyword
 * would: on keywords at the very start and end of a text, split or overlapping, in random text
 * made of keyword pieces, and with package-tree files leaving out the app-only rule.
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
