/**
 * Where one re-match's time went, from the job outcomes of the processes that ran it (the
 * server's own queue on SQLite, the `scout worker` log lines on PostgreSQL): the advisory
 * import, the re-match job's phases, and the deliveries' claim latency, read, HTTP and commit.
 * Printed by bench/platform-rematch.bench.ts so the README can say where the time goes.
 */
import type { JobPhases } from '../../src/jobs/phases.js';
import { pct } from './measure.js';

/** One job attempt: when it ended (ms since the epoch), how long it ran, where that went. */
export interface RanJob {
  name: string;
  endedAt: number;
  durationMs: number;
  phases: JobPhases;
}

/** A `scout worker` log line as a RanJob (undefined for any other line). */
export function ranJobOfLogLine(line: string): RanJob | undefined {
  try {
    const o = JSON.parse(line) as { time?: string; job?: string; ms?: number; phases?: JobPhases };
    if (!o.time || !o.job || o.ms === undefined) return undefined;
    return { name: o.job, endedAt: Date.parse(o.time), durationMs: o.ms, phases: o.phases ?? {} };
  } catch {
    return undefined;
  }
}

const ms = (x: number) => `${Math.round(x)} ms`;
const spread = (xs: number[]) => (xs.length ? `p50 ${ms(pct(xs, 50))}, p90 ${ms(pct(xs, 90))}, max ${ms(Math.max(...xs))}` : 'none');
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The breakdown, as lines: `postedAt` is when the advisory was posted, `importedAt` when
 * ingestAdvisories returned, `jobs` every attempt that ended after `postedAt`.
 */
export function phaseReport(postedAt: number, importedAt: number, jobs: readonly RanJob[]): string[] {
  const rematch = jobs.filter((j) => j.name === 'rematch');
  const deliveries = jobs.filter((j) => j.name === 'deliver-webhook');
  const lines = [`import: the advisory stored and its re-match released in ${ms(importedAt - postedAt)}`];
  if (rematch.length !== 1) return [...lines, `(expected one rematch job, saw ${rematch.length})`];
  const r = rematch[0];
  const order = ['claim', 'query', 'match', 'prepare', 'stored', 'findings', 'vex', 'counts', 'events', 'enqueue', 'policies', 'commit'];
  const named = Object.entries(r.phases)
    .filter(([k]) => !k.startsWith('cpu.'))
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  // Wall time, then the CPU the process spent meanwhile (phases.ts), when it was recorded.
  const cpuOf = (k: string) => (r.phases[`cpu.${k}`] === undefined ? '' : ` (CPU ${ms(r.phases[`cpu.${k}`])})`);
  lines.push(`rematch: committed at +${ms(r.endedAt - postedAt)}, ran ${ms(r.durationMs)}; wall (CPU of its process):`);
  for (const [k, v] of named) lines.push(`  ${k} ${ms(v)}${cpuOf(k)}`);
  lines.push('  (prepare = query + match; commit = stored … policies + COMMIT; events includes enqueue)');
  if (!deliveries.length) return lines;
  const startOf = (j: RanJob) => j.endedAt - j.durationMs;
  // A delivery can be claimed once the re-match committed: that, not its run_at, is its wait.
  const waits = deliveries.map((d) => Math.max(0, startOf(d) - r.endedAt));
  const phase = (k: string) => deliveries.map((d) => d.phases[k] ?? 0);
  const first = Math.min(...deliveries.map(startOf));
  const last = Math.max(...deliveries.map((d) => d.endedAt));
  lines.push(
    `deliveries: ${deliveries.length}, first claimed at +${ms(first - postedAt)}, last committed at +${ms(last - postedAt)} (${ms(last - r.endedAt)} after the re-match committed)`,
    `  claim latency after the re-match committed: ${spread(waits)}`,
    `  read (webhook and event): ${spread(phase('read'))}; http POST: ${spread(phase('http'))}; commit (ack + delivery log, group wait included): ${spread(phase('commit'))}`,
    `  summed over deliveries: read ${ms(sum(phase('read')))}, http ${ms(sum(phase('http')))}, commit ${ms(sum(phase('commit')))} (deliveries run concurrently, so these overlap)`,
  );
  return lines;
}
