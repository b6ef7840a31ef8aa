/**
 * The embedded advisory database: one SQLite file under the cache directory (better-sqlite3).
 * See advisory-store.ts for the contract; this file only maps it onto SQL.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Advisory, EpssScore, KevEntry, SourceInfo } from '../../advisories/model.js';
import { normalizePackageName } from '../../advisories/ecosystems.js';
import { epssFromRow, storedIndexKeys, StoredAdvisoryRows, type StoredAdvisoryRow, type StoredEpssRow } from '../../advisories/stored-rows.js';
import { diffCounts } from '../import-counts.js';
import { prepareAdvisory, type PreparedAdvisory } from '../../advisories/prepared.js';
import { ScoutError, Warnings } from '../../util/errors.js';
import type { AdvisoryStore, ImportBatch, ImportMode, RecordStream, SourceStatus, SourceSummary, StoreImportCounts, StoreStatus } from '../advisory-store.js';
import { SQLITE_MIGRATIONS } from '../migrations/sqlite/index.js';
import { sourceStatusOf, sourceStatusPageSql, type SourceStatusRow } from '../source-status-page.js';
import { migrate } from './migrate.js';
import { RowBuffer } from './row-buffer.js';
import { writeGateFor, type WriteGate } from './write-gate.js';

/** The lookup query; exported so a test can check its plan is an index search. */
export const LOOKUP_SQL = `SELECT a.id, a.modified, a.source, a.json FROM affected f JOIN advisories a ON a.id = f.advisory_id
  WHERE f.ecosystem = ? AND f.name = ? ORDER BY a.id`;

/** The same rows without their JSON: enough to find them in the parsed cache. */
export const LOOKUP_KEYS_SQL = `SELECT a.id, a.modified, a.source FROM affected f JOIN advisories a ON a.id = f.advisory_id
  WHERE f.ecosystem = ? AND f.name = ? ORDER BY a.id`;

const BY_ALIAS_SQL = `SELECT id, modified, source, json FROM advisories
  WHERE id IN (SELECT ? UNION SELECT advisory_id FROM aliases WHERE alias = ?) ORDER BY id`;

/** Every source's last import, in one string: changes with every committed import. */
const SOURCES_FINGERPRINT_SQL = `SELECT group_concat(name || char(1) || imported_at || char(1) || count, char(2)) FROM (SELECT name, imported_at, count FROM sources ORDER BY name)`;

type AdvisoryRow = StoredAdvisoryRow;

const SOURCE_STATUS_PAGE_SQL = sourceStatusPageSql('sqlite');

/** Lookup answers kept (one per package name asked about). */
const ANSWER_CACHE_SIZE = 20_000;

/** Page size of databases this store creates. */
export const PAGE_SIZE = 65536;

/** WAL size at which a commit checkpoints (SQLite's default: 1000 pages of 4 KB). */
const WAL_CHECKPOINT_BYTES = 4000 * 1024;

/** SQLite allows 32766 bound parameters; stay far below for IN lists. */
const IN_CHUNK = 500;

export interface SqliteStoreOptions {
  /** Where unreadable rows are reported (a corrupt or tampered database file). */
  warnings?: Warnings;
  readonly?: boolean;
  /**
   * The database's bytes, opened in memory (read-only use): for a WAL-mode file in a directory
   * nobody may write to, which SQLite cannot open in place without its -shm file.
   */
  contents?: Buffer;
  /**
   * Page size of a new file (default PAGE_SIZE, chosen for imports). The server's file, whose
   * platform tables take many small writes, uses SQLite's 4 KB: with 64 KB pages every row a push
   * wrote cost its whole page again in the WAL (see server/advisories.ts).
   */
  pageSize?: number;
}

