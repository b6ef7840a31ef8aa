/**
 * Advisory import: load the whole shared advisory set (every *.osv.jsonl.gz, the Alpine secdb
 * and the KEV catalog from ../shared/advisories) into a fresh SQLite database in a temp dir, then
 * into a fresh PostgreSQL schema (SCOUT_BENCH_PG_URL, else SCOUT_TEST_PG_URL, else the local
 * `test` database; the schema is dropped after), and print records/s per file, for the full set
 * (target: ≥ 20,000 records/s) and for the OSV records alone, with the CPU time spent by this
 * process and (PostgreSQL) by the server processes serving it. Then time a warm re-import
 * (everything unchanged) and lookups, from a fresh connection and asked again.
 * Skips with a note when the shared directory is absent (fresh clone).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BackendCpu, urlWithAppName } from './lib/pg-backend-cpu.js';

// The built JavaScript (bench/run.ts builds it first), as `scout db import` runs it, not the
// sources through tsx. Types come from the sources.
const DIST = new URL('../dist/', import.meta.url);
const { detectAndImport } = (await import(new URL('advisories/import/detect.js', DIST).href)) as typeof import('../src/advisories/import/detect.js');
const { SqliteAdvisoryStore } = (await import(new URL('store/sqlite/sqlite-store.js', DIST).href)) as typeof import('../src/store/sqlite/sqlite-store.js');
const { PgAdvisoryStore } = (await import(new URL('store/postgres/pg-store.js', DIST).href)) as typeof import('../src/store/postgres/pg-store.js');
type AdvisoryStore = import('../src/store/advisory-store.js').AdvisoryStore;

const PG_URL = process.env.SCOUT_BENCH_PG_URL || process.env.SCOUT_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

interface Backend {
  name: 'sqlite' | 'postgres';
  label: string;
  open(): Promise<AdvisoryStore>;
  openReader(): Promise<AdvisoryStore>;
  size(): Promise<string>;
  cleanup(): Promise<void>;
  /** CPU ms a database server process of its own has used so far (PostgreSQL), else undefined. */
  serverCpuMs(): Promise<number | undefined>;
}

const SHARED = process.env.SCOUT_ADVISORIES_DIR ?? resolve(import.meta.dirname, '..', '..', 'shared', 'advisories');

