/**
 * Picks the importer by content (not by file name) and imports into a store. Never throws:
 * a feed that cannot be read at all comes back as `ok: false` with the reason, and the store is
 * left as it was (the store's import is all or nothing).
 */
import { osvSourceName } from '../update/sources.js';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { AdvisoryStore, ImportBatch, ImportMode, StoreImportCounts } from '../../store/advisory-store.js';
import type { Advisory, SourceInfo } from '../model.js';
import { looksLikeZip } from '../../util/zip.js';
import { ScoutError, Warnings } from '../../util/errors.js';
import { alpineSecdbFromLines } from './alpine-secdb.js';
import { debianTrackerRecords } from './debian-tracker.js';
import { epssFromCsv, type EpssMeta } from './epss.js';
import { decodedChunks, peek, readAllText, type InputSource } from './input.js';
import { kevCatalog } from './kev.js';
import { osvFromDirectory, osvFromDocument, osvFromJsonLines, osvFromZip } from './osv.js';
import { ImportReport } from './report.js';
import { guardShrink } from './shrink-guard.js';

export type FeedFormat =
  | 'osv-jsonl' | 'osv-json' | 'osv-dir' | 'osv-zip'
  | 'debian-tracker' | 'alpine-secdb' | 'cisa-kev' | 'epss-csv' | 'debian-oval';

/** Largest zip read into memory (osv.dev's biggest all.zip is a few hundred MB). */
const MAX_ZIP_BYTES = 1024 ** 3;

