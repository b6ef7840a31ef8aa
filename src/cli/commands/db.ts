import type { Command } from 'commander';
import type { AdvisoryStore } from '../../store/advisory-store.js';
import type { ImportLine } from '../../report/db.js';
import { ScoutError, Warnings } from '../../util/errors.js';
import { action, EXIT, printWarnings, writeOutput } from '../common.js';
import { progressReporter } from '../progress.js';
import { statusLine, terminal, warn } from '../terminal.js';

/** Files in a directory of feeds that are read; anything else (README, manifests) is skipped. */
const FEED_FILE = /\.(json|jsonl|ndjson|gz|zip|csv)$/i;
const MAX_DIR_ENTRIES = 10_000;

interface Planned {
  input: string;
  kind: 'file' | 'osv-dir' | 'url' | 'skip';
  reason?: string;
}

/**
 * What each argument means. A directory holding only `*.json` files (and subdirectories) is one
 * OSV feed (an osv.dev export unpacked); any other directory is a set of feed files, one source
 * each, read non-recursively.
 */
export async function planImports(inputs: readonly string[]): Promise<Planned[]> {
  const { readdir, stat } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const plan: Planned[] = [];
  for (const input of inputs) {
    if (/^https?:\/\//i.test(input)) {
      plan.push({ input, kind: 'url' });
      continue;
    }
    const st = await stat(input).catch((err: NodeJS.ErrnoException) => {
      throw new ScoutError('not-found', `${input}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`, { path: input });
    });
    if (!st.isDirectory()) {
      plan.push({ input, kind: 'file' });
      continue;
    }
    const entries = (await readdir(input, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (entries.length > MAX_DIR_ENTRIES) throw new ScoutError('too-many-files', `${input}: more than ${MAX_DIR_ENTRIES} entries`, { path: input });
    const files = entries.filter((e) => e.isFile() && !e.name.startsWith('.'));
    if (files.length && files.every((e) => /\.json$/i.test(e.name)) || (!files.length && entries.some((e) => e.isDirectory()))) {
      plan.push({ input, kind: 'osv-dir' });
      continue;
    }
    for (const e of entries) {
      const path = join(input, e.name);
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) plan.push({ input: path, kind: 'skip', reason: 'a directory inside a directory of feed files (import it on its own)' });
      else if (!e.isFile()) plan.push({ input: path, kind: 'skip', reason: 'not a regular file' });
      else if (!FEED_FILE.test(e.name)) plan.push({ input: path, kind: 'skip', reason: 'not a feed file (.json, .jsonl, .gz, .zip, .csv)' });
      else plan.push({ input: path, kind: 'file' });
    }
  }
  return plan;
}

interface ImportOptions {
  source?: string;
  mode: string;
  allowShrink?: boolean;
}

async function downloadInput(url: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const { mkdtemp, rm, mkdir } = await import('node:fs/promises');
  const { join, basename } = await import('node:path');
  const { cacheDir } = await import('../../image/cache.js');
  const { downloadToFile } = await import('../../advisories/update/fetch.js');
  const base = join(cacheDir(), 'imports');
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'dl-'));
  // The file keeps the URL's name: the source name is derived from it (osv:<stem>, cisa-kev, ...).
  const name = basename(new URL(url).pathname).replace(/[^A-Za-z0-9._-]/g, '_') || 'feed';
  const dest = join(dir, name);
  const progress = progressReporter(name);
  try {
    // The reporter adds up increments; the download reports a running total.
    let seen = 0;
    const onProgress = progress && ((p: { bytes: number; total?: number }) => {
      progress({ layer: url, bytes: p.bytes - seen, ...(p.total !== undefined ? { total: p.total } : {}) });
      seen = p.bytes;
    });
    const r = await downloadToFile(url, dest, onProgress ? { onProgress } : {});
    if (r.status !== 'ok') throw new ScoutError('download-failed', `${url}: the server answered "not modified" to an unconditional request`);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { path: dest, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

async function runImport(store: AdvisoryStore, plan: Planned[], o: ImportOptions, warnings: Warnings): Promise<ImportLine[]> {
  const { detectAndImport } = await import('../../advisories/import/detect.js');
  const lines: ImportLine[] = [];
  const todo = plan.filter((p) => p.kind !== 'skip');
  let i = 0;
  for (const p of plan) {
    if (p.kind === 'skip') {
      lines.push({ input: p.input, result: 'skipped', reason: p.reason });
      continue;
    }
    statusLine.set(`importing ${++i}/${todo.length} ${p.input}`);
    let path = p.input;
    let cleanup: (() => Promise<void>) | undefined;
    try {
      if (p.kind === 'url') ({ path, cleanup } = await downloadInput(p.input));
      const out = await detectAndImport(store, path, { ...(o.source ? { source: o.source } : {}), mode: o.mode as 'replace' | 'merge', warnings, allowShrink: !!o.allowShrink });
      const line: ImportLine = { input: p.input, result: 'failed' };
      if (out.source) line.source = out.source.name;
      if (out.format) line.format = out.format;
      line.report = { seen: out.report.seen, accepted: out.report.accepted, skipped: out.report.skipped, reasons: out.report.reasons };
      if (out.ok && out.store) {
        line.counts = out.store;
        const changed = out.store.inserted + out.store.updated + out.store.deleted;
        line.result = changed === 0 ? 'unchanged' : 'imported';
      } else line.reason = out.error?.message ?? 'import failed';
      lines.push(line);
    } catch (err) {
      lines.push({ input: p.input, result: 'failed', reason: err instanceof Error ? err.message : String(err) });
    } finally {
      await cleanup?.();
    }
  }
  statusLine.clear();
  return lines;
}

function maxAge(s: string): number {
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n) || n < 0) throw new ScoutError('bad-option', `--max-age must be a number of days (0 or more), not "${s}"`);
  return n;
}

