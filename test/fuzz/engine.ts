/**
 * Runs the fuzz targets with fast-check: inputs are a seed with random byte edits, a seed cut
 * short, or random bytes. A fixed seed (printed) makes every failure reproducible; a failing
 * input is to be kept under test/fixtures/fuzz/<target>/ where fuzz.test.ts replays it.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Most the heap may grow over one case (after a collection when the runtime exposes gc). */
export const CASE_HEAP_BUDGET = 512 * 1024 * 1024;

/**
 * One case: resolves, or rejects with what broke the invariants. It runs with SCOUT_CACHE_DIR
 * and TMPDIR in a sandbox of its own: the temp folder must stay empty (but for tsx's compile
 * cache), so anything written outside the cache is seen. `work` is the target's own folder
 * for the files it makes (an archive to hand the CLI).
 */
export async function runCase(t: FuzzTarget, input: Buffer): Promise<void> {
  const sandbox = mkdtempSync(join(tmpdir(), 'scout-fuzz-'));
  const tmp = join(sandbox, 'tmp');
  const work = join(sandbox, 'work');
  mkdirSync(tmp);
  mkdirSync(work);
  const saved = { TMPDIR: process.env.TMPDIR, SCOUT_CACHE_DIR: process.env.SCOUT_CACHE_DIR };
  process.env.TMPDIR = tmp;
  process.env.SCOUT_CACHE_DIR = join(sandbox, 'cache');
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap = process.memoryUsage().heapUsed;
  const started = Date.now();
  try {
    try {
      await t.run(input, work);
    } catch (err) {
      if (!(err instanceof ScoutError)) throw err;
    }
    const took = Date.now() - started;
    if (took > CASE_BUDGET_MS) throw new Error(`${t.name}: one case took ${took} ms (budget ${CASE_BUDGET_MS} ms)`);
    gc?.();
    const grew = process.memoryUsage().heapUsed - heap;
    if (grew > CASE_HEAP_BUDGET) throw new Error(`${t.name}: the heap grew ${grew} bytes in one case (budget ${CASE_HEAP_BUDGET})`);
    const outside = readdirSync(tmp).filter((n) => !n.startsWith('tsx-'));
    if (outside.length) throw new Error(`${t.name}: wrote outside the cache, in TMPDIR: ${outside.join(', ')}`);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(sandbox, { recursive: true, force: true });
  }
}

export async function fuzz(t: FuzzTarget, opts: { seed: number; numRuns: number }): Promise<void> {
  await fc.assert(
    fc.asyncProperty(inputs(t), (input) => runCase(t, input)),
    { seed: opts.seed, numRuns: Math.max(1, Math.round(opts.numRuns * (t.share ?? 1))), endOnFailure: true },
  );
}
