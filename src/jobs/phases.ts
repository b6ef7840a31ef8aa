/**
 * Where a job attempt's time went, by phase, in milliseconds: the queue records how long the
 * job waited to be claimed (`claim`), its `prepare` and its commit (`commit`: from the end of
 * prepare to its transaction committed, a group's wait included); handlers add their own
 * phases (`timed`). `scout worker` logs them with each job and the benchmarks add them up, so
 * "where does a re-match's time go" has an answer without a profiler.
 *
 * With `cpu` (a handler's `phaseCpu`), a phase also records `cpu.NAME`: the CPU time (user + system, every thread) this process
 * spent while it ran. On a loaded machine a phase's wall time mostly measures the neighbours;
 * its CPU time is its own cost (plus whatever else the process ran meanwhile, such as other
 * jobs' deliveries). The database server's CPU is not in it. Off by default: each reading is
 * a getrusage call (~15 µs on a loaded machine), a cost for a job as small as a delivery.
 */
export type JobPhases = Record<string, number>;

/**
 * Runs `fn`, adding its duration to `phases[name]` and, with `cpu`, the process's CPU time
 * meanwhile to `phases['cpu.' + name]` (a phase may run several times in one job).
 */
export async function timed<T>(phases: JobPhases, name: string, fn: () => Promise<T>, cpu = false): Promise<T> {
  const started = performance.now();
  const cpuStarted = cpu ? process.cpuUsage() : undefined;
  try {
    return await fn();
  } finally {
    phases[name] = (phases[name] ?? 0) + (performance.now() - started);
    if (cpuStarted) {
      const used = process.cpuUsage(cpuStarted);
      phases[`cpu.${name}`] = (phases[`cpu.${name}`] ?? 0) + (used.user + used.system) / 1000;
    }
  }
}

/** Phases rounded to 0.1 ms, for a log line. */
export function roundedPhases(phases: JobPhases): JobPhases {
  return Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v * 10) / 10]));
}