/**
 * The advisory store a `db` command works on: the CLI's own (`scout db`, the SQLite file in the
 * cache) or the server's (`scout server db`, in the server's database). One set of commands
 * serves both; only the target differs.
 */
export interface DbTarget {
  /** Where the store is, for messages (a file, or a database URL without its password). */
  where: string;
  /** The command prefix users type to reach it (`scout db`, `scout server db`). */
  command: string;
  /** Opens it, creating it when missing. */
  open(): Promise<AdvisoryStore>;
  /** Opens it to report on it (read-only where the backend allows: a database mounted read-only). */
  openForReading(): Promise<AdvisoryStore>;
  /** Whether it exists already: `status` must not create a database to report it empty. */
  exists(): Promise<boolean>;
}

/** The CLI's own advisory database under the cache directory. */
async function localTarget(): Promise<DbTarget> {
  const { existsSync } = await import('node:fs');
  const { defaultStorePath, openDefaultStore, openStoreForReading } = await import('../store.js');
  const path = defaultStorePath();
  return { where: path, command: 'scout db', open: openDefaultStore, openForReading: () => openStoreForReading(path), exists: async () => existsSync(path) };
}

export function register(program: Command): void {
  const db = program.command('db').description('the local advisory database: import, update, status');
  registerDbCommands(db, localTarget, 'the local database');
}

/**
 * Adds `import`, `update` and `status` to `db`. `target` gets each subcommand's parsed options
 * (so a caller can add its own, such as the server's --data-dir); `addOptions` adds them.
 */
