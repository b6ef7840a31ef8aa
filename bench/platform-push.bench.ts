/**
 * Push of a 500-package SBOM (`scout push`'s request: gzip JSON to POST /v1/images), on SQLite
 * and on PostgreSQL: each push a new image (its own digest; layers and most packages shared
 * with the images before it), matched against the server's advisories (the examples/ bundle)
 * and stored with its findings. `scout server`'s app runs in a child process; this one keeps
 * CONCURRENCY pushes in flight. Target: ≥ 200 pushes/s.
 */
import { gzipSync } from 'node:zlib';
import { benchSbom, eachBackend, loadNote, startServerChild } from './lib/platform-bench.js';
import { pct } from './lib/measure.js';

const PUSHES = Number(process.env.SCOUT_BENCH_PUSHES ?? 300);
const WARMUP = 20;
const CONCURRENCY = 4;

export async function run(): Promise<void> {
  const t = performance.now();
  const bodies = Array.from({ length: PUSHES + WARMUP }, (_, i) => gzipSync(JSON.stringify(benchSbom(i))));
  const mean = bodies.reduce((n, b) => n + b.length, 0) / bodies.length;
  console.log(`${bodies.length} SBOMs of 500 packages, ${(JSON.stringify(benchSbom(0)).length / 1024).toFixed(0)} KiB of JSON each (${(mean / 1024).toFixed(0)} KiB gzip), made in ${(performance.now() - t).toFixed(0)} ms`);
  await eachBackend(async (db) => {
    const server = await startServerChild(db.location);
    try {
      let findings = -1;
      const push = async (i: number): Promise<number> => {
        const s = performance.now();
        const r = await fetch(`${server.url}/v1/images`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: bodies[i],
        });
        const reply = (await r.json()) as { image?: { vulnerabilities: Record<string, number> } };
        if (r.status !== 201) throw new Error(`push ${i}: ${r.status} ${JSON.stringify(reply)}`);
        if (findings < 0) findings = Object.values(reply.image!.vulnerabilities).reduce((a, b) => a + b, 0);
        return performance.now() - s;
      };
      const times: number[] = [];
      let next = 0;
      const worker = async (n: number) => {
        for (let i = next++; i < n; i = next++) {
          const ms = await push(i);
          if (i >= WARMUP) times.push(ms);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(WARMUP)));
      await server.cpuMs();
      const t0 = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(WARMUP + PUSHES)));
      const secs = (performance.now() - t0) / 1000;
      const rate = PUSHES / secs;
      const cpu = (await server.cpuMs()) / PUSHES;
      console.log(`  ${PUSHES} pushes (${findings} open findings each) in ${secs.toFixed(2)} s = ${rate.toFixed(0)} pushes/s ${rate >= 200 ? '✓' : '✗ (target ≥ 200/s)'}; latency p50 ${pct(times, 50).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms with ${CONCURRENCY} in flight; server CPU ${cpu.toFixed(1)} ms per push (${(1000 / cpu).toFixed(0)} pushes/s per core); ${loadNote()}`);
    } finally {
      await server.stop();
    }
  });
}
