/**
 * Local analysis (`scout cves IMAGE --server`'s request: POST /v1/match with the package URLs
 * and layer digests of a 500-package image) under 100 concurrent connections, driven by
 * autocannon for DURATION seconds, on SQLite and on PostgreSQL. The server (a child process)
 * holds 20 pushed images, so the base-image lookup searches real rows. On PostgreSQL the CPU
 * its server processes spend is printed too (the database runs on this machine, beside the
 * server and autocannon). Target: p99 ≤ 50 ms.
 */
import autocannon from 'autocannon';
import { gzipSync } from 'node:zlib';
import { benchSbom, eachBackend, loadNote, startServerChild } from './lib/platform-bench.js';
import { BackendCpu, urlWithAppName } from './lib/pg-backend-cpu.js';

const CONNECTIONS = Number(process.env.SCOUT_BENCH_MATCH_CONNECTIONS ?? 100);
const DURATION = Number(process.env.SCOUT_BENCH_MATCH_SECONDS ?? 10);

export async function run(): Promise<void> {
  const sbom = benchSbom(1_000_000);
  const body = JSON.stringify({ purls: sbom.packages.map((p) => p.purl), layerDigests: sbom.image!.layers.map((l) => l.diffId) });
  console.log(`request: ${sbom.packages.length} purls and ${sbom.image!.layers.length} layer digests, ${(body.length / 1024).toFixed(0)} KiB; ${CONNECTIONS} connections for ${DURATION} s`);
  await eachBackend(async (db) => {
    // The server's PostgreSQL connections carry a name of their own, so their CPU can be read.
    const app = `scout-bench-match-${process.pid}`;
    const location = db.location.kind === 'postgres' ? { ...db.location, url: urlWithAppName(db.location.url, app) } : db.location;
    const backends = db.location.kind === 'postgres' ? new BackendCpu(db.location.url, app) : undefined;
    const server = await startServerChild(location);
    try {
      const auth = { authorization: `Bearer ${server.token}` };
      for (let i = 0; i < 20; i++) {
        const r = await fetch(`${server.url}/v1/images`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(JSON.stringify(benchSbom(i))) });
        if (r.status !== 201) throw new Error(`seed push ${i}: ${r.status}`);
      }
      const check = await fetch(`${server.url}/v1/match`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
      const reply = (await check.json()) as { findings: unknown[]; baseImage?: unknown };
      if (check.status !== 200) throw new Error(`match: ${check.status} ${JSON.stringify(reply)}`);
      await server.cpuMs();
      const backendStart = await backends?.sample();
      const r = await autocannon({ url: `${server.url}/v1/match`, method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body, connections: CONNECTIONS, duration: DURATION });
      const l = r.latency;
      const cpu = (await server.cpuMs()) / Math.max(1, r.requests.total);
      const backendCpu = backends ? ((await backends.sample()) - backendStart!) / Math.max(1, r.requests.total) : undefined;
      const pgNote = backendCpu === undefined ? '' : `, PostgreSQL ${backendCpu.toFixed(1)} ms per request`;
      const met = l.p99 <= 50 && r.requests.total > 0 && r.errors === 0 && r.non2xx === 0;
      console.log(`  ${r.requests.total} requests (${reply.findings.length} findings each, ${r.non2xx} not 2xx, ${r.errors} errors, ${r.timeouts} timeouts), ${r.requests.average.toFixed(0)} requests/s; latency p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms ${met ? '✓' : '✗ (target p99 ≤ 50 ms, every request answered)'}; server CPU ${cpu.toFixed(1)} ms per request (${(1000 / cpu).toFixed(0)} requests/s per core)${pgNote}; ${loadNote()}`);
    } finally {
      await server.stop();
    }
  });
}
