/**
 * De-duplication (issue #15): 40,000 repeated dpkg stanzas and 50,000 identical CycloneDX
 * components sharing one bom-ref took 169 s and 115 s while de-duplicating was quadratic. Each
 * case runs in its own process on the built JavaScript, at N and 4N, so the growth shows: a
 * linear pass takes about 4× as long at 4N, a quadratic one 16×.
 */
import { loadavg } from 'node:os';
import { child, fmt, median } from './lib/measure.js';

const RUNS = 3;

export async function run(): Promise<void> {
  for (const [kind, n, what] of [['dpkg', 40_000, 'repeated dpkg stanzas'], ['cyclonedx', 50_000, 'identical CycloneDX components, one bom-ref']] as const) {
    const at = (k: number) => Array.from({ length: RUNS }, () => child('./dedup-child.mjs', [kind, String(k)]));
    const base = at(n);
    const big = at(4 * n);
    const ms = median(base.map((r) => r.ms));
    const bigMs = median(big.map((r) => r.ms));
    console.log(
      `  ${String(n).padStart(7)} ${what}: ${fmt(ms)} → ${base[0].out.packages} packages; ${4 * n}: ${fmt(bigMs)} (${(bigMs / ms).toFixed(1)}× for 4× the input; median of ${RUNS}, peak RSS ${median(big.map((r) => r.maxRssMb)).toFixed(0)} MB); load average ${loadavg()[0].toFixed(1)}`,
    );
  }
}
