/**
 * `updateDatabase`: brings the advisory store up to date from the configured feeds.
 *
 *   import { updateDatabase } from './advisories/update/update.js';
 *   import { resolveSources } from './advisories/update/sources.js';
 *   const result = await updateDatabase(store, resolveSources(), { onProgress, warnings });
 *   for (const s of result.sources) console.log(s.name, s.status, s.counts ?? s.reason);
 *   process.exitCode = result.ok ? 0 : 1;
 *
 * Per source (sources are updated one after another; disabled ones are skipped):
 * - OSV with a cursor in the store (`sources.last_modified`, the newest `modified` imported):
 *   download `modified_id.csv`, fetch `<ID>.json` only for ids changed after the cursor, and
 *   import them in 'merge' mode. Too many changes (> maxIncremental) or no change list → the
 *   full path below.
 * - OSV without a cursor, or with `full`: download `all.zip`, import in 'replace' mode.
 * - NVD (CVE API 2.0): with a cursor younger than 120 days, the CVEs changed since (merge);
 *   else every CVE, page by page (replace). The cursor is the time the read started.
 * - GHSA (GitHub's advisory-database as a zip): the reviewed OSV files, imported whole.
 * - KEV, EPSS, Debian tracker, Alpine secdb: download the document, import it whole.
 * Each import is one store batch, all or nothing: a source that fails (download, damaged or
 * hostile archive, an empty feed that would wipe its data) leaves its previous data untouched,
 * and the remaining sources still update. ETag/Last-Modified of every imported URL are kept in
 * a small state file, so an unchanged feed costs one 304.
 *
 * Never throws for a feed's content or the network: every problem is in the per-source result
 * (and in `warnings`). It throws only when the store itself fails (status()) or `workDir`
 * cannot be created.
 */
import { dirname, join } from 'node:path';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import type { AdvisoryStore, ImportBatch, SourceStatus, StoreImportCounts } from '../../store/advisory-store.js';
import type { Advisory, EpssScore, SourceInfo } from '../model.js';
import { cacheDir } from '../../image/cache.js';
import { ScoutError, Warnings } from '../../util/errors.js';
import { listZip, looksLikeZip } from '../../util/zip.js';
import { alpineSecdbDocument } from '../import/alpine-secdb.js';
import { debianTrackerRecords } from '../import/debian-tracker.js';
import { epssFromCsv, type EpssMeta } from '../import/epss.js';
import { decodedChunks, INPUT_LIMITS, lines, readAllText } from '../import/input.js';
import { kevCatalog } from '../import/kev.js';
import { OSV_FILE_LIMITS, osvFromDocument, osvFromZip } from '../import/osv.js';
import { ImportReport } from '../import/report.js';
import { guardShrink } from '../import/shrink-guard.js';
import { DownloadError, downloadToFile, fetchBuffer, type DownloadResult, type FetchOptions, type Validators } from './fetch.js';
import { osvUrls, type SourceSpec } from './sources.js';
import { nvdFromPage, nvdPaging } from '../import/nvd.js';
import { UpdateState } from './state.js';

export interface UpdateOptions {
  /** Downloads (with partial files kept for resumption) and the state file. Default `<cacheDir()>/advisory-feeds`. */
  workDir?: string;
  /** Ignore cursors and ETags: re-download every snapshot (all.zip) and import it in 'replace' mode. */
  full?: boolean;
  /** Update only these sources (by name), even if disabled; default every enabled source. Names not in `sources` are ignored: the caller checks them against the list. */
  only?: readonly string[];
  /** Network knobs passed to every download (retries, backoff, timeouts, size cap, abort signal). */
  fetch?: Pick<FetchOptions, 'retries' | 'retryDelayMs' | 'maxRetryDelayMs' | 'idleTimeoutMs' | 'maxBytes' | 'signal'>;
  /** Above this many changed records, a full all.zip download is cheaper. Default 5000. */
  maxIncremental?: number;
  /** Parallel <ID>.json requests in incremental mode. Default 4. */
  recordConcurrency?: number;
  onProgress?: (e: UpdateProgress) => void;
  /** Receives one warning per failed source and the importers' per-record warnings. */
  warnings?: Warnings;
  /** Import a snapshot that would delete half or more of its source (see shrink-guard); refused by default. */
  allowShrink?: boolean;
}

