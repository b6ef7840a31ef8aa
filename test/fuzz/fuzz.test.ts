/**
 * The short fuzz run of `npm test` (a few dozen cases per target, fixed seed printed), and the
 * replay of every input that ever broke a target (test/fixtures/fuzz/<target>/*). The long run
 * is `npm run fuzz` (FUZZ_RUNS, FUZZ_SEED).
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

test(`fuzz targets, seed ${SEED}, ${RUNS} cases each (FUZZ_SEED=${SEED} reproduces)`, async (t) => {
  for (const target of TARGETS) {
    await t.test(target.name, async () => {
      for (const s of target.seeds) await runCase(target, Buffer.from(s));
      await fuzz(target, { seed: SEED, numRuns: RUNS });
    });
  }
});

test('every kept fuzz case still passes its target', async () => {
  let replayed = 0;
  for (const target of TARGETS) {
    const dir = join(FIXTURES, target.name);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      await runCase(target, readFileSync(join(dir, f)));
      replayed++;
    }
  }
  assert.ok(replayed > 0, 'the kept cases are replayed');
});
