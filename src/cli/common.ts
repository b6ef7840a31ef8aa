import type { Command } from 'commander';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parsePlatform } from '../image/manifest.js';
import type { OpenOptions } from '../image/types.js';
import { scanIncomplete } from '../image/incomplete.js';
import { defaultPace } from '../image/registry/pace.js';
import { ScoutError, type ScanWarning } from '../util/errors.js';
import { layerReporter, progressReporter } from './progress.js';
import { note, statusLine, terminal, warn } from './terminal.js';
import type { Display } from '../report/types.js';
import type { ScanOptions } from '../image/scan.js';

/** Options every image-reading command accepts, named as Docker Scout names them. */
export function imageOptions(cmd: Command, o: { ref?: boolean } = {}): Command {
  cmd.option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image (default: this machine\'s)');
  // `scout watch` reads registries only: no archive or layout to pick from.
  if (o.ref !== false) cmd.option('--ref <name>', 'which image of an archive or OCI layout holding several (tag or digest)');
  return cmd
    .option('--insecure-registry <host...>', 'registries to reach over plain HTTP (localhost always is)')
    .option('--registry-mirror <registry=url...>', 'pull REGISTRY\'s images through this mirror first (a bare URL mirrors docker.io); also SCOUT_REGISTRY_MIRRORS')
    .option('--allow-foreign-layers', 'fetch foreign (non-distributable) layers from the URLs the image names; also SCOUT_ALLOW_FOREIGN_LAYERS=1')
    .option('--allow-private-redirects', 'follow registry redirects and token realms to private, loopback or link-local addresses the registry is not at; also SCOUT_ALLOW_PRIVATE_REDIRECTS=1')
    .option('--registry-idle-timeout <seconds>', 'fail a layer whose registry sends nothing for this long (default 60); also SCOUT_REGISTRY_IDLE_TIMEOUT')
    .option('--registry-min-rate <bytes/s>', 'fail a layer whose registry sends fewer bytes per second than this (default 1024, 0: off); also SCOUT_REGISTRY_MIN_RATE')
    .option('--no-cache', 'neither read nor write the per-layer cache');
}

export interface ImageCliOptions {
  platform?: string;
  ref?: string;
  insecureRegistry?: string[];
  registryMirror?: string[];
  allowForeignLayers?: boolean;
  allowPrivateRedirects?: boolean;
  registryIdleTimeout?: string;
  registryMinRate?: string;
  cache?: boolean;
}

function nonNegative(flag: string, v: string, unit: string): number {
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new ScoutError('bad-option', `${flag} must be a number of ${unit} (0 or more), not "${v}"`);
  return n;
}

/** The flags win over the environment (defaultPace). */
function transferPace(o: ImageCliOptions): OpenOptions['transferPace'] {
  if (o.registryIdleTimeout === undefined && o.registryMinRate === undefined) return undefined;
  const pace = defaultPace();
  if (o.registryIdleTimeout !== undefined) pace.idleMs = nonNegative('--registry-idle-timeout', o.registryIdleTimeout, 'seconds') * 1000;
  if (o.registryMinRate !== undefined) pace.minBytesPerSecond = nonNegative('--registry-min-rate', o.registryMinRate, 'bytes per second');
  return pace;
}

export function openOptions(o: ImageCliOptions): OpenOptions {
  const pace = transferPace(o);
  return {
    ...(pace ? { transferPace: pace } : {}),
    ...(o.platform ? { platform: parsePlatform(o.platform) } : {}),
    ...(o.ref ? { pick: o.ref } : {}),
    insecureRegistries: o.insecureRegistry ?? [],
    ...(o.registryMirror?.length ? { registryMirrors: o.registryMirror } : {}),
    ...(o.allowForeignLayers ? { allowForeignLayers: true } : {}),
    ...(o.allowPrivateRedirects ? { allowPrivateRedirects: true } : {}),
    ...(o.cache === false ? { cache: false as const } : {}),
    onProgress: progressReporter(),
    onNotice: (message) => note(`note: ${message}`),
  };
}

/** How layers are read: the per-layer cache unless --no-cache, and the progress line. */
export function scanOptions(o: ImageCliOptions): ScanOptions {
  const onLayer = layerReporter();
  return { ...(o.cache === false ? { cache: false as const } : {}), ...(onLayer ? { onLayer } : {}) };
}

/** Options of the commands that match against the advisory database (cves, quickview, explain). */
export function dbOptions(cmd: Command): Command {
  return cmd
    .option('--db-max-age <days>', 'warn when a source of the advisory database was last imported this many days ago or more (default 7)')
    .option('--fail-on-stale-db', 'make stale advisory data (see --db-max-age) an error instead of a warning');
}

export interface DbCliOptions {
  dbMaxAge?: string;
  failOnStaleDb?: boolean;
}