export type UpdateProgress =
  | { source: string; phase: 'download'; url: string; bytes: number; total?: number }
  | { source: string; phase: 'records'; done: number; total: number }
  | { source: string; phase: 'import' };

export interface SourceUpdateResult {
  name: string;
  type: SourceSpec['type'];
  /** ok: imported; unchanged: nothing new upstream (304, or no record after the cursor); failed: previous data kept. */
  status: 'ok' | 'unchanged' | 'failed';
  /** How the advisories were imported ('replace' = whole snapshot, 'merge' = changed records only). */
  mode?: 'replace' | 'merge';
  /** What the store did (absent unless status is 'ok'). */
  counts?: StoreImportCounts;
  /** Items the importer looked at / kept / skipped (skipped ones are named in `warnings`). */
  report?: { seen: number; accepted: number; skipped: number; reasons: Record<string, number> };
  /** Bytes downloaded for this source (bodies only). */
  bytes: number;
  /** In 'merge' mode: the record files fetched. */
  fetched?: number;
  /** Why it failed, or why it is unchanged. */
  reason?: string;
  error?: { code: string; message: string };
  /** The store's cursor after the update (newest `modified` / catalog date); absent when failed. */
  lastModified?: string;
}

export interface UpdateResult {
  /** False when any source failed. */
  ok: boolean;
  sources: SourceUpdateResult[];
}

const DEFAULT_MAX_INCREMENTAL = 5000;
/** NVD's largest page, its longest change window, and a cap on one page's JSON. */
const NVD_PAGE_SIZE = 2000;
const NVD_MAX_WINDOW_MS = 120 * 86400_000;
const NVD_PAGE_BYTES = 256 * 1024 ** 2;

/** `advisories/github-reviewed/YYYY/MM/GHSA-…/GHSA-….json`, under the archive's top folder or not. */
function isReviewedGhsa(entry: string): boolean {
  return /(^|\/)advisories\/github-reviewed\/(.+\/)?GHSA-[^/]+\.json$/.test(entry);
}

/** The API's date form, with an explicit UTC offset ('2023-10-03T23:55:59.983+00:00'). */
function nvdDate(d: Date): string {
  return d.toISOString().replace('Z', '+00:00');
}
/** A change list is text of `<timestamp>,<id>` lines; npm's is tens of MB. */
const MAX_CHANGE_LIST_BYTES = 512 * 1024 ** 2;
const RECORD_ID = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$/;

export async function updateDatabase(store: AdvisoryStore, sources: readonly SourceSpec[], opts: UpdateOptions = {}): Promise<UpdateResult> {
  const workDir = opts.workDir ?? join(cacheDir(), 'advisory-feeds');
  const warnings = opts.warnings ?? new Warnings();
  const selected = opts.only ? sources.filter((s) => opts.only!.includes(s.name)) : sources.filter((s) => s.enabled);
  const lock = await acquireLock(join(workDir, 'update.lock'));
  if (!lock.ok) {
    warnings.add('update-locked', lock.reason, { path: workDir });
    return { ok: false, sources: selected.map((s) => ({ name: s.name, type: s.type, status: 'failed', bytes: 0, reason: lock.reason, error: { code: 'update-locked', message: lock.reason } })) };
  }
  try {
    return await updateAll(store, selected, opts, workDir, warnings);
  } finally {
    await lock.release();
  }
}

async function updateAll(store: AdvisoryStore, selected: readonly SourceSpec[], opts: UpdateOptions, workDir: string, warnings: Warnings): Promise<UpdateResult> {
  const state = await UpdateState.load(join(workDir, 'state.json'));
  // status() counts rows per source: asked once before and once after, not per source.
  const before = new Map((await store.status()).sources.map((s) => [s.name, s]));
  const results: SourceUpdateResult[] = [];
  for (const spec of selected) {
    const r = await new SourceRun(store, spec, opts, state, workDir, warnings).run(before.get(spec.name));
    results.push(r);
    if (r.status === 'failed') warnings.add(r.error?.code ?? 'update-failed', `${spec.name}: ${r.reason ?? 'failed'}`, { path: spec.url });
    // Saved after each source, so a later crash does not forget what was already imported.
    if (r.status !== 'failed') await state.save().catch((err) => warnings.add('update-state', `cannot save update state: ${(err as Error).message}`, { path: state.path }));
  }
  const after = new Map((await store.status()).sources.map((s) => [s.name, s]));
  for (const r of results) {
    const lm = after.get(r.name)?.lastModified;
    if (r.status !== 'failed' && lm !== undefined) r.lastModified = lm;
  }
  return { ok: results.every((r) => r.status !== 'failed'), sources: results };
}

