/**
 * Runs the fuzz targets with fast-check: inputs are a seed with random byte edits, a seed cut
 * short, or random bytes. A fixed seed (printed) makes every failure reproducible; a failing
 * input is to be kept under test/fixtures/fuzz/<target>/ where fuzz.test.ts replays it.
 */
import fc from 'fast-check';
import { ScoutError } from '../../src/util/errors.js';
import type { FuzzTarget } from './targets.js';

/** Slowest acceptable case (generous: CI machines are shared): a hang or a quadratic blow-up overruns it. */
export const CASE_BUDGET_MS = 30_000;

function inputs(t: FuzzTarget): fc.Arbitrary<Buffer> {
  const seed = fc.constantFrom(...t.seeds.map((s) => Buffer.from(s)));
  const edited = fc.tuple(seed, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete', 'dup')), { maxLength: 12 })).map(([b, edits]) => {
    let out = Buffer.from(b);
    for (const [pos, byte, op] of edits) {
      const at = out.length ? pos % out.length : 0;
      if (op === 'set' && out.length) out[at] = byte;
      else if (op === 'insert') out = Buffer.concat([out.subarray(0, at), Buffer.from([byte]), out.subarray(at)]);
      else if (op === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
      else {
        // Repeat a piece: repeated stanzas, keys and entries are where quadratic code shows.
        const piece = out.subarray(at, at + 64);
        out = Buffer.concat([out.subarray(0, at), ...Array.from({ length: 8 }, () => piece), out.subarray(at)]);
      }
    }
    return out;
  });
  const cut = fc.tuple(seed, fc.nat()).map(([b, n]) => b.subarray(0, b.length ? n % b.length : 0));
  const random = fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a));
  const text = fc.string({ maxLength: 256 }).map((s) => Buffer.from(s));
  return fc.oneof({ weight: 6, arbitrary: edited }, { weight: 2, arbitrary: cut }, { weight: 1, arbitrary: random }, { weight: 1, arbitrary: text });
}

/** One case: resolves, or rejects with what broke the invariants. */
export async function runCase(t: FuzzTarget, input: Buffer): Promise<void> {
  const started = Date.now();
  try {
    await t.run(input);
  } catch (err) {
    if (!(err instanceof ScoutError)) throw err;
  }
  const took = Date.now() - started;
  if (took > CASE_BUDGET_MS) throw new Error(`${t.name}: one case took ${took} ms (budget ${CASE_BUDGET_MS} ms)`);
}

export async function fuzz(t: FuzzTarget, opts: { seed: number; numRuns: number }): Promise<void> {
  await fc.assert(
    fc.asyncProperty(inputs(t), (input) => runCase(t, input)),
    { seed: opts.seed, numRuns: opts.numRuns, endOnFailure: true },
  );
}
