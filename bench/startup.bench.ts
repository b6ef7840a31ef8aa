/**
 * Start-up: `scout --version` and `scout --help`, process start to exit, as users run the
 * built CLI. Target (issue #10): each ≤ 0.1 s, on the plain figures (this environment as it is).
 * Node itself starting (`node -e 0`) is timed in the same rounds, so a slow minute on a shared
 * machine shows in all alike; CPU time (which a busy machine inflates far less than wall time)
 * is printed beside it.
 *
 * When NODE_EXTRA_CA_CERTS is set (the machines these sessions run on set it to the system
 * bundle, which Node 20 parses before any JavaScript runs: about 420 M of `node -e 0`'s 505 M
 * instructions), the same three commands are also timed with it unset, in the same rounds,
 * and printed apart under a heading that says they are not the target's figures: they show
 * what Scout itself adds, apart from what this environment makes Node do.
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

const NODE_ALONE = 'node -e 0';

export async function run(): Promise<void> {
  const bin = new URL('../bin/scout.js', import.meta.url).pathname;
  const node = process.execPath;
  const ROUNDS = 15;
  const commands = {
    [NODE_ALONE]: `${node} -e 0`,
    'scout --version': `${node} ${bin} --version > /dev/null`,
    'scout --help': `${node} ${bin} --help > /dev/null`,
  };
  const caCerts = process.env.NODE_EXTRA_CA_CERTS;
  // Each variant's commands, timed alternately in every round.
  const variants: { title: string; prefix: string }[] = [
    {
      title: caCerts
        ? `PLAIN, as run here (NODE_EXTRA_CA_CERTS=${caCerts} set, as in this environment); the target applies to these:`
        : 'PLAIN, as run here (NODE_EXTRA_CA_CERTS not set); the target applies to these:',
      prefix: '',
    },
  ];
  if (caCerts) {
    variants.push({
      title: 'NOT the target\'s figures: the same with NODE_EXTRA_CA_CERTS unset (no extra CA bundle for Node to parse at start), to show what Scout itself adds:',
      prefix: 'env -u NODE_EXTRA_CA_CERTS ',
    });
  }
  const wall = new Map<string, number[]>();
  const cpu = new Map<string, number>();
  for (let i = 0; i < ROUNDS; i++) {
    for (const v of variants) {
      for (const [k, cmd] of Object.entries(commands)) {
        const key = `${v.prefix}${k}`;
        const before = childrenCpuMs();
        wall.set(key, [...(wall.get(key) ?? []), timeShell(v.prefix + cmd)]);
        cpu.set(key, (cpu.get(key) ?? 0) + childrenCpuMs() - before);
      }
    }
  }
  const out: string[] = [];
  for (const v of variants) {
    out.push(`  ${v.title}`);
    const base = median(wall.get(`${v.prefix}${NODE_ALONE}`)!);
    const baseCpu = cpu.get(`${v.prefix}${NODE_ALONE}`)! / ROUNDS;
    for (const k of Object.keys(commands)) {
      const ts = wall.get(`${v.prefix}${k}`)!;
      const m = median(ts);
      const c = cpu.get(`${v.prefix}${k}`)! / ROUNDS;
      const extra = k === NODE_ALONE ? '(Node alone)' : `(Scout adds ${fmt(m - base)} wall, ${fmt(c - baseCpu)} CPU over Node alone${v.prefix ? '' : '; target ≤ 100 ms'})`;
      out.push(`    ${k.padEnd(16)} ${fmt(m)}  median of ${ROUNDS}, best ${fmt(Math.min(...ts))}, CPU ${fmt(c)} a run  ${extra}`);
    }
  }
  console.log(`${out.join('\n')}\n  load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
}
