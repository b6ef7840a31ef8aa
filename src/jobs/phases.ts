/**
 * Where a job attempt's time went, by phase, in milliseconds: the queue records how long the
 * job waited to be claimed (`claim`), its `prepare` and its commit (`commit`: from the end of
 * prepare to its transaction committed, a group's wait included); handlers add their own
 * phases (`timed`). `scout worker` logs them with each job and the benchmarks add them up, so
 * "where does a re-match's time go" has an answer without a profiler.
 */
export type JobPhases = Record<string, number>;

/** Runs `fn`, adding its duration to `phases[name]` (a phase may run several times in one job). */
export async function timed<T>(phases: JobPhases, name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    phases[name] = (phases[name] ?? 0) + (performance.now() - started);
  }
}

/** Phases rounded to 0.1 ms, for a log line. */
export function roundedPhases(phases: JobPhases): JobPhases {
  return Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}