export async function run(): Promise<void> {
  if (!existsSync(SHARED)) {
    console.log(`advisory-import: ${SHARED} not found; skipped (set SCOUT_ADVISORIES_DIR to the shared advisories)`);
    return;
  }
  const files = readdirSync(SHARED).filter((f) => f.endsWith('.osv.jsonl.gz') || f === 'alpine-secdb.jsonl.gz' || f === 'cisa-kev.json.gz').sort();
  const dir = mkdtempSync(join(tmpdir(), 'scout-bench-adv-'));
  const dbPath = join(dir, 'advisories.db');
  const sqlite: Backend = {
    name: 'sqlite',
    label: 'SQLite',
    open: async () => new SqliteAdvisoryStore(dbPath),
    openReader: async () => new SqliteAdvisoryStore(dbPath, { readonly: true }),
    size: async () => `database ${(statSync(dbPath).size / 1e6).toFixed(1)} MB (+ WAL)`,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    serverCpuMs: async () => undefined,
  };
  const schema = `scout_bench_${process.pid}`;
  const pgAdmin = async (sql: string): Promise<string> => {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      const r = await c.query(sql);
      return String((r.rows[0] as Record<string, unknown> | undefined)?.size ?? '');
    } finally {
      await c.end();
    }
  };
  // The store's connections are named, so the server processes serving them can be found and
  // their CPU time read (the import's cost on the server, apart from the machine's load).
  const app = `scout-bench-import-${process.pid}`;
  const backendCpu = new BackendCpu(PG_URL, app);
  const postgres: Backend = {
    name: 'postgres',
    label: 'PostgreSQL',
    open: () => PgAdvisoryStore.open({ url: urlWithAppName(PG_URL, app), schema }),
    openReader: () => PgAdvisoryStore.open({ url: PG_URL, schema }),
    size: async () => `schema ${(Number(await pgAdmin(`SELECT SUM(pg_total_relation_size(c.oid)) AS size FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${schema}' AND c.relkind = 'r'`)) / 1e6).toFixed(1)} MB`,
    cleanup: async () => void (await pgAdmin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
    serverCpuMs: () => backendCpu.sample(),
  };
  // SCOUT_BENCH_ADVISORY_BACKENDS=postgres (or sqlite) runs one of them only.
  const chosen = (process.env.SCOUT_BENCH_ADVISORY_BACKENDS ?? 'sqlite,postgres').split(',');
  for (const backend of [sqlite, postgres].filter((b) => chosen.includes(b.name))) {
    console.log(`  -- ${backend.label}`);
    try {
      await benchBackend(backend, files);
    } catch (err) {
      console.log(`  ${backend.label}: failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await backend.cleanup();
    }
  }
}

async function benchBackend(backend: Backend, files: string[]): Promise<void> {
  {
    const store = await backend.open();
    let osvRecords = 0;
    let allRecords = 0;
    let osvMs = 0;
    let osvCpuMs = 0;
    let allCpuMs = 0;
    const serverAt0 = await backend.serverCpuMs();
    const t0 = performance.now();
    for (const f of files) {
      const serverBefore = await backend.serverCpuMs();
      const s = performance.now();
      const cpu = process.cpuUsage();
      const o = await detectAndImport(store, join(SHARED, f));
      const ms = performance.now() - s;
      const used = process.cpuUsage(cpu);
      const serverAfter = await backend.serverCpuMs();
      const n = o.report.accepted;
      const cpuMs = (used.user + used.system) / 1000;
      allRecords += n;
      allCpuMs += cpuMs;
      if (o.format === 'osv-jsonl') {
        osvRecords += n;
        osvMs += ms;
        osvCpuMs += cpuMs;
      }
      const server = serverBefore === undefined || serverAfter === undefined ? '' : `, server ${(serverAfter - serverBefore).toFixed(0)}`;
      const skipped = o.report.skipped ? `, ${o.report.skipped} skipped ${JSON.stringify(o.report.reasons)}` : '';
      console.log(`  ${f.padEnd(34)} ${String(o.format).padEnd(13)} ${String(n).padStart(6)} records  ${ms.toFixed(0).padStart(6)} ms  ${rate(n, ms)}  (CPU ms: client ${cpuMs.toFixed(0)}${server})${skipped}${o.ok ? '' : `  FAILED ${o.error?.message}`}`);
    }
    const total = performance.now() - t0;
    const serverTotal = serverAt0 === undefined ? undefined : (await backend.serverCpuMs())! - serverAt0;
    // Issue #4's target is the rate over the full shared set. OSV records (full JSON documents,
    // the most expensive kind per record) are shown on their own as well.
    console.log(`  full shared set: ${allRecords} records in ${total.toFixed(0)} ms = ${rate(allRecords, total)} (target ≥ 20,000 records/s); ${await backend.size()}`);
    // By CPU time, client and server together: what the rate would be with both on one free core.
    const cpuAll = allCpuMs + (serverTotal ?? 0);
    console.log(`  full shared set by CPU time: client ${allCpuMs.toFixed(0)} ms${serverTotal === undefined ? '' : ` + server ${serverTotal.toFixed(0)} ms`} = ${rate(allRecords, cpuAll)}`);
    console.log(`  OSV records alone: ${osvRecords} in ${osvMs.toFixed(0)} ms = ${rate(osvRecords, osvMs)}`);
    // The bench machine is often shared: CPU time says what the import costs without the waiting.
    console.log(`  OSV records by CPU time: ${osvCpuMs.toFixed(0)} ms = ${rate(osvRecords, osvCpuMs)}; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);

    const w0 = performance.now();
    let unchanged = 0;
    for (const f of files.filter((x) => x.endsWith('.osv.jsonl.gz'))) unchanged += (await detectAndImport(store, join(SHARED, f))).store?.unchanged ?? 0;
    const wMs = performance.now() - w0;
    console.log(`  re-import of unchanged OSV feeds: ${unchanged} records in ${wMs.toFixed(0)} ms = ${rate(unchanged, wMs)}`);

    const names: [string, string][] = [['PyPI', 'django'], ['PyPI', 'tensorflow'], ['Go', 'stdlib'], ['npm', 'lodash'], ['crates.io', 'openssl'], ['Debian:12', 'glibc'], ['Alpine:v3.20', 'openssl'], ['Maven', 'org.apache.zeppelin:zeppelin-server']];
    // From a connection that has read nothing (SQLite reads the rows, their JSON is parsed), then
    // the same questions again (answered from memory while the data is unchanged).
    const fresh = await backend.openReader();
    const c0 = performance.now();
    let found = 0;
    for (const [e, n] of names) found += (await fresh.lookup(e, n)).length;
    const cMs = performance.now() - c0;
    const l0 = performance.now();
    const rounds = 200;
    for (let i = 0; i < rounds; i++) for (const [e, n] of names) await fresh.lookup(e, n);
    const lMs = performance.now() - l0;
    await fresh.close();
    console.log(`  lookups: ${names.length} from a fresh connection in ${cMs.toFixed(1)} ms (${found} advisories, JSON parse included); asked again: ${((lMs * 1000) / (rounds * names.length)).toFixed(0)} µs each`);
    await store.close();
  }
}

function rate(n: number, ms: number): string {
  return `${Math.round(n / (ms / 1000)).toLocaleString('en-US')} records/s`;
}
