/**
 * Nested-archive bomb (issue #15): a 22 KB jar that fans out 40 ways, eight levels deep (every
 * directory entry of a level names one stored copy of the level below, so a reader following
 * them all would open 6.7 × 10¹² archives), in a one-layer image; generated here, not kept.
 * `scout sbom` runs on it as users run it (the built CLI, its own process) with the default
 * limits, then with the count, byte and depth limits raised out of the way so that only the
 * time budget (SCOUT_MAX_NESTED_MS, 60 s by default) stops it. Wall time, peak RSS, exit code
 * and the warning that says where it stopped. The issue measured 234 s and 1.1 GB before any
 * image-wide budget.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fanOutJar } from '../test/helpers/fan-out-jar.js';
import { buildImage, writeOciLayout } from '../test/helpers/image-builder.js';
import { tempDir } from '../test/helpers/tmp.js';
import { fmt } from './lib/measure.js';

const CLI = new URL('../bin/scout.js', import.meta.url).pathname;
const RAISED = { SCOUT_MAX_NESTED_DEPTH: '8', SCOUT_MAX_NESTED_ARCHIVES: '1000000000000', SCOUT_MAX_NESTED_ENTRIES: '1000000000000', SCOUT_MAX_NESTED_BYTES: '1000000000000000' };

export async function run(): Promise<void> {
  const jar = fanOutJar(40, 8);
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [await buildImage({ layers: [{ 'app/bomb.jar': jar }] })] }]);
  console.log(`  bomb: ${jar.length} bytes, 40 ways, 8 deep`);
  const cases: [string, Record<string, string>][] = [
    ['default limits', {}],
    ['count/bytes/depth raised, SCOUT_MAX_NESTED_MS=10000', { ...RAISED, SCOUT_MAX_NESTED_MS: '10000' }],
    ['count/bytes/depth raised, default time budget (60 s)', RAISED],
  ];
  for (const [name, env] of cases) {
    const load = loadavg()[0];
    // GNU time: wall seconds and peak RSS (KB) of the CLI process, on stderr's last line.
    const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, CLI, 'sbom', dir, '--no-cache', '--format', 'json'], {
      env: { ...process.env, ...env, SCOUT_CACHE_DIR: tempDir() },
      encoding: 'utf8',
      maxBuffer: 1024 * 1024 * 1024,
    });
    const [, secs, kb] = /TIME ([\d.]+) (\d+)/.exec(r.stderr) ?? [];
    const sbom = JSON.parse(r.stdout) as { packageCount: number; warnings: { code: string; message: string }[] };
    const stop = sbom.warnings.find((w) => w.code === 'nested-archive-budget')?.message ?? sbom.warnings.find((w) => w.code === 'java-nesting-too-deep')?.message ?? '(none)';
    console.log(`  ${name}: ${fmt(Number(secs) * 1000)}, peak RSS ${(Number(kb) / 1024).toFixed(0)} MB, exit ${r.status}, ${sbom.packageCount} packages; load average ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)}\n    ${stop.slice(0, 300)}`);
  }
}
