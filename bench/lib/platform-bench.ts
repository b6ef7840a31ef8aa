/**
 * Shared by the platform benchmarks: both backends (a temporary SQLite file, and a PostgreSQL
 * schema of its own on SCOUT_TEST_PG_URL or the local `test` database, dropped after), `scout server` in a child process of its own (so the load generator does not
 * share its event loop), and the 500-package SBOM a push or a local analysis carries.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Package, Sbom } from '../../src/sbom/model.js';
import type { DatabaseLocation } from '../../src/store/kysely/open.js';
import { purlFor } from '../../src/sbom/purl.js';
import { BACKENDS, newLocation, TEST_PG_URL } from '../../test/helpers/platform-db.js';
import { candidates, osvRecords } from './advisory-candidates.js';
import { syntheticImage } from './platform-images.js';

export interface BenchDatabase {
  label: 'SQLite' | 'PostgreSQL';
  location: DatabaseLocation;
}

/**
 * A fresh, empty database on each backend in turn (the tests' own); each is dropped after `fn`,
 * even when it fails. With `kept` (a benchmark's own name for a database it reuses), a
 * database that outlives the run instead: on SQLite `kept.dir`/NAME.db, on PostgreSQL the
 * schema NAME of the tests' database, created when missing and never dropped.
 */
export async function eachBackend(fn: (db: BenchDatabase) => Promise<void>, kept?: { dir: string; name: string }): Promise<void> {
  // SCOUT_BENCH_BACKENDS=sqlite (or postgres) runs one of them only.
  const chosen = (process.env.SCOUT_BENCH_BACKENDS ?? BACKENDS.join(',')).split(',');
  for (const backend of BACKENDS.filter((b) => chosen.includes(b))) {
    const label = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const { location, drop } = kept ? await keptLocation(backend, kept.dir, kept.name) : await newLocation(backend);
    console.log(`  -- ${label}`);
    try {
      await fn({ label, location });
    } catch (err) {
      console.log(`  ${label}: failed: ${err instanceof Error ? err.stack : String(err)}`);
    } finally {
      await drop();
    }
  }
}

/** A database location that is kept between runs (see eachBackend). */
async function keptLocation(backend: 'sqlite' | 'postgres', dir: string, name: string): Promise<{ location: DatabaseLocation; drop: () => Promise<void> }> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`kept database name ${JSON.stringify(name)}: lower-case letters, digits and _ only`);
  if (backend === 'sqlite') {
    mkdirSync(dir, { recursive: true });
    return { location: { kind: 'sqlite', path: join(dir, `${name}.db`) }, drop: async () => {} };
  }
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA IF NOT EXISTS "${name}"`);
  } finally {
    await c.end();
  }
  return { location: { kind: 'postgres', url: TEST_PG_URL, schema: name }, drop: async () => {} };
}

export interface ServerChild {
  url: string;
  /** A write token of organisation `bench`. */
  token: string;
  /** The server process's CPU time (all threads) since the last call (or since it listened). */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** `scout server`'s app on this database, in a child process, with the examples/ advisories imported. */
export async function startServerChild(location: DatabaseLocation): Promise<ServerChild> {
  const script = new URL('./platform-server-child.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [script, JSON.stringify(location)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    void exited.then((code) => reject(new Error(`the server child exited (${code}) before listening`)));
  });
  const { url, token } = JSON.parse(first) as { url: string; token: string };
  return {
    url,
    token,
    cpuMs: async () => {
      const line = new Promise<string>((resolve) => lines.once('line', resolve));
      child.stdin.write('cpu\n');
      return (JSON.parse(await line) as { cpuMs: number }).cpuMs;
    },
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

const EXAMPLES = new URL('../../examples/advisories/', import.meta.url).pathname;
let vulnerable: Package[] | undefined;

/** Packages the examples/ advisories name, at affected versions: every push has real findings. */
function vulnerablePackages(): Package[] {
  if (vulnerable) return vulnerable;
  const out: Package[] = [];
  const add = (type: string, name: string, version: string, extra: Partial<Package> = {}) =>
    out.push({ id: '', name, version, type, purl: extra.purl ?? purlFor({ type, name, version }), licenses: [{ spdx: 'MIT' }], locations: [{ path: `/bench/${type}/${name}` }], foundBy: 'bench', ...extra });
  for (const c of candidates(osvRecords(join(EXAMPLES, 'debian-selected.osv.jsonl.gz')), 'Debian:12')) {
    const purl = purlFor({ type: 'deb', namespace: 'debian', name: c.name, version: c.version, arch: 'amd64', distro: 'debian-12' });
    add('deb', c.name, c.version, { namespace: 'debian', purl, source: { name: c.name, version: c.version } });
  }
  for (const c of candidates(osvRecords(join(EXAMPLES, 'ghsa-npm-demo.osv.jsonl.gz')), 'npm')) add('npm', c.name, c.version);
  for (const c of candidates(osvRecords(join(EXAMPLES, 'pypa-demo.osv.jsonl.gz')), 'PyPI')) add('pypi', c.name, c.version);
  return (vulnerable = out);
}

/**
 * The i-th 500-package SBOM, as `scout push` sends it: the image metadata of the i-th synthetic
 * image (a digest of its own, layers shared with its siblings), the packages the examples/
 * advisories name, then Debian and npm packages no advisory names (most of a real image).
 */
export function benchSbom(i: number, count = 500): Sbom {
  const image = syntheticImage(i);
  const packages: Package[] = vulnerablePackages().slice(0, count).map((p) => ({ ...p }));
  for (let k = 0; packages.length < count; k++) {
    const deb = k % 2 === 0;
    const name = deb ? `libbench${k}` : `bench-npm-${(k * 7 + i) % 5000}`;
    const version = deb ? `1.${k}-1` : `1.${k % 9}.${i % 3}`;
    const purl = deb ? purlFor({ type: 'deb', namespace: 'debian', name, version, arch: 'amd64', distro: 'debian-12' }) : purlFor({ type: 'npm', name, version });
    packages.push({ id: '', name, ...(deb ? { namespace: 'debian' } : {}), version, type: deb ? 'deb' : 'npm', purl, licenses: [{ spdx: 'MIT' }], locations: [{ path: deb ? '/var/lib/dpkg/status' : `/app/node_modules/${name}/package.json` }], foundBy: 'bench', relationship: 'transitive' });
  }
  packages.forEach((p, k) => (p.id = `p${k}`));
  return { schema: 'iechor-scout/sbom@1', generatedAt: '2026-12-01T00:00:00Z', tool: { name: 'bench', version: '0' }, image: image.metadata, distro: { id: 'debian', versionId: '12' }, packages, packageCount: packages.length, warnings: [] };
}

export function loadNote(): string {
  return `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`;
}

