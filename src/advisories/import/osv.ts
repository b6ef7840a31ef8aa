/**
 * OSV importers: JSON lines (one record per line, gzipped or not), a single JSON document (one
 * record, an array of records, or the osv.dev API's {"vulns": [...]}), a directory tree of
 * *.json files, and the per-ecosystem all.zip that osv.dev publishes.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Advisory } from '../model.js';
import { validateOsvRecord } from '../validate.js';
import { rememberSourceText } from '../stored-json.js';
import { listZip, readZipEntry } from '../../util/zip.js';
import { INPUT_LIMITS, LineSplitter, type SplitLine } from './input.js';
import type { ImportReport } from './report.js';

export const OSV_FILE_LIMITS = {
  /** One record file in a directory or zip. */
  fileBytes: 16 * 1024 * 1024,
  /** osv.dev's npm all.zip holds a few hundred thousand records (malware reports included). */
  zipEntries: 3_000_000,
  dirDepth: 12,
  dirFiles: 3_000_000,
};

/**
 * Validates one parsed value; returns the advisory or records why it was skipped. `where` is a
 * line number (named 'line N' only when something is reported) or a file/entry name.
 */
function accept(raw: unknown, where: string | number, source: string, report: ImportReport, text?: string, bytes?: Buffer): Advisory | undefined {
  const v = validateOsvRecord(raw, source);
  if (!v.ok) {
    report.skip(typeof where === 'number' ? `line ${where}` : where, v.reason, v.detail, v.id);
    return undefined;
  }
  for (const n of v.notes) report.note(n.split(' ')[0]);
  // Nothing was dropped: the line itself is a faithful serialisation (see stored-json.ts).
  if (text !== undefined && v.notes.length === 0) rememberSourceText(v.advisory, text, bytes);
  report.accepted++;
  return v.advisory;
}

function parse(text: string, where: string, report: ImportReport): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    report.skip(where, 'malformed-json', err instanceof Error ? err.message.slice(0, 200) : 'unparseable');
    return { ok: false };
  }
}

export async function* osvFromJsonLines(chunks: AsyncIterable<Buffer>, source: string, report: ImportReport): AsyncGenerator<Advisory> {
  const splitter = new LineSplitter(INPUT_LIMITS.lineBytes);
  // A chunk's lines are handled synchronously: one await per chunk besides one per record.
  for await (const chunk of chunks) {
    for (const line of splitter.push(chunk)) {
      const adv = fromLine(line, source, report);
      if (adv) yield adv;
    }
  }
  for (const line of splitter.end()) {
    const adv = fromLine(line, source, report);
    if (adv) yield adv;
  }
}

function fromLine(line: SplitLine, source: string, report: ImportReport): Advisory | undefined {
  if (line.tooLong) {
    report.seen++;
    report.skip(`line ${line.no}`, 'too-large', `line longer than ${INPUT_LIMITS.lineBytes} bytes`);
    return undefined;
  }
  if (line.text.trim() === '') return undefined;
  report.seen++;
  let raw: unknown;
  try {
    raw = JSON.parse(line.text);
  } catch (err) {
    report.skip(`line ${line.no}`, 'malformed-json', err instanceof Error ? err.message.slice(0, 200) : 'unparseable');
    return undefined;
  }
  return accept(raw, line.no, source, report, line.text, line.bytes);
}

/** One JSON document: a record, an array of records, or {"vulns": [...]}. */
export function* osvFromDocument(text: string, source: string, report: ImportReport, where = 'document'): Generator<Advisory> {
  const p = parse(text, where, report);
  if (!p.ok) {
    report.seen++;
    return;
  }
  const v = p.value;
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (typeof v === 'object' && v !== null && !('id' in v) && Array.isArray((v as { vulns?: unknown }).vulns)) items = (v as { vulns: unknown[] }).vulns;
  else items = [v];
  for (let i = 0; i < items.length; i++) {
    report.seen++;
    const adv = accept(items[i], items.length === 1 ? where : `${where}[${i}]`, source, report);
    if (adv) yield adv;
  }
}

/** Every *.json file under `dir` (symlinks are not followed). */
export async function* osvFromDirectory(dir: string, source: string, report: ImportReport): AsyncGenerator<Advisory> {
  let files = 0;
  async function* walk(d: string, depth: number): AsyncGenerator<string> {
    if (depth > OSV_FILE_LIMITS.dirDepth) {
      report.note('directory-too-deep');
      return;
    }
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) yield* walk(p, depth + 1);
      else if (e.isFile() && e.name.endsWith('.json')) yield p;
    }
  }
  for await (const path of walk(dir, 0)) {
    if (++files > OSV_FILE_LIMITS.dirFiles) {
      report.skip(relative(dir, path), 'too-many-files', `more than ${OSV_FILE_LIMITS.dirFiles} files; the rest is ignored`);
      return;
    }
    const where = relative(dir, path);
    const st = await lstat(path);
    if (st.size > OSV_FILE_LIMITS.fileBytes) {
      report.seen++;
      report.skip(where, 'too-large', `${st.size} bytes (limit ${OSV_FILE_LIMITS.fileBytes})`);
      continue;
    }
    yield* osvFromDocument(await readFile(path, 'utf8'), source, report, where);
  }
}

/**
 * An osv.dev all.zip (one record per .json entry), or any zip of OSV files; `include` picks the
 * entries by name (the reviewed part of GitHub's advisory-database). The zip itself being
 * unreadable throws.
 */
export function* osvFromZip(zip: Buffer, name: string, source: string, report: ImportReport, include: (entry: string) => boolean = () => true): Generator<Advisory> {
  const entries = listZip(zip, { maxEntries: OSV_FILE_LIMITS.zipEntries, archiveName: name });
  for (const e of entries) {
    if (e.isDirectory || !e.name.endsWith('.json') || !include(e.name)) continue;
    let data: Buffer;
    try {
      data = readZipEntry(zip, e, { maxSize: OSV_FILE_LIMITS.fileBytes, archiveName: name });
    } catch (err) {
      report.seen++;
      report.skip(e.name, 'bad-zip-entry', err instanceof Error ? err.message : String(err));
      continue;
    }
    yield* osvFromDocument(data.toString('utf8'), source, report, e.name);
  }
}