export class SqliteAdvisoryStore implements AdvisoryStore {
  private readonly db: Database.Database;
  private readonly warnings: Warnings;
  private readonly schemaVersion: number;
  /** Imports are serialised: each waits for the previous one to settle. */
  private importQueue: Promise<unknown> = Promise.resolve();
  /** Prepared statements of the read paths, prepared once. */
  private readonly statements = new Map<string, Database.Statement>();
  /** Parsed advisories kept between lookups (matching the same packages again is common); cleared by every import. */
  private readonly parsed: StoredAdvisoryRows;
  /**
   * ecosystem + normalised name → the lookup's answer. Valid while no import has run on this
   * connection (importBatch clears it) and `PRAGMA data_version` says no other connection (another
   * process's `scout db update`) has committed since it was filled.
   */
  private readonly answers = new Map<string, Advisory[]>();
  private answersVersion: number | undefined;
  /** The `sources` table when the answers were made (see checkDataVersion); undefined: never read. */
  private answersSources: string | null | undefined;
  private versionChecked = false;
  /** The file gate's writesEnded when the data version was last asked. */
  private checkedAfterWrites = -1;
  /** Moves each time the answers are forgotten (see dataGeneration). */
  private generation = 0;
  /** cve → stored JSON of the whole KEV catalogue, read at the first kev() (see forgetAnswers). */
  private kevRows: Map<string, string> | undefined;
  private readonly readonly: boolean;
  /** Whether an import wrote through this connection (close() then leaves the file in rollback mode). */
  private wrote = false;
  /** Shared with every other connection to this file in this process (write-gate.ts). */
  private readonly writeGate: WriteGate;

