// Mutation testing with Stryker, one target at a time (`npm run mutate -- TARGET`, see
// scripts/mutate.mjs): each mutant of the target's sources is run against only the tests
// of that target. The tap runner starts each test file on its own (`node --import tsx FILE`,
// Node's runner printing TAP), and Stryker records which mutants each file reaches: a mutant
// then runs only the test files that reach it (coverageAnalysis perTest, per file), and a mutant
// no test file reaches is reported without being run.
// The machine is small and shared, so concurrency stays at 1 and results are incremental:
// a rerun only tests mutants whose code or tests changed.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGETS } from './scripts/mutation-targets.mjs';

const name = process.env.SCOUT_MUTATE_TARGET ?? 'versions';
const target = TARGETS[name];
if (!target) throw new Error(`unknown mutation target ${name}: one of ${Object.keys(TARGETS).join(', ')}`);

/** The target's test files: each named file, every *.test.ts below each named folder. */
function testFiles(paths) {
  return paths.flatMap((p) => (p.endsWith('.test.ts') ? [p] : readdirSync(p, { recursive: true }).filter((f) => f.endsWith('.test.ts')).map((f) => join(p, f)))).sort();
}

// SCOUT_MUTATE_TESTS=rpm,index keeps only the target's test files whose path holds one of the
// comma-separated words: with `--mutate src/versions/rpm.ts`, the first run (which runs every
// test file once to see what each reaches) then skips the other schemes' tests. A test file
// left out cannot kill anything, so a filtered score is never higher than the full one.
const only = (process.env.SCOUT_MUTATE_TESTS ?? '').split(',').filter(Boolean);
const tests = testFiles(target.tests).filter((f) => only.length === 0 || only.some((w) => f.includes(w)));
if (tests.length === 0) throw new Error(`SCOUT_MUTATE_TESTS=${process.env.SCOUT_MUTATE_TESTS} keeps none of ${name}'s test files`);

// A target's environment (the layer target's SCOUT_WORKERS_IN_THREAD) reaches every test
// process: Stryker's runners start them with this process's environment.
Object.assign(process.env, target.env ?? {});

// The TypeScript checker recompiles what depends on a mutated file, once per mutant (mutants
// of one file cannot be checked together). Over the whole project that is hundreds of files
// for a module like filetree.ts; rooted at the target's tests it is only what they import.
const tsconfigFile = 'tsconfig.mutate.json';
writeFileSync(tsconfigFile, JSON.stringify({ extends: './tsconfig.json', include: target.mutate, files: tests }, null, 2) + '\n');

export default {
  mutate: target.mutate,
  testRunner: 'tap',
  tap: {
    testFiles: tests,
    // One process per test file, tests run in it (not in --test's subprocesses), so the
    // coverage hook sees the code they reach.
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '--test-concurrency=1'],
    forceBail: true,
  },
  // perTest: a "test" is one test file here. Coverage in a worker thread is not seen, so a
  // target whose code runs in workers runs them on the calling thread (its `env`).
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  tsconfigFile,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  concurrency: Number(process.env.SCOUT_MUTATE_CONCURRENCY ?? 1),
  incremental: true,
  // Kept out of git (reports/ is ignored): it records the last run on this machine.
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  // The sandbox needs the sources, tests, fixtures and scripts; not builds or caches.
  ignorePatterns: ['dist', '.test-build', 'reports', 'mutation', 'docs', 'bench', 'src/web'],
  // Added to the measured time of a mutant's test files: a loop a mutant makes endless ends
  // the run after this long (the files themselves take seconds).
  timeoutMS: 20_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