export function registerDbCommands(
  db: Command,
  target: (options: Record<string, unknown>) => Promise<DbTarget>,
  what: string,
  addOptions: (cmd: Command) => Command = (cmd) => cmd,
): void {

  addOptions(db.command('import'))
    .argument('<inputs...>', 'feed files (OSV JSON/JSON lines, gzipped or not, osv.dev zips, CISA KEV, EPSS CSV, Debian tracker, Alpine secdb), directories of them, or http(s) URLs')
    .description(`import advisory feeds from files, directories or URLs into ${what}`)
    .option('--source <name>', 'source name to store the data under (default: from the file name and format)')
    .option('--mode <mode>', 'replace: each input is the whole feed (records missing from it are deleted); merge: only add and update', 'replace')
    .option('--allow-shrink', 'import a feed with no valid record, or one that would delete half or more of its source (refused by default)')
    .action(
      action(async (inputs: string[], o: ImportOptions & Record<string, unknown>) => {
        if (!['replace', 'merge'].includes(o.mode)) throw new ScoutError('bad-option', `--mode must be replace or merge, not "${o.mode}"`);
        const plan = await planImports(inputs);
        if (o.source && plan.filter((p) => p.kind !== 'skip').length > 1) throw new ScoutError('bad-option', '--source names one source: give it with a single input file');
        if (!plan.some((p) => p.kind !== 'skip')) throw new ScoutError('nothing-to-import', `no feed file found in ${inputs.join(', ')}`);
        const store = await (await target(o)).open();
        try {
          const warnings = new Warnings();
          const lines = await runImport(store, plan, o, warnings);
          printWarnings(warnings.items.filter((w) => w.code !== 'feed-import-failed' && !lines.some((l) => l.result === 'failed' && l.reason === w.message)));
          const { writeImportFailures, writeImportSummary } = await import('../../report/db.js');
          await writeOutput(writeImportSummary(lines, await store.status()));
          process.stderr.write(writeImportFailures(lines));
          return lines.some((l) => l.result === 'failed') ? EXIT.error : EXIT.ok;
        } finally {
          await store.close();
        }
      }),
    );

  addOptions(db.command('update'))
    .description(`bring ${what} up to date from the configured feeds (osv.dev, NVD, CISA KEV, EPSS; GitHub's advisory-database when enabled; see sources.json)`)
    .option('--only <names...>', 'update only these sources (by name)')
    .option('--full', 're-download whole snapshots instead of incremental updates')
    .option('--allow-shrink', 'import a snapshot that would delete half or more of its source (refused by default; the source keeps its data)')
    .action(
      action(async (o: { only?: string[]; full?: boolean; allowShrink?: boolean } & Record<string, unknown>) => {
        const { resolveSources } = await import('../../advisories/update/sources.js');
        const { updateDatabase } = await import('../../advisories/update/update.js');
        const sources = resolveSources();
        const unknown = (o.only ?? []).filter((n) => !sources.some((s) => s.name === n));
        if (unknown.length) throw new ScoutError('bad-option', `unknown source${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${sources.map((s) => s.name).join(', ')}`);
        const store = await (await target(o)).open();
        try {
          const warnings = new Warnings();
          const result = await updateDatabase(store, sources, {
            ...(o.only ? { only: o.only } : {}),
            ...(o.full ? { full: true } : {}),
            ...(o.allowShrink ? { allowShrink: true } : {}),
            warnings,
            onProgress: terminal().progress
              ? (e) => {
                  const what = e.phase === 'download' ? `downloading ${(e.bytes / 1048576).toFixed(1)}${e.total ? `/${(e.total / 1048576).toFixed(1)}` : ''} MB` : e.phase === 'records' ? `records ${e.done}/${e.total}` : 'importing';
                  statusLine.set(`${e.source}: ${what}`);
                }
              : undefined,
          });
          statusLine.clear();
          const { writeUpdateSummary } = await import('../../report/db.js');
          await writeOutput(writeUpdateSummary(result.sources));
          return result.ok ? EXIT.ok : EXIT.error;
        } finally {
          await store.close();
        }
      }),
    );

  addOptions(db.command('status'))
    .description(`the sources in ${what}: record counts, import dates, age`)
    .option('--max-age <days>', 'warn about sources imported this many days ago or more', '7')
    .option('--format <format>', 'table or json', 'table')
    .action(
      action(async (o: { maxAge: string; format: string } & Record<string, unknown>) => {
        if (!['table', 'json'].includes(o.format)) throw new ScoutError('bad-format', `--format must be table or json, not "${o.format}"`);
        const days = maxAge(o.maxAge);
        const { staleSources, writeStatus } = await import('../../report/db.js');
        const { formatAge } = await import('../../report/age.js');
        const t = await target(o);
        const path = t.where;
        const store = (await t.exists()) ? await t.openForReading() : undefined;
        try {
          const status = store ? await store.status() : { schemaVersion: 0, sources: [], advisories: 0, kev: 0, epss: 0 };
          const stale = staleSources(status, days);
          if (o.format === 'json') await writeOutput(JSON.stringify({ path, ...status, maxAgeDays: days, stale: stale.map((s) => s.name) }, null, 2));
          else await writeOutput(writeStatus(status, { path, maxAgeDays: days, command: t.command }));
          for (const s of stale) {
            warn(`${s.name} was imported ${formatAge(s.ageSeconds)} ago (limit ${days} days); run \`${t.command} update\` or import newer files`);
          }
          return EXIT.ok;
        } finally {
          await store?.close();
        }
      }),
    );
}
