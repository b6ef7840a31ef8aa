// Mutation testing with Stryker, one target at a time (`npm run mutate -- TARGET`, see
// scripts/mutate.mjs): each mutant of the target's sources is run against only the tests
// of that target, through the command runner (Node's test runner has no Stryker plugin).
// The machine is small and shared, so concurrency stays at 1–2 and results are incremental:
// a rerun only tests mutants whose code or tests changed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TARGETS } from './scripts/mutation-targets.mjs';

const name = process.env.SCOUT_MUTATE_TARGET ?? 'versions';
const target = TARGETS[name];
if (!target) throw new Error(`unknown mutation target ${name}: one of ${Object.keys(TARGETS).join(', ')}`);

/** The target's test files: each named file, every *.test.ts below each named folder. */
function testFiles(paths) {
  return paths.flatMap((p) => (p.endsWith('.test.ts') ? [p] : readdirSync(p, { recursive: true }).filter((f) => f.endsWith('.test.ts')).map((f) => join(p, f)))).sort();
}

export default {
  mutate: target.mutate,
  testRunner: 'command',
  // Node's runner straight on the files: no transpile step (these tests start no CLI), one
  // process fewer per mutant.
  commandRunner: { command: `node --import tsx --test --test-reporter=dot --test-concurrency=1 ${testFiles(target.tests).join(' ')}` },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  concurrency: Number(process.env.SCOUT_MUTATE_CONCURRENCY ?? 2),
  incremental: true,
  incrementalFile: `mutation/${name}.incremental.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  // The sandbox needs the sources, tests, fixtures and scripts; not builds or caches.
  ignorePatterns: ['dist', '.test-build', 'reports', 'mutation', 'docs', 'bench', 'src/web'],
  timeoutMS: 60_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
