/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and
 * prints their figures. Benchmarks measure; they never fail a build on timing.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

// Benchmarks measure the built JavaScript, as users run it.
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');

const only = process.argv.slice(2);
const dir = new URL('.', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const f of files) {
  console.log(`\n=== ${f.replace('.bench.ts', '')}`);
  const mod = (await import(new URL(f, dir).href)) as { run: () => Promise<void> };
  await mod.run();
}
