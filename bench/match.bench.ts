/**
 * Matching speed: import the whole shared advisory set (../shared/advisories) into a temp SQLite
 * database, build a 1,000-package SBOM (deb, npm, PyPI, Maven and Go packages whose names the
 * advisories mention, at versions inside their ranges) and time match() on it.
 * Target: ≤ 100 ms per match. Skips with a note when the shared directory is absent.
 *
 * The store and the matcher are the built JavaScript (dist/, which bench/run.ts builds first),
 * as users run them; under tsx every closure also pays for a name-keeping wrapper.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Advisory } from '../src/advisories/model.js';
import type { Package, Sbom } from '../src/sbom/model.js';
import { purlFor } from '../src/sbom/purl.js';
import { candidates, osvRecords } from './lib/advisory-candidates.js';
import { child, median } from './lib/measure.js';

interface MatchChildOut {
  firstMs: number;
  findings: number;
  notMatchable: number;
  lookups: number;
  evaluated: number;
  skipped: number;
  times: number[];
  cpuMsPerMatch: number;
  distinctLookups: number;
  lookupTimes: number[];
  coldLookupTimes: number[];
}

const SHARED = process.env.SCOUT_ADVISORIES_DIR ?? resolve(import.meta.dirname, '..', '..', 'shared', 'advisories');
const RUNS = 15;

type DetectModule = typeof import('../src/advisories/import/detect.js');
type StoreModule = typeof import('../src/store/sqlite/sqlite-store.js');
const built = async <T>(path: string): Promise<T> => (await import(new URL(`../dist/${path}`, import.meta.url).href)) as T;

const records = (file: string): Advisory[] => osvRecords(join(SHARED, file));

function makePackage(i: number, type: string, name: string, version: string, namespace?: string, extra: Partial<Package> = {}): Package {
  const purl = extra.purl ?? purlFor({ type, namespace, name, version });
  return { id: `p${i}`, name, version, type, purl, licenses: [], locations: [{ path: `/bench/${i}` }], foundBy: 'bench', ...extra };
}

export function buildSbom(): Sbom {
  const pkgs: Package[] = [];
  const take = <T>(xs: T[], n: number) => Array.from({ length: Math.min(n, xs.length ? n : 0) }, (_, i) => xs[i % xs.length]);
  // Debian: every source package the Debian records name, several binaries each, below the fixes.
  const debSources = candidates(records('debian-selected.osv.jsonl.gz'), 'Debian:12');
  for (const [k, s] of take(debSources, 200).entries()) {
    const name = `${s.name}-bin${k}`;
    const version = s.version === '0.0.1' ? '1.0-1' : s.version;
    pkgs.push(makePackage(pkgs.length, 'deb', name, version, 'debian', {
      purl: purlFor({ type: 'deb', namespace: 'debian', name, version, arch: 'amd64', distro: 'debian-12', upstream: s.name }),
      source: { name: s.name, version },
    }));
  }
  const npm = candidates(records('ghsa-npm-selected.osv.jsonl.gz'), 'npm');
  for (const c of take(npm, 200)) pkgs.push(makePackage(pkgs.length, 'npm', c.name, c.version));
  for (const c of take(candidates(records('pypi.osv.jsonl.gz'), 'PyPI'), 250)) pkgs.push(makePackage(pkgs.length, 'pypi', c.name, c.version));
  for (const c of take(candidates(records('maven-ghsa-sample.osv.jsonl.gz'), 'Maven'), 150)) {
    const [g, a] = c.name.split(':');
    pkgs.push(makePackage(pkgs.length, 'maven', a, c.version, g));
  }
  for (const c of take(candidates(records('go.osv.jsonl.gz'), 'Go'), 1000 - pkgs.length)) {
    const slash = c.name.lastIndexOf('/');
    pkgs.push(makePackage(pkgs.length, 'golang', slash > 0 ? c.name.slice(slash + 1) : c.name, c.version, slash > 0 ? c.name.slice(0, slash) : undefined));
  }
  return { schema: 'iechor-scout/sbom@1', generatedAt: new Date().toISOString(), tool: { name: 'bench', version: '0' }, distro: { id: 'debian', versionId: '12' }, packages: pkgs, packageCount: pkgs.length, warnings: [] };
}

export async function run(): Promise<void> {
  if (!existsSync(SHARED)) {
    console.log(`match: ${SHARED} not found; skipped (set SCOUT_ADVISORIES_DIR to the shared advisories)`);
    return;
  }
  const { detectAndImport } = await built<DetectModule>('advisories/import/detect.js');
  const { SqliteAdvisoryStore } = await built<StoreModule>('store/sqlite/sqlite-store.js');
  const dir = mkdtempSync(join(tmpdir(), 'scout-bench-match-'));
  try {
    const store = new SqliteAdvisoryStore(join(dir, 'advisories.db'));
    const files = readdirSync(SHARED).filter((f) => f.endsWith('.osv.jsonl.gz') || f === 'alpine-secdb.jsonl.gz' || f === 'cisa-kev.json.gz').sort();
    const t0 = performance.now();
    for (const f of files) await detectAndImport(store, join(SHARED, f));
    const status = await store.status();
    console.log(`imported ${status.advisories} advisories, ${status.kev} KEV entries in ${(performance.now() - t0).toFixed(0)} ms`);

    await store.close();

    const sbom = buildSbom();
    const types = new Map<string, number>();
    for (const p of sbom.packages) types.set(p.type, (types.get(p.type) ?? 0) + 1);
    console.log(`SBOM: ${sbom.packages.length} packages (${[...types].map(([t, n]) => `${t} ${n}`).join(', ')})`);
    const sbomPath = join(dir, 'sbom.json');
    writeFileSync(sbomPath, JSON.stringify(sbom));

    // Matching runs in a process of its own, on the database this one imported: as `scout cves`
    // runs after `scout db import`, and without the heap a 100k-record import leaves behind.
    const r = child('./match-child.mjs', [join(dir, 'advisories.db'), sbomPath, String(RUNS)]).out as unknown as MatchChildOut;
    const med = (xs: number[]) => median(xs).toFixed(1);
    const times = [...r.times].sort((a, b) => a - b);
    console.log(`first match: ${r.firstMs.toFixed(1)} ms (a fresh process: nothing parsed, nothing compiled yet)`);
    console.log(`first match: ${r.findings} findings, ${r.notMatchable} not matchable, ${r.lookups} lookups, ${r.evaluated} entries evaluated, ${r.skipped} skipped`);
    console.log(`match: median ${med(times)} ms per match of ${sbom.packages.length} packages (best ${times[0].toFixed(1)} ms, worst ${times.at(-1)!.toFixed(1)} ms, ${RUNS} runs; target ≤ 100 ms); CPU ${r.cpuMsPerMatch.toFixed(1)} ms per match`);
    console.log(`  of which store lookups: median ${med(r.lookupTimes)} ms for ${r.distinctLookups} lookups (answers remembered; from a fresh connection: median ${median(r.coldLookupTimes).toFixed(0)} ms)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