/**
 * One update at a time per work dir: two would write the same partial downloads. The lock file
 * holds the owner's pid; a lock whose process is gone is taken over.
 */
async function acquireLock(path: string): Promise<{ ok: true; release: () => Promise<void> } | { ok: false; reason: string }> {
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      return { ok: true, release: () => rm(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) return { ok: false, reason: `another update is running (pid ${pid}, lock ${path})` };
      await rm(path, { force: true });
    }
  }
  return { ok: false, reason: `cannot take the update lock ${path}` };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One source's update; every method may throw, `run` turns that into a 'failed' result. */
class SourceRun {
  private readonly result: SourceUpdateResult;
  private readonly report: ImportReport;
  private readonly downloads: string[] = [];

  constructor(
    private readonly store: AdvisoryStore,
    private readonly spec: SourceSpec,
    private readonly opts: UpdateOptions,
    private readonly state: UpdateState,
    private readonly workDir: string,
    warnings: Warnings,
  ) {
    this.result = { name: spec.name, type: spec.type, status: 'failed', bytes: 0 };
    this.report = new ImportReport(spec.url, warnings);
  }

  /** `existing`: the store's record of this source before the update, if it has one. */
  async run(existing: SourceStatus | undefined): Promise<SourceUpdateResult> {
    try {
      switch (this.spec.type) {
        case 'osv':
          await this.osv(existing?.lastModified, existing !== undefined);
          break;
        case 'nvd':
          await this.nvd(existing?.lastModified);
          break;
        case 'ghsa':
          await this.ghsa(existing !== undefined);
          break;
        default:
          await this.document(existing !== undefined);
      }
    } catch (err) {
      this.result.status = 'failed';
      this.result.error = { code: err instanceof ScoutError ? err.code : 'update-failed', message: err instanceof Error ? err.message : String(err) };
      this.result.reason = this.result.error.message;
    } finally {
      // A finished download is only needed for its import; a .part file stays for resumption.
      for (const f of this.downloads) await rm(f, { force: true }).catch(() => undefined);
    }
    if (this.report.seen > 0 || this.report.skipped > 0) {
      const { seen, accepted, skipped, reasons } = this.report;
      this.result.report = { seen, accepted, skipped, reasons: { ...reasons } };
    }
    return this.result;
  }

  // --- OSV ---

  private async osv(cursor: string | undefined, known: boolean): Promise<void> {
    if (!this.opts.full && cursor !== undefined && timestampKey(cursor) !== undefined) {
      const done = await this.osvIncremental(cursor);
      if (done) return;
    }
    const all = await this.download(osvUrls.all(this.spec), 'all.zip', known);
    if (all.status === 'not-modified') return this.unchanged('all.zip not modified since the last update');
    const zip = await readFile(all.path);
    const records = this.guard(osvFromZip(checkedZip(zip, all.url), all.url, this.spec.name, this.report), 'replace');
    await this.importAdvisories('replace', records, undefined, all.url);
    this.state.setValidators(all.url, all.validators);
  }

  /** True when handled (imported or unchanged); false to fall back to all.zip. */
  private async osvIncremental(cursor: string): Promise<boolean> {
    const csvUrl = osvUrls.modified(this.spec);
    let list: DownloadResult;
    try {
      list = await this.download(csvUrl, 'modified_id.csv', true);
    } catch (err) {
      // A mirror that only copies all.zip has no change list: that is not a failure.
      if (err instanceof DownloadError && (err.httpStatus === 404 || err.httpStatus === 403)) return false;
      throw err;
    }
    if (list.status === 'not-modified') {
      this.unchanged('modified_id.csv not modified since the last update');
      return true;
    }
    const changed = await changedSince(list.path, cursor, this.report);
    if (changed.ids.length === 0) {
      this.state.setValidators(list.url, list.validators);
      this.unchanged(`no record modified after ${cursor}`);
      return true;
    }
    if (changed.ids.length > (this.opts.maxIncremental ?? DEFAULT_MAX_INCREMENTAL)) return false;

    const records = await this.fetchRecords(changed.ids);
    // The cursor moves to the newest change listed, even if that record was gone (404).
    const lastModified = maxTimestamp(cursor, changed.newest);
    await this.importAdvisories('merge', this.guard(records, 'merge'), lastModified);
    this.state.setValidators(list.url, list.validators);
    return true;
  }

