/**
 * Start-up: `scout --version` and `scout --help`, process start to exit, as users run the
 * built CLI. Target (issue #10): each ≤ 0.1 s. Node itself starting (`node -e 0`) is timed in
 * the same rounds, so a slow minute on a shared machine shows in all three alike; CPU time
 * (which a busy machine inflates far less than wall time) is printed beside it.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fmt, median, timeShell } from './lib/measure.js';

/** CPU time of this process's waited-for children so far, in ms (Linux: /proc/self/stat). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // Fields 16 and 17 (cutime, cstime) counted from field 3, the first after the name.
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

export async function run(): Promise<void> {
  const bin = new URL('../bin/scout.js', import.meta.url).pathname;
  const node = process.execPath;
  const ROUNDS = 15;
  const cmds = {
    'node -e 0': `${node} -e 0`,
    'scout --version': `${node} ${bin} --version > /dev/null`,
    'scout --help': `${node} ${bin} --help > /dev/null`,
  };
  const wall = Object.fromEntries(Object.keys(cmds).map((k) => [k, [] as number[]]));
  const cpu = Object.fromEntries(Object.keys(cmds).map((k) => [k, 0]));
  for (let i = 0; i < ROUNDS; i++) {
    for (const [k, cmd] of Object.entries(cmds)) {
      const before = childrenCpuMs();
      wall[k].push(timeShell(cmd));
      cpu[k] += childrenCpuMs() - before;
    }
  }
  const base = median(wall['node -e 0']);
  const lines = Object.entries(wall).map(([k, ts]) => {
    const m = median(ts);
    const extra = k === 'node -e 0' ? '(Node alone)' : `(${fmt(m - base)} over Node alone; target ≤ 100 ms in all)`;
    return `  ${k.padEnd(16)} ${fmt(m)}  median of ${ROUNDS}, best ${fmt(Math.min(...ts))}, CPU ${fmt(cpu[k] / ROUNDS)} a run  ${extra}`;
  });
  console.log(`${lines.join('\n')}\n  load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
}
