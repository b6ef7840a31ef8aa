// Capture spec loaded by worker threads in test/image/worker.test.ts (workers import it by URL).
export const capture = { selectors: [{ globs: ['/etc/os-release', '**/package.json'] }], analyzers: [] };