  private async fetchRecords(ids: string[]): Promise<Advisory[]> {
    const out: Advisory[][] = ids.map(() => []);
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < ids.length) {
        const i = next++;
        const id = ids[i];
        const url = osvUrls.record(this.spec, id);
        let body: Buffer;
        try {
          const r = await fetchBuffer(url, { ...this.opts.fetch, maxBytes: OSV_FILE_LIMITS.fileBytes });
          if (r.status !== 'ok') throw new DownloadError('download-http', `${url}: unexpected 304`, url, false, 304);
          body = r.body;
        } catch (err) {
          // Listed but gone (deleted upstream since the list was written): nothing to import.
          if (err instanceof DownloadError && err.httpStatus === 404) {
            this.report.seen++;
            this.report.skip(`${id}.json`, 'record-missing', `listed in modified_id.csv but ${url} is 404`, id);
            continue;
          }
          throw err;
        }
        this.result.bytes += body.length;
        const got = [...osvFromDocument(body.toString('utf8'), this.spec.name, this.report, `${id}.json`)];
        for (const adv of got) {
          if (adv.id === id) out[i].push(adv);
          else this.report.skip(`${id}.json`, 'id-mismatch', `file holds ${adv.id}, not ${id}`, adv.id);
        }
        this.opts.onProgress?.({ source: this.spec.name, phase: 'records', done: ++done, total: ids.length });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.opts.recordConcurrency ?? 4, ids.length)) }, worker));
    this.result.fetched = ids.length;
    return out.flat();
  }

  // --- NVD ---

  private async nvd(cursor: string | undefined): Promise<void> {
    const started = new Date();
    const since = !this.opts.full && cursor !== undefined ? Date.parse(cursor) : NaN;
    // The API gives at most 120 days of changes per request: an older cursor reads everything.
    const incremental = Number.isFinite(since) && started.getTime() - since < NVD_MAX_WINDOW_MS;
    const window: Record<string, string> = incremental ? { lastModStartDate: nvdDate(new Date(since)), lastModEndDate: nvdDate(started) } : {};
    const mode = incremental ? 'merge' : 'replace';
    await this.importAdvisories(mode, this.guard(this.nvdRecords(window), mode), started.toISOString());
  }

  /** Every record the API lists for `window`, page after page, at the pace NVD asks for. */
  private async *nvdRecords(window: Record<string, string>): AsyncGenerator<Advisory> {
    const key = process.env.NVD_API_KEY?.trim();
    const paceEnv = Number(process.env.SCOUT_NVD_REQUEST_DELAY_MS);
    // NVD: without a key, 5 requests in 30 s; with one, 50.
    const pace = process.env.SCOUT_NVD_REQUEST_DELAY_MS !== undefined && Number.isFinite(paceEnv) && paceEnv >= 0 ? paceEnv : key ? 700 : 6500;
    let start = 0;
    let total: number;
    do {
      if (start > 0 && pace > 0) await new Promise((r) => setTimeout(r, pace));
      const url = `${this.spec.url}?${new URLSearchParams({ ...window, resultsPerPage: String(NVD_PAGE_SIZE), startIndex: String(start) })}`;
      const r = await fetchBuffer(url, { ...this.opts.fetch, maxBytes: NVD_PAGE_BYTES, ...(key ? { headers: { apiKey: key } } : {}) });
      if (r.status !== 'ok') throw new DownloadError('download-http', `${url}: unexpected 304`, url, false, 304);
      this.result.bytes += r.body.length;
      const doc = parseJson(r.body.toString('utf8'), url) as { vulnerabilities?: unknown };
      const paging = nvdPaging(doc);
      if (!paging || !Array.isArray(doc.vulnerabilities)) throw new ScoutError('feed-invalid', `${url}: not an NVD CVE API 2.0 answer (no startIndex, totalResults and vulnerabilities); nothing imported`, { path: url });
      if (paging.startIndex !== start) throw new ScoutError('feed-invalid', `${url}: asked for records from ${start}, got them from ${paging.startIndex}; nothing imported`, { path: url });
      yield* nvdFromPage(doc, this.spec.name, this.report, url);
      total = paging.totalResults;
      const got = doc.vulnerabilities.length;
      // A page may hold fewer than asked for; an empty one before the end would loop forever.
      if (got === 0 && start < total) throw new ScoutError('feed-invalid', `${url}: no records at ${start} of ${total}; nothing imported`, { path: url });
      start += got;
      this.opts.onProgress?.({ source: this.spec.name, phase: 'records', done: Math.min(start, total), total });
    } while (start < total);
    this.result.fetched = start;
  }

  // --- GHSA ---

  /** The reviewed advisories of a zip of GitHub's advisory-database, as one snapshot. */
  private async ghsa(known: boolean): Promise<void> {
    const archive = await this.download(this.spec.url, 'advisory-database.zip', known);
    if (archive.status === 'not-modified') return this.unchanged('not modified since the last update');
    const zip = await readFile(archive.path);
    const records = this.guard(osvFromZip(checkedZip(zip, archive.url), archive.url, this.spec.name, this.report, isReviewedGhsa), 'replace');
    await this.importAdvisories('replace', records, undefined, archive.url);
    this.state.setValidators(archive.url, archive.validators);
  }

  // --- whole documents ---

  private async document(known: boolean): Promise<void> {
    const spec = this.spec;
    const doc = await this.download(spec.url, fileNameOf(spec.url), known);
    if (doc.status === 'not-modified') return this.unchanged('not modified since the last update');
    const name = doc.url;
    const source: SourceInfo = { name: spec.name, kind: spec.type === 'cisa-kev' ? 'kev' : spec.type === 'epss' ? 'epss' : 'advisories', url: spec.url };
    // Tracker and secdb carry no timestamps: the server's Last-Modified stands for the snapshot.
    const modified = httpDateToIso(doc.validators.lastModified) ?? new Date().toISOString();

    switch (spec.type) {
      case 'cisa-kev': {
        const catalog = kevCatalog(parseJson(await readAllText(decodedChunks(doc.path, name), name), name), this.report);
        if (catalog.entries.length === 0) throw new ScoutError('feed-empty', `${name}: no usable KEV entry (${this.report.skipped} skipped); previous data kept`, { path: name });
        const v = catalog.dateReleased ?? catalog.catalogVersion;
        if (v !== undefined) source.lastModified = v;
        this.progressImport();
        this.ok(await this.importWhole({ kind: 'kev', source, entries: catalog.entries }, name));
        break;
      }
      case 'epss': {
        const meta: EpssMeta = {};
        const scores: EpssScore[] = [];
        for await (const s of epssFromCsv(decodedChunks(doc.path, name), this.report, meta)) scores.push(s);
        if (scores.length === 0) throw new ScoutError('feed-empty', `${name}: no usable EPSS row (${this.report.skipped} skipped); previous data kept`, { path: name });
        if (meta.date !== undefined) source.lastModified = meta.date;
        this.progressImport();
        this.ok(await this.importWhole({ kind: 'epss', source, entries: scores }, name));
        break;
      }
      case 'debian-tracker': {
        const parsed = parseJson(await readAllText(decodedChunks(doc.path, name), name), name);
        await this.importAdvisories('replace', this.guard(debianTrackerRecords(parsed, spec.name, this.report, { modified }), 'replace'), undefined, name);
        break;
      }
      case 'alpine-secdb': {
        const parsed = parseJson(await readAllText(decodedChunks(doc.path, name), name), name);
        await this.importAdvisories('replace', this.guard(alpineSecdbDocument(parsed, name, spec.name, this.report, { modified }), 'replace'), undefined, name);
        break;
      }
      default:
        throw new ScoutError('update-failed', `${spec.name}: unknown source type`);
    }
    this.state.setValidators(doc.url, doc.validators);
  }

  // --- shared steps ---

  private async download(url: string, file: string, conditional: boolean): Promise<DownloadResult> {
    const dest = join(this.workDir, 'downloads', safeFileName(this.spec.name), file);
    const r = await downloadToFile(url, dest, {
      ...this.opts.fetch,
      // Validators only while the store still holds the data they stand for.
      validators: conditional && !this.opts.full ? this.state.validators(url) : undefined,
      onProgress: (p) => this.opts.onProgress?.({ source: this.spec.name, phase: 'download', url: p.url, bytes: p.bytes, ...(p.total !== undefined ? { total: p.total } : {}) }),
    });
    if (r.status === 'ok') {
      this.downloads.push(r.path);
      this.result.bytes += r.bytes;
    }
    return r;
  }

  /** `input`: the document the records came from, named in a shrink error. */
  private async importAdvisories(mode: 'replace' | 'merge', records: AsyncIterable<Advisory>, lastModified?: string, input = this.spec.url): Promise<void> {
    const source: SourceInfo = { name: this.spec.name, kind: 'advisories', url: this.spec.url, ...(lastModified ? { lastModified } : {}) };
    this.result.mode = mode;
    this.progressImport();
    const batch: ImportBatch = { kind: 'advisories', source, mode, records };
    // A merge only adds and updates: it cannot shrink a source (and may rightly bring nothing).
    this.ok(mode === 'replace' ? await this.importWhole(batch, input) : await this.store.importBatch(batch));
  }

  /**
   * A whole snapshot replaces the source: the same rule as `db import` keeps a feed that lost
   * most of its records upstream (or a truncated mirror) from deleting them here.
   */
  private async importWhole(batch: ImportBatch, input: string): Promise<StoreImportCounts> {
    return this.store.importBatch(await guardShrink(this.store, batch, { allowShrink: this.opts.allowShrink, input }));
  }

  /**
   * Passes records through to the store but throws (so the store rolls the batch back) when the
   * feed shows it is damaged or not what it claims: an archive entry that could not be read (a
   * bomb, a corrupt or truncated entry), or a snapshot in which most items are not valid records.
   */
  private async *guard(records: Iterable<Advisory> | AsyncIterable<Advisory>, mode: 'replace' | 'merge'): AsyncGenerator<Advisory> {
    const damaged = () => {
      if (!this.report.reasons['bad-zip-entry']) return;
      const bad = this.report.samples.find((s) => s.reason === 'bad-zip-entry') ?? { where: '?', detail: 'unreadable' };
      throw new ScoutError('feed-corrupt', `damaged or hostile archive entry ${bad.where}: ${bad.detail}; nothing imported`, { path: this.spec.url });
    };
    for await (const r of records) {
      damaged();
      yield r;
    }
    damaged();
    const { seen, accepted } = this.report;
    // A record listed but deleted upstream is not a sign of a bad feed.
    const skipped = this.report.skipped - (this.report.reasons['record-missing'] ?? 0);
    if (mode === 'replace' && accepted === 0) {
      throw new ScoutError('feed-empty', `${this.spec.url}: no valid advisory in the feed (${seen} items, ${skipped} skipped); previous data kept`, { path: this.spec.url });
    }
    // Only a snapshot is judged as a whole (it would replace everything); in merge mode an odd
    // record is skipped with a warning rather than blocking every later update.
    if (mode === 'replace' && skipped > accepted) {
      const top = Object.entries(this.report.reasons).sort((a, b) => b[1] - a[1])[0];
      throw new ScoutError('feed-invalid', `${this.spec.url}: ${skipped} of ${seen} items are not valid advisories (mostly ${top?.[0]}); nothing imported`, { path: this.spec.url });
    }
  }

  private ok(counts: StoreImportCounts): void {
    this.result.status = 'ok';
    this.result.counts = counts;
  }

  private unchanged(reason: string): void {
    this.result.status = 'unchanged';
    this.result.reason = reason;
  }

  private progressImport(): void {
    this.opts.onProgress?.({ source: this.spec.name, phase: 'import' });
  }
}

