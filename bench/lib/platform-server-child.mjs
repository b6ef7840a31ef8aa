// Child process for the platform benchmarks, on the built JavaScript: `scout server`'s stores and
// app (openServerStores + buildApp, no request log) on the database named by argv[2] (a JSON
// DatabaseLocation), with the examples/ advisory bundle imported and an organisation `bench`
// with a write token. Prints one JSON line { url, token } once listening; exits when stdin ends.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectAndImport } from '../../dist/advisories/import/detect.js';
import { buildApp } from '../../dist/server/app.js';
import { openServerStores } from '../../dist/server/main.js';

const database = JSON.parse(process.argv[2]);
const ADVISORIES = new URL('../../examples/advisories/', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'scout-bench-server-'));
const { platform, advisories } = await openServerStores({ dataDir, database });
for (const f of readdirSync(ADVISORIES).filter((n) => n.endsWith('.gz')).sort()) {
  const out = await detectAndImport(advisories, join(ADVISORIES, f));
  if (!out.ok) throw new Error(`${f}: ${out.error?.message}`);
}
const org = platform.forOrg(await platform.ensureOrg('bench'));
const { token } = await org.createToken('bench', 'write');
const app = await buildApp({ platform, advisories });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url, token }) + '\n');
// CPU used so far (start-up, advisory import) is not the benchmark's: `cpu` lines report the
// CPU spent since the last one, on request (a line on stdin).
// SCOUT_BENCH_PROFILE=DIR: a CPU profile of each such interval is written there (profile-N.cpuprofile).
const profiler = process.env.SCOUT_BENCH_PROFILE ? await startProfiler(process.env.SCOUT_BENCH_PROFILE) : undefined;
let mark = process.cpuUsage();
process.stdin.setEncoding('utf8');
process.stdin.on('data', async () => {
  const used = process.cpuUsage(mark);
  await profiler?.next();
  mark = process.cpuUsage();
  process.stdout.write(JSON.stringify({ cpuMs: (used.user + used.system) / 1000 }) + '\n');
});
process.stdin.on('end', async () => {
  await app.close();
  await platform.close();
  await advisories.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});

async function startProfiler(dir) {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  let n = 0;
  return {
    async next() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(dir, `profile-${n++}.cpuprofile`), JSON.stringify(profile));
      await session.post('Profiler.start');
    },
  };
}
