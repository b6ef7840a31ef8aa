/**
 * What a push writes on SQLite, page by page: the ~1,000 pages a 500-package push was found to
 * dirty are what keeps pushes far from 200/s, so this names the tables and indexes they belong
 * to. Stores SCOUT_BENCH_PAGES_IMAGES pushes (default 500) of the platform benchmarks' SBOMs the
 * way POST /v1/images does (match, then store), checkpoints the WAL and fingerprints every page
 * of the file; stores 20 more, checkpoints again, and counts the changed pages per push by the
 * b-tree that owns them (SQLite's dbstat). A b-tree's count can only reach its size: the
 * scattered ones (an index keyed by purl or alias) grow towards one page per row as the
 * database grows.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { benchSbom, loadNote } from './lib/platform-bench.js';

const STORED = Number(process.env.SCOUT_BENCH_PAGES_IMAGES ?? 500);
const MEASURED = 20;

const built = async <T>(path: string): Promise<T> => (await import(new URL(`../dist/${path}`, import.meta.url).href)) as T;

export async function run(): Promise<void> {
  const { openServerStores } = await built<typeof import('../src/server/main.js')>('server/main.js');
  const { ingestSbom } = await built<typeof import('../src/server/ingest.js')>('server/ingest.js');
  const { detectAndImport } = await built<typeof import('../src/advisories/import/detect.js')>('advisories/import/detect.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'scout-bench-pages-'));
  const path = join(dataDir, 'scout.db');
  try {
    const { platform, advisories } = await openServerStores({ dataDir, database: { kind: 'sqlite', path } });
    const examples = new URL('../examples/advisories/', import.meta.url).pathname;
    for (const f of readdirSync(examples).filter((n) => n.endsWith('.gz')).sort()) await detectAndImport(advisories, join(examples, f));
    const org = platform.forOrg(await platform.ensureOrg('bench'));
    for (let i = 0; i < STORED; i++) await ingestSbom(org, advisories, benchSbom(i));
    const raw = new Database(path);
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    const fingerprints = () => {
      raw.pragma('wal_checkpoint(TRUNCATE)');
      const file = readFileSync(path);
      const out: string[] = [];
      for (let at = 0; at < file.length; at += pageSize) out.push(createHash('sha1').update(file.subarray(at, at + pageSize)).digest('hex'));
      return out;
    };
    const before = fingerprints();
    const t0 = performance.now();
    for (let i = STORED; i < STORED + MEASURED; i++) await ingestSbom(org, advisories, benchSbom(i));
    const ms = performance.now() - t0;
    const after = fingerprints();
    const owner = new Map<number, string>();
    const size = new Map<string, number>();
    for (const r of raw.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[]) {
      owner.set(r.pageno, r.name);
      size.set(r.name, (size.get(r.name) ?? 0) + 1);
    }
    const changed = new Map<string, number>();
    let total = 0;
    for (let p = 0; p < after.length; p++) {
      if (before[p] === after[p]) continue;
      total++;
      const name = owner.get(p + 1) ?? '(free pages)';
      changed.set(name, (changed.get(name) ?? 0) + 1);
    }
    raw.close();
    await platform.close();
    await advisories.close();
    console.log(`  SQLite, ${pageSize}-byte pages: ${STORED} pushes stored, then ${MEASURED} more in ${ms.toFixed(0)} ms; ${(total / MEASURED).toFixed(0)} pages changed a push (${((total * pageSize) / MEASURED / 1024).toFixed(0)} KiB); ${loadNote()}`);
    for (const [name, n] of [...changed].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`  ${(n / MEASURED).toFixed(1).padStart(7)} pages a push  ${name.padEnd(34)} (${size.get(name) ?? 0} pages in all)`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
