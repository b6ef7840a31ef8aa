/** Text for `scout db import|update|status`: what each source did, and how fresh the data is. */
import { table } from '../cli/output/text.js';
import { formatAge } from './age.js';
import type { SourceUpdateResult } from '../advisories/update/update.js';
import type { StoreImportCounts, StoreStatus } from '../store/advisory-store.js';

/** One input of `scout db import` and what became of it. */
export interface ImportLine {
  /** The file, directory entry or URL given. */
  input: string;
  source?: string;
  format?: string;
  result: 'imported' | 'unchanged' | 'skipped' | 'failed';
  counts?: StoreImportCounts;
  report?: { seen: number; accepted: number; skipped: number; reasons: Record<string, number> };
  /** Why skipped or failed. */
  reason?: string;
}

function reasons(r: Record<string, number>): string {
  return Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
}

/** Failed inputs, one line each, for standard error: what failed, why, and that nothing changed. */
export function writeImportFailures(lines: readonly ImportLine[]): string {
  const out: string[] = [];
  for (const l of lines) {
    if (l.result !== 'failed') continue;
    // Importer messages often start with the file name already.
    const raw = l.reason ?? 'unknown error';
    const reason = raw.startsWith(`${l.input}: `) ? raw.slice(l.input.length + 2) : raw;
    out.push(`error: ${l.input}: ${reason} (nothing was changed for this input${l.source ? `; ${l.source} keeps its previous data` : ''})`);
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** What each input did, for standard output; failures are only counted here (see writeImportFailures). */
export function writeImportSummary(lines: readonly ImportLine[], status: StoreStatus): string {
  const rows = lines.filter((l) => l.source !== undefined && l.result !== 'skipped').map((l) => [
    l.source!,
    l.format ?? '-',
    l.result,
    String(l.counts?.inserted ?? '-'),
    String(l.counts?.updated ?? '-'),
    String(l.counts?.unchanged ?? '-'),
    String(l.counts?.deleted ?? '-'),
    String(l.report?.skipped ?? '-'),
  ]);
  const out: string[] = [];
  if (rows.length) out.push(table(rows, ['SOURCE', 'FORMAT', 'RESULT', 'NEW', 'UPDATED', 'UNCHANGED', 'DELETED', 'SKIPPED']), '');
  for (const l of lines) {
    if (l.result === 'skipped') out.push(`skipped: ${l.input}: ${l.reason ?? ''}`);
    else if (l.report?.skipped) out.push(`${l.source}: ${l.report.skipped} records skipped (${reasons(l.report.reasons)})`);
  }
  const ok = lines.filter((l) => l.result === 'imported' || l.result === 'unchanged').length;
  const failed = lines.filter((l) => l.result === 'failed').length;
  out.push(`${ok} source${ok === 1 ? '' : 's'} imported${failed ? `, ${failed} failed` : ''}; the database holds ${status.advisories} advisories, ${status.kev} KEV entries, ${status.epss} EPSS scores`);
  return out.join('\n') + '\n';
}

export interface StatusView {
  path: string;
  maxAgeDays: number;
  /** How users reach this database's commands (default `scout db`). */
  command?: string;
}

/** Sources older than the limit (age ≥ maxAgeDays; 0 makes every source stale). */
export function staleSources(status: StoreStatus, maxAgeDays: number): StoreStatus['sources'] {
  return status.sources.filter((s) => s.ageSeconds >= maxAgeDays * 86400);
}

export function writeStatus(status: StoreStatus, view: StatusView): string {
  const out: string[] = [`Advisory database: ${view.path} (schema ${status.schemaVersion})`];
  if (!status.sources.length) {
    const cmd = view.command ?? 'scout db';
    out.push('', `The database is empty. Fill it with \`${cmd} import PATH|URL…\` or \`${cmd} update\`.`);
    return out.join('\n') + '\n';
  }
  const stale = new Set(staleSources(status, view.maxAgeDays).map((s) => s.name));
  const rows = status.sources.map((s) => [s.name, s.kind, String(s.count), String(s.withdrawn), s.importedAt, formatAge(s.ageSeconds) + (stale.has(s.name) ? ' (stale)' : ''), s.lastModified ?? '-']);
  out.push('', table(rows, ['SOURCE', 'KIND', 'RECORDS', 'WITHDRAWN', 'IMPORTED', 'AGE', 'NEWEST DATA']), '');
  out.push(`${status.advisories} advisories, ${status.kev} KEV entries, ${status.epss} EPSS scores`);
  return out.join('\n') + '\n';
}

export function writeUpdateSummary(results: readonly SourceUpdateResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.type,
    r.status,
    r.mode ?? '-',
    String(r.counts?.inserted ?? '-'),
    String(r.counts?.updated ?? '-'),
    String(r.counts?.unchanged ?? '-'),
    String(r.counts?.deleted ?? '-'),
    String(r.report?.skipped ?? '-'),
  ]);
  const out: string[] = [];
  if (rows.length) out.push(table(rows, ['SOURCE', 'TYPE', 'RESULT', 'MODE', 'NEW', 'UPDATED', 'UNCHANGED', 'DELETED', 'SKIPPED']), '');
  for (const r of results) {
    if (r.status === 'failed') out.push(`failed: ${r.name}: ${r.reason ?? r.error?.message ?? 'unknown error'} (its previous data is kept)`);
    else if (r.status === 'unchanged' && r.reason) out.push(`unchanged: ${r.name}: ${r.reason}`);
    if (r.report?.skipped) out.push(`${r.name}: ${r.report.skipped} records skipped (${reasons(r.report.reasons)})`);
  }
  const failed = results.filter((r) => r.status === 'failed').length;
  out.push(`${results.length - failed} of ${results.length} sources up to date${failed ? `, ${failed} failed` : ''}`);
  return out.join('\n') + '\n';
}