/**
 * Refuses an all.zip that is not a zip, or whose directory announces more than a feed could
 * hold, before any record reaches the store. (Entries that lie about their size are caught
 * while reading them, in the guard above.)
 */
function checkedZip(zip: Buffer, name: string): Buffer {
  if (!looksLikeZip(zip.subarray(0, 4))) {
    throw new ScoutError('feed-corrupt', `${name}: not a zip archive (starts with ${JSON.stringify(zip.subarray(0, 16).toString('latin1'))}); nothing imported`, { path: name });
  }
  const entries = listZip(zip, { maxEntries: OSV_FILE_LIMITS.zipEntries, archiveName: name });
  let total = 0;
  for (const e of entries) {
    total += e.uncompressedSize;
    if (e.uncompressedSize > OSV_FILE_LIMITS.fileBytes) {
      throw new ScoutError('feed-corrupt', `${name}: entry ${JSON.stringify(e.name.slice(0, 200))} declares ${e.uncompressedSize} bytes (limit ${OSV_FILE_LIMITS.fileBytes}): a zip bomb or not an OSV archive; nothing imported`, { path: name });
    }
  }
  if (total > INPUT_LIMITS.streamBytes) {
    throw new ScoutError('feed-corrupt', `${name}: entries declare ${total} bytes in all (limit ${INPUT_LIMITS.streamBytes}); nothing imported`, { path: name });
  }
  return zip;
}

