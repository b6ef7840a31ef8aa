// What `npm run mutate` covers: each target's sources and the tests that exercise them (and
// only those, so one mutant costs one short test run).
export const TARGETS = {
  filetree: {
    mutate: ['src/image/filetree.ts'],
    tests: ['test/image/filetree.test.ts', 'test/image/filetree-layers.test.ts', 'test/image/filetree-lookups.test.ts', 'test/image/filetree-tar-layers.test.ts'],
  },
  versions: {
    mutate: ['src/versions/**/*.ts'],
    tests: ['test/versions'],
  },
  layer: {
    mutate: ['src/image/layer/**/*.ts'],
    tests: ['test/image/layer', 'test/image/worker.test.ts', 'test/image/analyzer-thread.test.ts', 'test/image/hostile.test.ts', 'test/image/non-regular-files.test.ts', 'test/image/memory-bombs.test.ts', 'test/image/opaque-whiteouts.test.ts', 'test/image/partial-layer.test.ts', 'test/image/filetree-tar-layers.test.ts'],
    // The analysers and layer workers run their jobs on the test's own thread (see
    // src/util/module-worker.ts): Stryker sees coverage only there, and with it each mutant
    // runs only the test files that reach it.
    env: { SCOUT_WORKERS_IN_THREAD: '1' },
  },
  match: {
    mutate: ['src/match/**/*.ts'],
    tests: ['test/match'],
  },
  store: {
    mutate: ['src/store/**/*.ts'],
    tests: ['test/store'],
  },
};
