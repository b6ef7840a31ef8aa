/**
 * The short fuzz run of `npm test` (a few dozen cases per target, fixed seed printed), and the
 * replay of every input that ever broke a target (test/fixtures/fuzz/<target>/*). The long run
 * is `npm run fuzz` (FUZZ_RUNS, FUZZ_SEED; FUZZ_TARGET=a,b runs only those targets).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fuzz, runCase } from './engine.js';
import { TARGETS } from './targets.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/fuzz/', import.meta.url));
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const ONLY = process.env.FUZZ_TARGET?.split(',').filter(Boolean);
const unknown = ONLY?.filter((n) => !TARGETS.some((t) => t.name === n)) ?? [];
if (unknown.length) throw new Error(`FUZZ_TARGET names no target: ${unknown.join(', ')} (targets: ${TARGETS.map((t) => t.name).join(', ')})`);
const CHOSEN = ONLY ? TARGETS.filter((t) => ONLY.includes(t.name)) : TARGETS;

test(`fuzz targets, seed ${SEED}, ${RUNS} cases each (FUZZ_SEED=${SEED} reproduces)`, async (t) => {
  for (const target of CHOSEN) {
    await t.test(target.name, async () => {
      const started = Date.now();
      for (const s of target.seeds) await runCase(target, Buffer.from(s));
      await fuzz(target, { seed: SEED, numRuns: RUNS });
      t.diagnostic(`${target.name}: ${Math.max(1, Math.round(RUNS * (target.share ?? 1)))} cases in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  }
});

test('every kept fuzz case still passes its target', async () => {
  let replayed = 0;
  for (const target of CHOSEN) {
    const dir = join(FIXTURES, target.name);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      await runCase(target, readFileSync(join(dir, f)));
      replayed++;
    }
  }
  assert.ok(replayed > 0 || ONLY, 'the kept cases are replayed');
});