/** Format of decoded content from its first bytes; undefined when nothing fits. */
export function detectFormat(head: Buffer): FeedFormat | undefined {
  if (looksLikeZip(head)) return 'osv-zip';
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start.startsWith('#model_version') || /^cve,epss/i.test(start)) return 'epss-csv';
  if (start.startsWith('<')) return /oval_definitions/.test(text) ? 'debian-oval' : undefined;
  if (start.startsWith('[')) return 'osv-json';
  if (!start.startsWith('{')) return undefined;

  const nl = start.indexOf('\n');
  const firstLine = nl < 0 ? start : start.slice(0, nl);
  let obj: Record<string, unknown> | undefined;
  try {
    const v: unknown = JSON.parse(firstLine);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) obj = v as Record<string, unknown>;
  } catch {
    // A pretty-printed or long document: decided from the text below.
  }
  if (obj) {
    if ('distroversion' in obj && 'packages' in obj) return 'alpine-secdb';
    if ('catalogVersion' in obj && 'vulnerabilities' in obj) return 'cisa-kev';
    if (typeof obj.id === 'string') return nl < 0 || start.slice(nl).trim() === '' ? 'osv-json' : 'osv-jsonl';
    if (Array.isArray(obj.vulns)) return 'osv-json';
  }
  if (/"catalogVersion"\s*:/.test(text) && /"vulnerabilities"\s*:/.test(text)) return 'cisa-kev';
  if (/^\{\s*"distroversion"\s*:|^\{\s*"apkurl"\s*:/.test(start)) return 'alpine-secdb';
  if (/^\{\s*"[a-z0-9][a-z0-9+.-]*"\s*:\s*\{\s*"(CVE-\d{4}-\d+|TEMP-\d+-[0-9A-F]+)"\s*:\s*\{/.test(start)) return 'debian-tracker';
  if (/^\{\s*"vulns"\s*:/.test(start)) return 'osv-json';
  if (/"id"\s*:\s*"/.test(text) && /"(affected|modified)"\s*:/.test(text)) return 'osv-json';
  return undefined;
}

export interface DetectOptions {
  /** Source name in the store; default derived from the format and file name. */
  source?: string;
  /** Default 'replace': a file is a whole snapshot of its feed. */
  mode?: ImportMode;
  warnings?: Warnings;
  /** `modified` for feeds without timestamps (tracker, secdb); default the file's mtime, else now. */
  modified?: string;
  /** Import a feed with no valid record, or one that would delete most of its source (see shrink-guard). */
  allowShrink?: boolean;
}

export interface ImportOutcome {
  ok: boolean;
  format?: FeedFormat;
  source?: SourceInfo;
  report: ImportReport;
  /** What the store did; absent when the import failed or never started. */
  store?: StoreImportCounts;
  error?: { code: string; message: string };
}

function defaultSourceName(format: FeedFormat, name: string): string {
  switch (format) {
    case 'debian-tracker': return 'debian-tracker';
    case 'alpine-secdb': return 'alpine-secdb';
    case 'cisa-kev': return 'cisa-kev';
    case 'epss-csv': return 'epss';
    default: {
      let stem = basename(name).replace(/(\.(gz|zip|jsonl|json|osv))+$/i, '');
      // osv.dev publishes <ecosystem>/all.zip: every file is called 'all', so the directory
      // names the feed (otherwise a 'replace' import of npm would delete PyPI).
      if (stem.toLowerCase() === 'all') stem = basename(dirname(name));
      // Same naming as `scout db update` (osv-npm), so a manual import and an update agree.
      return osvSourceName(stem || 'feed');
    }
  }
}

/**
 * An archive entry that cannot be read (a bomb, a corrupt or truncated entry) means the whole
 * archive is damaged or hostile: throwing makes the store roll the import back, so a partial
 * snapshot never replaces the data already there.
 */
function* refuseDamaged(records: Iterable<Advisory>, report: ImportReport, name: string): Generator<Advisory> {
  const check = () => {
    if (!report.reasons['bad-zip-entry']) return;
    const bad = report.samples.find((s) => s.reason === 'bad-zip-entry');
    throw new ScoutError('feed-corrupt', `${name}: damaged or hostile archive entry ${bad?.where ?? ''}: ${bad?.detail ?? 'unreadable'}; nothing imported`);
  };
  for (const r of records) {
    check();
    yield r;
  }
  check();
}

/** Imports a file, a directory of OSV JSON files, or a Buffer, whatever feed it holds. */
export async function detectAndImport(store: AdvisoryStore, input: InputSource, opts: DetectOptions = {}): Promise<ImportOutcome> {
  const name = typeof input === 'string' ? input : (opts.source ?? 'buffer');
  const warnings = opts.warnings ?? new Warnings();
  const report = new ImportReport(name, warnings);
  const outcome: ImportOutcome = { ok: false, report };
  const guard = { allowShrink: opts.allowShrink, input: name };
  const importBatch = async (batch: ImportBatch) => store.importBatch(await guardShrink(store, batch, guard));
  try {
    let modified = opts.modified;
    let isDir = false;
    if (typeof input === 'string') {
      const st = await stat(input);
      isDir = st.isDirectory();
      modified ??= st.mtime.toISOString();
    }
    modified ??= new Date().toISOString();
    const mode = opts.mode ?? 'replace';

    if (isDir) {
      const source: SourceInfo = { name: opts.source ?? defaultSourceName('osv-dir', name), kind: 'advisories', url: name };
      Object.assign(outcome, { format: 'osv-dir', source });
      outcome.store = await importBatch({ kind: 'advisories', source, mode, records: osvFromDirectory(input as string, source.name, report) });
      outcome.ok = true;
      return outcome;
    }

    const { head, all } = await peek(decodedChunks(input, name));
    const format = detectFormat(head);
    if (format === undefined) throw new ScoutError('feed-unknown-format', `${name}: not a feed this program knows (OSV, Debian tracker, Alpine secdb, CISA KEV, EPSS)`, { path: name });
    outcome.format = format;
    if (format === 'debian-oval') throw new ScoutError('feed-unsupported', `${name}: Debian OVAL is not supported yet; use Debian's OSV records or the tracker JSON`, { path: name });
    const sourceName = opts.source ?? defaultSourceName(format, name);
    const kind: SourceInfo['kind'] = format === 'cisa-kev' ? 'kev' : format === 'epss-csv' ? 'epss' : 'advisories';
    const source: SourceInfo = { name: sourceName, kind, ...(typeof input === 'string' ? { url: input } : {}) };
    outcome.source = source;

    let records: AsyncIterable<Advisory> | Iterable<Advisory>;
    switch (format) {
      case 'osv-jsonl':
        records = osvFromJsonLines(all, sourceName, report);
        break;
      case 'osv-json':
        records = osvFromDocument(await readAllText(all, name), sourceName, report, basename(name));
        break;
      case 'osv-zip':
        // A zip is read whole: its directory is at the end.
        records = refuseDamaged(osvFromZip(await collectBytes(all, MAX_ZIP_BYTES, name), name, sourceName, report), report, name);
        break;
      case 'alpine-secdb':
        records = alpineSecdbFromLines(all, sourceName, report, { modified });
        break;
      case 'debian-tracker':
        records = debianTrackerRecords(parseDocument(await readAllText(all, name), name), sourceName, report, { modified });
        break;
      case 'cisa-kev': {
        const catalog = kevCatalog(parseDocument(await readAllText(all, name), name), report);
        source.lastModified = catalog.dateReleased ?? catalog.catalogVersion;
        outcome.store = await importBatch({ kind: 'kev', source, entries: catalog.entries });
        outcome.ok = true;
        return outcome;
      }
      case 'epss-csv': {
        const meta: EpssMeta = {};
        const scores = [];
        // Collected first so the source's lastModified (the score date) is known before the batch.
        for await (const s of epssFromCsv(all, report, meta)) scores.push(s);
        if (meta.date !== undefined) source.lastModified = meta.date;
        outcome.store = await importBatch({ kind: 'epss', source, entries: scores });
        outcome.ok = true;
        return outcome;
      }
      default:
        throw new ScoutError('feed-unsupported', `${name}: ${format} is not supported`, { path: name });
    }
    outcome.store = await importBatch({ kind: 'advisories', source, mode, records });
    outcome.ok = true;
    return outcome;
  } catch (err) {
    const code = err instanceof ScoutError ? err.code : 'feed-import-failed';
    const message = err instanceof Error ? err.message : String(err);
    outcome.error = { code, message };
    warnings.add(code, message, { path: name });
    return outcome;
  }
}

function parseDocument(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ScoutError('feed-malformed', `${name}: not valid JSON: ${err instanceof Error ? err.message.slice(0, 200) : ''}`, { path: name });
  }
}

async function collectBytes(chunks: AsyncIterable<Buffer>, max: number, name: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of chunks) {
    size += c.length;
    if (size > max) throw new ScoutError('feed-too-large', `${name}: larger than ${max} bytes`, { path: name });
    parts.push(c);
  }
  return Buffer.concat(parts);
}