  /** `path` is the database file (normally under the cache dir) or ':memory:'. */
  constructor(private readonly path: string, options: SqliteStoreOptions = {}) {
    this.warnings = options.warnings ?? new Warnings();
    this.parsed = new StoredAdvisoryRows(this.warnings, path);
    try {
      if (path !== ':memory:' && !options.readonly && !options.contents) mkdirSync(dirname(path), { recursive: true });
      this.readonly = options.readonly === true || options.contents !== undefined;
      this.db = options.contents ? new Database(options.contents) : new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
      this.db.pragma('busy_timeout = 5000');
      // Statement journals, sort spills and transient indices in memory: on disk SQLite puts them
      // in /var/tmp (or $TMPDIR), and everything Scout writes belongs under SCOUT_CACHE_DIR.
      this.db.pragma('temp_store = MEMORY');
      // Takes effect only on a new, empty file (an existing database keeps its page size). An
      // advisory row is a few KB of JSON: with big pages an import writes and checkpoints fewer
      // WAL frames and splits fewer b-tree pages (measured on the shared OSV set, commits plus
      // final checkpoint: 190–240 ms with 4 KB pages, 125–145 ms with 16 KB; the whole OSV import,
      // 11 alternating runs: median 879 ms with 16 KB, 807 ms with 64 KB). Lookups from a fresh
      // connection took the same time with either.
      if (!this.readonly) this.db.pragma(`page_size = ${options.pageSize ?? PAGE_SIZE}`);
      // Imports write tens of MB in one transaction: with SQLite's default 2 MB page cache the
      // b-tree pages are spilled and re-read constantly (measured 2× slower).
      this.db.pragma('cache_size = -65536');
      if (path !== ':memory:' && !this.readonly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        // SQLite checkpoints when the WAL passes 1000 pages, i.e. 4 MB at its default page size.
        // Keep that in bytes whatever the page size, so a commit pays for its own checkpoint
        // instead of leaving up to 16 MB for a later import or close() to copy.
        const pageSize = this.db.pragma('page_size', { simple: true }) as number;
        this.db.pragma(`wal_autocheckpoint = ${Math.ceil(WAL_CHECKPOINT_BYTES / pageSize)}`);
      }
      this.writeGate = writeGateFor(options.contents ? ':memory:' : path);
      this.schemaVersion = this.readonly
        ? ((this.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v)
        : migrate(this.db, SQLITE_MIGRATIONS, path);
    } catch (err) {
      if (err instanceof ScoutError) throw err;
      throw new ScoutError('store-open', `cannot open advisory database: ${err instanceof Error ? err.message : String(err)}`, { path, cause: err });
    }
  }

  /** The schema version of the file (migrated to the latest unless opened read-only). */
  get schema(): number {
    return this.schemaVersion;
  }

  async lookup(ecosystem: string, name: string): Promise<Advisory[]> {
    const key = normalizePackageName(ecosystem, name);
    // Matching the same packages again (a server re-matching stored SBOMs, the same base image
    // in many scans) asks the same questions: answer them from memory while the data is
    // unchanged.
    this.checkDataVersion();
    const answerKey = `${ecosystem}\0${key}`;
    const known = this.answers.get(answerKey);
    // A copy: the caller may sort or filter its array; the advisories themselves are shared.
    if (known) return known.slice();
    const found = this.lookupRows(ecosystem, key);
    if (this.answers.size >= ANSWER_CACHE_SIZE) this.answers.clear();
    this.answers.set(answerKey, found);
    return found.slice();
  }

  /**
   * Forgets remembered answers when another connection has committed since they were made.
   * Asked once per turn of the event loop unless a writer of this process has finished
   * meanwhile: the lookups of one turn (a whole 500-package match, whose awaits are all on
   * promises this synchronous driver has already settled) see one version of the data, as if
   * made at the same instant. Another process's commit is seen from the next turn (the flag
   * falls at setImmediate); one of this process (another connection to the file, the
   * platform's pushes) ends a write through the file's gate, so the next lookup asks again.
   * The flag fell at every microtask before: a push asked ~500 times, 11 ms of its CPU
   * (profile, load ~23).
   */
  private checkDataVersion(): void {
    const writes = this.writeGate.writesEnded;
    if (this.versionChecked && writes === this.checkedAfterWrites) return;
    this.checkedAfterWrites = writes;
    if (!this.versionChecked) {
      this.versionChecked = true;
      setImmediate(() => {
        this.versionChecked = false;
      });
    }
    const version = this.stmt('PRAGMA data_version').pluck().get() as number;
    if (version === this.answersVersion) return;
    this.answersVersion = version;
    // Another connection committed. In the server's file the platform's tables share this
    // database, and nearly every commit is a push, not an import: every import (advisories, KEV
    // or EPSS) rewrites its `sources` row in its own transaction, so only a changed sources
    // table means changed advisory data. (Without this, every push emptied the answers and the
    // next push read its advisories and the KEV catalogue again: 30 ms of a 500-package push.)
    const sources = this.stmt(SOURCES_FINGERPRINT_SQL).pluck().get() as string | null;
    if (sources !== this.answersSources) {
      this.forgetAnswers();
      this.answersSources = sources;
    }
  }

  async dataGeneration(): Promise<string> {
    this.checkDataVersion();
    return String(this.generation);
  }

  /** Drops what is remembered of the data: lookup answers and the KEV catalogue. */
  private forgetAnswers(): void {
    this.generation++;
    this.answers.clear();
    this.kevRows = undefined;
  }

  private lookupRows(ecosystem: string, key: string): Advisory[] {
    // An answer forgotten (data changed elsewhere) may still name advisories parsed before:
    // reading only their keys spares SQLite building every JSON text again.
    if (this.parsed.size > 0) {
      const keys = this.stmt(LOOKUP_KEYS_SQL).all(ecosystem, key) as Omit<AdvisoryRow, 'json'>[];
      const hits = keys.map((r) => this.parsed.remembered(r));
      if (hits.every((h) => h !== undefined)) return hits;
    }
    return this.parsed.parse(this.stmt(LOOKUP_SQL).all(ecosystem, key) as AdvisoryRow[]);
  }

  async get(id: string): Promise<Advisory | undefined> {
    const row = this.stmt('SELECT id, modified, source, json FROM advisories WHERE id = ?').get(id) as AdvisoryRow | undefined;
    return row ? this.parsed.parse([row])[0] : undefined;
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Advisory>> {
    const rows = [...this.selectIn<AdvisoryRow>('SELECT id, modified, source, json FROM advisories WHERE id IN', ids)];
    return new Map(this.parsed.parse(rows).map((a) => [a.id, a]));
  }

  async byAlias(alias: string): Promise<Advisory[]> {
    return this.parsed.parse(this.stmt(BY_ALIAS_SQL).all(alias, alias) as AdvisoryRow[]);
  }

  async kev(cveIds: readonly string[]): Promise<Map<string, KevEntry>> {
    // The catalogue is small (about 1,400 entries): read whole once, kept like lookup answers.
    this.checkDataVersion();
    this.kevRows ??= new Map((this.stmt('SELECT cve, json FROM kev').all() as { cve: string; json: string }[]).map((r) => [r.cve, r.json]));
    return this.parsed.kevEntries(this.kevRows, cveIds);
  }

  async epss(cveIds: readonly string[]): Promise<Map<string, EpssScore>> {
    const out = new Map<string, EpssScore>();
    type Row = StoredEpssRow;
    for (const r of this.selectIn<Row>('SELECT cve, score, percentile, score_date, model_version FROM epss WHERE cve IN', cveIds)) {
      out.set(r.cve, epssFromRow(r));
    }
    return out;
  }

  importBatch(batch: ImportBatch): Promise<StoreImportCounts> {
    const run = this.importQueue.then(async () => {
      this.parsed.clear();
      this.forgetAnswers();
      try {
        return await this.runImport(batch);
      } finally {
        // A lookup made while the import ran saw this connection's uncommitted rows (or rows a
        // rollback removed), and this connection's own commit does not move data_version.
        this.forgetAnswers();
      }
    });
    this.importQueue = run.catch(() => undefined);
    return run;
  }

  async sources(): Promise<SourceSummary[]> {
    type Row = { name: string; kind: SourceInfo['kind']; url: string | null; imported_at: string; last_modified: string | null };
    return (this.stmt('SELECT name, kind, url, imported_at, last_modified FROM sources ORDER BY name').all() as Row[]).map((r) => ({
      name: r.name,
      kind: r.kind,
      importedAt: r.imported_at,
      ...(r.url !== null ? { url: r.url } : {}),
      ...(r.last_modified !== null ? { lastModified: r.last_modified } : {}),
    }));
  }

  async sourceStatusPage(after: string | undefined, limit: number): Promise<SourceStatus[]> {
    // One statement: the page of sources (BINARY collation: code-unit order for these names),
    // each counted by subqueries of its own rows (advisories by the source index).
    const rows = this.stmt(SOURCE_STATUS_PAGE_SQL).all({ after: after ?? null, limit }) as SourceStatusRow[];
    return rows.map((r) => sourceStatusOf(r, Date.now()));
  }

  async status(): Promise<StoreStatus> {
    type Row = { name: string; kind: SourceInfo['kind']; url: string | null; imported_at: string; last_modified: string | null };
    const now = Date.now();
    const countBySource = this.db.prepare('SELECT COUNT(*) AS n, COUNT(withdrawn) AS w FROM advisories WHERE source = ?');
    const sources: SourceStatus[] = (this.db.prepare('SELECT name, kind, url, imported_at, last_modified FROM sources ORDER BY name').all() as Row[]).map((r) => {
      let count: number;
      let withdrawn = 0;
      if (r.kind === 'advisories') {
        const c = countBySource.get(r.name) as { n: number; w: number };
        count = c.n;
        withdrawn = c.w;
      } else {
        count = this.count(r.kind === 'kev' ? 'kev' : 'epss');
      }
      const s: SourceStatus = {
        name: r.name,
        kind: r.kind,
        importedAt: r.imported_at,
        ageSeconds: Math.max(0, Math.round((now - Date.parse(r.imported_at)) / 1000)),
        count,
        withdrawn,
      };
      if (r.url !== null) s.url = r.url;
      if (r.last_modified !== null) s.lastModified = r.last_modified;
      return s;
    });
    return { schemaVersion: this.schemaVersion, sources, advisories: this.count('advisories'), kev: this.count('kev'), epss: this.count('epss') };
  }

  async hasAdvisories(): Promise<boolean> {
    return this.stmt('SELECT EXISTS (SELECT 1 FROM advisories)').pluck().get() === 1;
  }

  async close(): Promise<void> {
    await this.importQueue;
    if (!this.db.open) return;
    if (this.wrote && this.path !== ':memory:') {
      // Left in WAL mode, the file cannot be opened where nobody may create its -shm file (a
      // database baked into a CI image, mounted read-only in a pod). WAL is for the writer's
      // lifetime: back to rollback mode when it is done. Another connection still open keeps
      // the file in WAL mode (the pragma then answers 'wal'); no waiting for it.
      try {
        this.db.pragma('busy_timeout = 0');
        this.db.pragma('journal_mode = DELETE');
      } catch {
        // Busy: the last writer to close will do it.
      }
    }
    this.db.close();
  }

  // --- import ---

  private async runImport(batch: ImportBatch): Promise<StoreImportCounts> {
    // The file's write gate first (write-gate.ts): the server's platform store is another
    // connection to this file in this process, and its writes must await this import's commit
    // rather than sleep the event loop in busy_timeout. Held to COMMIT or ROLLBACK.
    const release = await this.writeGate.acquire();
    try {
      return await this.importInTransaction(batch);
    } finally {
      release();
    }
  }

  private async importInTransaction(batch: ImportBatch): Promise<StoreImportCounts> {
    // BEGIN IMMEDIATE takes the write lock now, so a second process importing at the same time
    // waits (busy_timeout) instead of failing half way.
    this.db.exec('BEGIN IMMEDIATE');
    this.wrote = true;
    try {
      let counts: StoreImportCounts;
      let lastModified = batch.source.lastModified;
      if (batch.kind === 'advisories') {
        const r = await this.importAdvisories(batch.source.name, batch.mode, batch.records);
        counts = r.counts;
        lastModified ??= r.newestModified;
      } else if (batch.kind === 'kev') {
        counts = await this.importKev(batch.entries);
      } else {
        counts = await this.importEpss(batch.entries);
      }
      this.recordSource(batch.source, lastModified);
      this.db.exec('COMMIT');
      return counts;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private async importAdvisories(source: string, mode: ImportMode, records: RecordStream<Advisory>): Promise<{ counts: StoreImportCounts; newestModified?: string }> {
    const db = this.db;
    const selectExisting = db.prepare('SELECT source, json FROM advisories WHERE id = ?');
    const insertText = db.prepare('INSERT INTO advisories (id, source, modified, withdrawn, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    // The same, from the JSON's UTF-8 bytes (see stored-json.ts); stored as TEXT all the same.
    const insertBytes = db.prepare('INSERT INTO advisories (id, source, modified, withdrawn, json) VALUES (?, ?, ?, ?, CAST(? AS TEXT)) ON CONFLICT (id) DO NOTHING');
    const insertAdvisory = (row: PreparedAdvisory): boolean => (row.jsonBytes !== undefined
      ? insertBytes.run(row.id, source, row.modified, row.withdrawn, row.jsonBytes)
      : insertText.run(row.id, source, row.modified, row.withdrawn, row.json)).changes === 1;
    const updateAdvisory = db.prepare('UPDATE advisories SET source = ?, modified = ?, withdrawn = ?, json = ? WHERE id = ?');
    const unindex = this.unindexer();
    const affected = new RowBuffer(db, 'INSERT OR IGNORE INTO affected (ecosystem, name, advisory_id)');
    const aliases = new RowBuffer(db, 'INSERT OR IGNORE INTO aliases (alias, advisory_id, kind)');
    const flush = () => {
      affected.flush();
      aliases.flush();
    };

    // A source imported for the first time (a fresh database, a new feed): almost every id is
    // new, so the insert is tried first and the existing row looked up only when it conflicts
    // (an id another source already has). Re-imports mostly meet known ids: look up first.
    const firstImport = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM advisories WHERE source = ?)').pluck().get(source) === 1;
    const counts: StoreImportCounts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
    const seen = new Set<string>();
    let newestModified: string | undefined;
    for await (const rec of records) {
      const row = prepareAdvisory(rec);
      // Only a replace over earlier rows deletes what the stream did not bring.
      if (!firstImport) seen.add(row.id);
      if (newestModified === undefined || row.modified > newestModified) newestModified = row.modified;
      // `source` is the column, whatever the record says; the stored text may lack it.
      let existing: AdvisoryRow | undefined;
      if (firstImport) {
        if (insertAdvisory(row)) existing = undefined;
        else existing = selectExisting.get(row.id) as AdvisoryRow;
      } else {
        existing = selectExisting.get(row.id) as AdvisoryRow | undefined;
        if (existing === undefined) insertAdvisory(row);
      }
      if (existing !== undefined) {
        if (existing.json === row.json && existing.source === source) {
          counts.unchanged++;
          continue;
        }
        // Buffered rows may belong to this id (it came twice in the stream): write them first.
        flush();
        unindex(row.id, existing);
        updateAdvisory.run(source, row.modified, row.withdrawn, row.json, row.id);
        counts.updated++;
      } else {
        counts.inserted++;
      }
      for (const [ecosystem, name] of row.packages) affected.add(ecosystem, name, row.id);
      for (const alias of row.aliases) aliases.add(alias, row.id, 'alias');
      for (const up of row.upstream) aliases.add(up, row.id, 'upstream');
    }
    flush();
    // A first import had nothing of this source to delete.
    if (mode === 'replace' && !firstImport) {
      const ids = db.prepare('SELECT id FROM advisories WHERE source = ?').pluck().all(source) as string[];
      const deleteAdvisory = db.prepare('DELETE FROM advisories WHERE id = ?');
      for (const id of ids) {
        if (seen.has(id)) continue;
        unindex(id, selectExisting.get(id) as AdvisoryRow);
        deleteAdvisory.run(id);
        counts.deleted++;
      }
    }
    return { counts, newestModified };
  }

  /**
   * Removes an advisory's index rows, found by their primary keys from its stored JSON (the
   * rows were written from that same record). A row whose JSON cannot be read (a damaged file)
   * has its index rows found the slow way, by scanning both tables.
   */
  private unindexer(): (id: string, stored: AdvisoryRow) => void {
    const byKey = this.db.prepare('DELETE FROM affected WHERE ecosystem = ? AND name = ? AND advisory_id = ?');
    const aliasByKey = this.db.prepare('DELETE FROM aliases WHERE alias = ? AND advisory_id = ?');
    const scanAffected = this.db.prepare('DELETE FROM affected WHERE advisory_id = ?');
    const scanAliases = this.db.prepare('DELETE FROM aliases WHERE advisory_id = ?');
    return (id, stored) => {
      const keys = storedIndexKeys(stored);
      if (!keys) {
        scanAffected.run(id);
        scanAliases.run(id);
        return;
      }
      for (const [ecosystem, name] of keys.packages) byKey.run(ecosystem, name, id);
      for (const alias of keys.aliases) aliasByKey.run(alias, id);
      for (const alias of keys.upstream) aliasByKey.run(alias, id);
    };
  }

  private async importKev(entries: RecordStream<KevEntry>): Promise<StoreImportCounts> {
    const old = new Map((this.db.prepare('SELECT cve, json FROM kev').all() as { cve: string; json: string }[]).map((r) => [r.cve, r.json]));
    this.db.exec('DELETE FROM kev');
    const insert = this.db.prepare('INSERT OR REPLACE INTO kev (cve, date_added, due_date, ransomware, json) VALUES (?, ?, ?, ?, ?)');
    const fresh = new Map<string, string>();
    for await (const e of entries) {
      const json = JSON.stringify(e);
      fresh.set(e.cve, json);
      insert.run(e.cve, e.dateAdded, e.dueDate ?? null, e.knownRansomwareUse === undefined ? null : Number(e.knownRansomwareUse), json);
    }
    return diffCounts(old, fresh);
  }

  private async importEpss(entries: RecordStream<EpssScore>): Promise<StoreImportCounts> {
    const key = (s: number, p: number, d: string | null | undefined) => `${s}|${p}|${d ?? ''}`;
    type Row = { cve: string; score: number; percentile: number; score_date: string | null };
    const old = new Map((this.db.prepare('SELECT cve, score, percentile, score_date FROM epss').all() as Row[]).map((r) => [r.cve, key(r.score, r.percentile, r.score_date)]));
    this.db.exec('DELETE FROM epss');
    const insert = this.db.prepare('INSERT OR REPLACE INTO epss (cve, score, percentile, score_date, model_version) VALUES (?, ?, ?, ?, ?)');
    const fresh = new Map<string, string>();
    for await (const e of entries) {
      fresh.set(e.cve, key(e.score, e.percentile, e.date));
      insert.run(e.cve, e.score, e.percentile, e.date ?? null, e.modelVersion ?? null);
    }
    return diffCounts(old, fresh);
  }

  /** An import that brings no newer `modified` keeps the cursor it had (an empty merge must not reset it). */
  private recordSource(source: SourceInfo, lastModified: string | undefined): void {
    const count = source.kind === 'advisories'
      ? (this.db.prepare('SELECT COUNT(*) FROM advisories WHERE source = ?').pluck().get(source.name) as number)
      : this.count(source.kind);
    this.db.prepare(`INSERT INTO sources (name, kind, url, imported_at, count, last_modified) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, url = excluded.url, imported_at = excluded.imported_at,
        count = excluded.count, last_modified = COALESCE(excluded.last_modified, sources.last_modified)`)
      .run(source.name, source.kind, source.url ?? null, new Date().toISOString(), count, lastModified ?? null);
  }

  // --- helpers ---

  private count(table: 'advisories' | 'kev' | 'epss'): number {
    return this.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  }

  /**
   * Rows whose key is among `values`, IN_CHUNK keys per query. Every query has IN_CHUNK
   * placeholders (a short last chunk is padded with NULL, which matches nothing), so each
   * prefix is prepared once per store rather than once per call.
   */
  private *selectIn<T>(sqlPrefix: string, values: readonly string[]): Generator<T> {
    const unique = [...new Set(values)];
    if (!unique.length) return;
    const st = this.stmt(`${sqlPrefix} (${Array(IN_CHUNK).fill('?').join(',')})`);
    for (let i = 0; i < unique.length; i += IN_CHUNK) {
      const chunk: (string | null)[] = unique.slice(i, i + IN_CHUNK);
      while (chunk.length < IN_CHUNK) chunk.push(null);
      yield* st.all(chunk) as T[];
    }
  }

  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }
}