export function freshness(o: DbCliOptions): { maxAgeDays?: number; failOnStale?: boolean } {
  const days = o.dbMaxAge === undefined ? undefined : Number(o.dbMaxAge);
  if (days !== undefined && (o.dbMaxAge!.trim() === '' || !Number.isFinite(days) || days < 0)) throw new ScoutError('bad-option', `--db-max-age takes a number of days, not "${o.dbMaxAge}"`);
  return { ...(days !== undefined ? { maxAgeDays: days } : {}), ...(o.failOnStaleDb ? { failOnStale: true } : {}) };
}

/**
 * Warnings about this machine, not the image: a cache directory that cannot be written is
 * said once per run, however many images the command reads (compare reads two).
 */
const ONCE_PER_RUN = new Set(['cache-write-failed']);
const saidThisRun = new Set<string>();

export function printWarnings(all: ScanWarning[]): void {
  const warnings = all.filter((w) => !ONCE_PER_RUN.has(w.code) || (!saidThisRun.has(w.code) && !!saidThisRun.add(w.code)));
  const max = 20;
  for (const w of warnings.slice(0, max)) warn(`${w.message}${w.path && !w.message.includes(w.path) ? ` (${w.path})` : ''}`);
  if (warnings.length > max) warn(`… and ${warnings.length - max} more (use --format json to see all)`);
}

/** Exit codes: 0 ok, 1 error, 2 policy (--exit-code) hit, 3 result incomplete (a layer failed). */
export const EXIT = { ok: 0, error: 1, policy: 2, incomplete: 3 } as const;

/** The exit code of a finished scan: 3 when a layer could not be read (see image/incomplete.ts), else 0. */
export function scanExit(warnings: readonly ScanWarning[]): number {
  return scanIncomplete(warnings) ? EXIT.incomplete : EXIT.ok;
}

/** Run a command body, turning errors into one clear line and an exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      // eslint-disable-next-line no-restricted-syntax -- a command's own few arguments
      const code = await fn(...args);
      process.exitCode = code ?? 0;
      statusLine.clear();
    } catch (err) {
      statusLine.clear();
      if (err instanceof ScoutError) process.stderr.write(`error: ${err.message}\n`);
      else if (process.env.SCOUT_DEBUG) process.stderr.write(`error: ${(err as Error).stack}\n`);
      else process.stderr.write(`error: ${(err as Error).message ?? String(err)}\n`);
      process.exitCode = EXIT.error;
    }
  };
}

/** Colour and width for a text report: only when it goes to standard output (terminal.ts decides). */
export function displayFor(file: string | undefined): Display | undefined {
  if (!isStdout(file)) return undefined;
  const t = terminal();
  return { color: t.color, ...(t.width ? { width: t.width } : {}) };
}

/** `-o -` is standard output, as in Trivy and Grype. */
export function isStdout(file: string | undefined): boolean {
  return file === undefined || file === '-';
}

/**
 * A report as written: text, or UTF-8 pieces written one after the other (a cached SBOM's
 * packages go out as the bytes the cache holds: see scoutJsonChunks).
 */
export type ReportText = string | readonly Uint8Array[];

export async function writeOutput(text: ReportText, file?: string): Promise<void> {
  statusLine.clear();
  // In one call: the promise API writes a large report 512 KiB at a time, each piece a round
  // trip to the thread pool, while this thread has nothing else to do.
  if (!isStdout(file)) {
    // `-o reports/scan.sarif` in a fresh CI checkout: the folder is made, as Trivy and Grype do.
    mkdirSync(dirname(resolve(file!)), { recursive: true });
    if (typeof text === 'string') writeFileSync(file!, text);
    else writeChunks(file!, text);
  } else if (typeof text === 'string') process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  else {
    for (const c of text) process.stdout.write(c);
    const last = text.findLast((c) => c.length > 0);
    if (last?.[last.length - 1] !== 0x0a) process.stdout.write('\n');
  }
}

/** The pieces into `file` (created or emptied, as writeFileSync does), each written whole. */
function writeChunks(file: string, chunks: readonly Uint8Array[]): void {
  const fd = openSync(file, 'w');
  try {
    for (const c of chunks) {
      for (let at = 0; at < c.length; ) at += writeSync(fd, c, at, c.length - at);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes every report, each on its own: one that cannot be written (a read-only folder, a full
 * disk) is named on stderr and the others are still written. True when all were written.
 */
export async function writeOutputs<F extends string>(outputs: readonly { format: F; file?: string }[], render: (format: F, file: string | undefined) => Promise<ReportText> | ReportText): Promise<boolean> {
  let ok = true;
  for (const out of outputs) {
    try {
      await writeOutput(await render(out.format, out.file), out.file);
    } catch (err) {
      ok = false;
      const e = err as NodeJS.ErrnoException;
      process.stderr.write(`error: cannot write the ${out.format} report to ${isStdout(out.file) ? 'standard output' : out.file}: ${e.code ? `${e.code} ${e.syscall ?? ''}`.trim() : e.message}\n`);
    }
  }
  return ok;
}
