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
    tests: ['test/image/layer', 'test/image/worker.test.ts', 'test/image/analyzer-thread.test.ts', 'test/image/hostile.test.ts', 'test/image/non-regular-files.test.ts', 'test/image/memory-bombs.test.ts'],
    // The analysers run in worker threads, whose coverage the runner cannot see: every mutant
    // runs every test file (stopping at the first that fails), and none is "not covered".
    coverageAnalysis: 'off',
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