/** Ids changed after `cursor` in a modified_id.csv (`<timestamp>,<id>` lines, any order). */
async function changedSince(file: string, cursor: string, report: ImportReport): Promise<{ ids: string[]; newest?: string }> {
  const after = timestampKey(cursor)!;
  const newestById = new Map<string, string>();
  let newest: string | undefined;
  let good = 0;
  let bad = 0;
  for await (const line of lines(decodedChunks(file, file, MAX_CHANGE_LIST_BYTES), 4096)) {
    if (line.tooLong || line.text.trim() === '') {
      if (line.tooLong) bad++;
      continue;
    }
    const comma = line.text.indexOf(',');
    const ts = line.text.slice(0, comma).trim();
    // Some lists name `<Ecosystem>/<ID>`; the record file is found by the id alone.
    const id = line.text.slice(comma + 1).trim().split('/').pop() ?? '';
    const key = comma > 0 ? timestampKey(ts) : undefined;
    if (key === undefined || !RECORD_ID.test(id)) {
      bad++;
      if (bad <= 5) report.warnings.add('change-list-line', `line ${line.no}: not "<timestamp>,<id>"`, { path: report.file });
      continue;
    }
    good++;
    if (key <= after) continue;
    const prev = newestById.get(id);
    if (prev === undefined || key > timestampKey(prev)!) newestById.set(id, ts);
    if (newest === undefined || key > timestampKey(newest)!) newest = ts;
  }
  if (good === 0 && bad > 0) throw new ScoutError('feed-invalid', `${file}: not a modified_id.csv (${bad} unreadable lines)`, { path: file });
  return { ids: [...newestById.keys()].sort(), ...(newest !== undefined ? { newest } : {}) };
}

/**
 * A sortable key for an RFC 3339 timestamp: UTC, fraction padded to 9 digits. String order of
 * keys is time order at nanosecond precision (Date keeps only milliseconds, and OSV's
 * timestamps often have microseconds). Undefined for anything else.
 */
export function timestampKey(ts: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|z|[+-]\d{2}:?\d{2})?$/.exec(ts.trim());
  if (!m) return undefined;
  const frac = (m[3] ?? '.').slice(1).padEnd(9, '0');
  const zone = m[4] === undefined || m[4] === 'z' ? 'Z' : m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4];
  const t = Date.parse(`${m[1]}T${m[2]}${zone}`);
  if (Number.isNaN(t)) return undefined;
  return `${new Date(t).toISOString().slice(0, 19)}.${frac}Z`;
}

function maxTimestamp(a: string, b: string | undefined): string {
  if (b === undefined) return a;
  return timestampKey(b)! > timestampKey(a)! ? b : a;
}

function httpDateToIso(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ScoutError('feed-malformed', `${name}: not valid JSON: ${err instanceof Error ? err.message.slice(0, 200) : ''}; nothing imported`, { path: name });
  }
}

function fileNameOf(url: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).pop() ?? 'feed';
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // A malformed escape: the raw text is as good a file name.
  }
  return safeFileName(name) || 'feed';
}

function safeFileName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100);
}

export type { Validators };
