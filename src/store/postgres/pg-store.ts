/**
 * The server's advisory database on PostgreSQL (kysely over a pg pool). See advisory-store.ts
 * for the contract; the SQLite store is the reference implementation, and both pass the same
 * contract tests (test/store/advisory-store.test.ts).
 *
 * Differences from SQLite that a reader must know:
 * - Imports run in one transaction on one pooled connection, under a transaction-level advisory
 *   lock (imports from other processes wait for it). Reads go to other connections and see the
 *   last committed data, never an import in progress.
 * - Rows reach the server by COPY into staging tables and are merged from there by set-based
 *   statements (pg-import.ts), not row by row.
 * - Lookup answers are remembered while `data_version` (moved by every committed import, of
 *   any process) is unchanged, checked once per burst of lookups, as SQLite's PRAGMA is.
 */
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Advisory, EpssScore, KevEntry, SourceInfo } from '../../advisories/model.js';
import { normalizePackageName } from '../../advisories/ecosystems.js';
import { epssFromRow, StoredAdvisoryRows, type StoredAdvisoryRow, type StoredEpssRow } from '../../advisories/stored-rows.js';
import { ScoutError, Warnings } from '../../util/errors.js';
import type { AdvisoryStore, ImportBatch, SourceStatus, SourceSummary, StoreImportCounts, StoreStatus } from '../advisory-store.js';
import { POSTGRES_MIGRATIONS } from '../migrations/postgres/index.js';
import { sourceStatusOf, sourceStatusPageSql, type SourceStatusRow } from '../source-status-page.js';
import { migratePostgres } from './migrate.js';
import { createSchemaLocked } from './startup-lock.js';
import { importInTransaction } from './pg-import.js';
import { nameOnPostgres, namingPool } from './named-statements.js';

/** The lookup query; exported so a test can check its plan is an index search. */
export const LOOKUP_SQL = `SELECT a.id, a.modified, a.source, a.json FROM affected f JOIN advisories a ON a.id = f.advisory_id
  WHERE f.ecosystem = $1 AND f.name = $2 ORDER BY a.id`;

const BY_ALIAS_SQL = `SELECT id, modified, source, json FROM advisories
  WHERE id IN (SELECT $1::text UNION SELECT advisory_id FROM aliases WHERE alias = $1) ORDER BY id`;

/** Read on every burst of lookups (each local analysis request): a named statement (named-statements.ts). */
const DATA_VERSION_SQL = 'SELECT version::text AS version FROM data_version';
const SOURCE_STATUS_PAGE_SQL = sourceStatusPageSql('postgres');
nameOnPostgres(DATA_VERSION_SQL);

const ANSWER_CACHE_SIZE = 20_000;

/** A schema name used unquoted in search_path and in statements: keep it to identifier characters. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

type AdvisoryRow = Required<StoredAdvisoryRow>;
type Db = Kysely<Record<string, never>>;

export interface PgStoreOptions {
  url: string;
  /** The schema holding the tables (created when missing); default `public`. */
  schema?: string;
  warnings?: Warnings;
  /** Connections kept by the pool (default 10). */
  maxConnections?: number;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

export class PgAdvisoryStore implements AdvisoryStore {
  private importQueue: Promise<unknown> = Promise.resolve();
  /** Parsed advisories kept between lookups; forgotten when the data changes. */
  private readonly parsed: StoredAdvisoryRows;
  private readonly answers = new Map<string, Advisory[]>();
  private answersVersion: string | undefined;
  /** The data_version check of the current burst of lookups (see checkDataVersion). */
  private versionCheck: Promise<void> | undefined;
  private kevRows: Map<string, string> | undefined;
  /** Makes each dataGeneration() without a data_version row a token of its own. */
  private unversioned = 0;

  private constructor(
    private readonly db: Db,
    /** The same pool as `db`'s: imports take a client of their own from it (see runImport). */
    private readonly pool: pg.Pool,
    private readonly where: string,
    private readonly schema: string,
    private readonly schemaVersion: number,
    warnings: Warnings,
  ) {
    this.parsed = new StoredAdvisoryRows(warnings, where);
  }

  /** Connects, creates the schema when missing and brings it to this code's version. */
  static async open(options: PgStoreOptions): Promise<PgAdvisoryStore> {
    const schema = options.schema ?? 'public';
    const where = redactUrl(options.url) + (options.schema ? ` (schema ${schema})` : '');
    if (!SCHEMA_NAME.test(schema)) throw new ScoutError('bad-option', `database schema name "${schema}" must be letters, digits and _ (not starting with a digit)`);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      options: `-c search_path=${schema}`,
      connectionTimeoutMillis: 15_000,
    });
    // An idle connection the server dropped must not crash the process.
    pool.on('error', () => undefined);
    const db: Db = new Kysely({ dialect: new PostgresDialect({ pool: namingPool(pool) }) });
    let version: number;
    try {
      const client = await pool.connect();
      try {
        await createSchemaLocked(client, schema);
        version = await migratePostgres(client, POSTGRES_MIGRATIONS, schema, where);
      } finally {
        client.release();
      }
    } catch (err) {
      await db.destroy();
      if (err instanceof ScoutError) throw err;
      throw new ScoutError('store-open', `cannot open advisory database ${where}: ${err instanceof Error ? err.message : String(err)}`, { path: where, cause: err });
    }
    return new PgAdvisoryStore(db, pool, where, schema, version, options.warnings ?? new Warnings());
  }

  async lookup(ecosystem: string, name: string): Promise<Advisory[]> {
    const key = normalizePackageName(ecosystem, name);
    await this.checkDataVersion();
    const answerKey = `${ecosystem}\0${key}`;
    const known = this.answers.get(answerKey);
    if (known) return known.slice();
    const version = this.answersVersion;
    const found = this.parsed.parse(await this.rows(LOOKUP_SQL, [ecosystem, key]));
    // Remembered only if no import committed while the query ran (the check below is cheap
    // next to a wrong answer kept for the process's life).
    if (version === this.answersVersion) {
      if (this.answers.size >= ANSWER_CACHE_SIZE) this.answers.clear();
      this.answers.set(answerKey, found);
    }
    return found.slice();
  }

  /**
   * Forgets remembered answers when any import has committed since they were made. Lookups
   * started together (the matcher starts a window of them) share one check; the next burst asks
   * again.
   */
  private checkDataVersion(): Promise<void> {
    this.versionCheck ??= (async () => {
      try {
        const { rows } = await this.db.executeQuery<{ version: string }>(CompiledQuery.raw(DATA_VERSION_SQL, []));
        const v = rows[0]?.version;
        if (v !== this.answersVersion) {
          this.forgetAnswers();
          this.answersVersion = v;
        }
      } finally {
        queueMicrotask(() => {
          this.versionCheck = undefined;
        });
      }
    })();
    return this.versionCheck;
  }

  async dataGeneration(): Promise<string> {
    await this.checkDataVersion();
    return this.answersVersion ?? `unversioned ${++this.unversioned}`;
  }

  private forgetAnswers(): void {
    // Parsed advisories go too: another process may have rewritten a record without moving
    // its `modified`.
    this.parsed.clear();
    this.answers.clear();
    this.kevRows = undefined;
    this.answersVersion = undefined;
  }

  async get(id: string): Promise<Advisory | undefined> {
    return this.parsed.parse(await this.rows('SELECT id, modified, source, json FROM advisories WHERE id = $1', [id]))[0];
  }

  async getMany(ids: readonly string[]): Promise<Map<string, Advisory>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const rows = await this.rows('SELECT id, modified, source, json FROM advisories WHERE id = ANY($1::text[])', [unique]);
    return new Map(this.parsed.parse(rows).map((a) => [a.id, a]));
  }

  async byAlias(alias: string): Promise<Advisory[]> {
    return this.parsed.parse(await this.rows(BY_ALIAS_SQL, [alias]));
  }

  async kev(cveIds: readonly string[]): Promise<Map<string, KevEntry>> {
    await this.checkDataVersion();
    if (!this.kevRows) {
      const { rows } = await sql<{ cve: string; json: string }>`SELECT cve, json FROM kev`.execute(this.db);
      this.kevRows = new Map(rows.map((r) => [r.cve, r.json]));
    }
    return this.parsed.kevEntries(this.kevRows, cveIds);
  }

  async epss(cveIds: readonly string[]): Promise<Map<string, EpssScore>> {
    const out = new Map<string, EpssScore>();
    const unique = [...new Set(cveIds)];
    if (!unique.length) return out;
    type Row = StoredEpssRow;
    const { rows } = await sql<Row>`SELECT cve, score, percentile, score_date, model_version FROM epss WHERE cve = ANY(${unique}::text[])`.execute(this.db);
    for (const r of rows) {
      out.set(r.cve, epssFromRow(r));
    }
    return out;
  }

  importBatch(batch: ImportBatch): Promise<StoreImportCounts> {
    const run = this.importQueue.then(async () => {
      try {
        return await this.runImport(batch);
      } finally {
        this.forgetAnswers();
      }
    });
    this.importQueue = run.catch(() => undefined);
    return run;
  }

  async sources(): Promise<SourceSummary[]> {
    return (await this.sourceRows()).map((r) => ({
      name: r.name,
      kind: r.kind,
      importedAt: r.imported_at,
      ...(r.url !== null ? { url: r.url } : {}),
      ...(r.last_modified !== null ? { lastModified: r.last_modified } : {}),
    }));
  }

  async sourceStatusPage(after: string | undefined, limit: number): Promise<SourceStatus[]> {
    // One statement: the page of sources (COLLATE "C": code-unit order, as on SQLite), each
    // counted by subqueries of its own rows (advisories by the source index).
    const { rows } = await this.db.executeQuery<SourceStatusRow>(CompiledQuery.raw(SOURCE_STATUS_PAGE_SQL, [after ?? null, limit]));
    return rows.map((r) => sourceStatusOf(r, Date.now()));
  }

  async status(): Promise<StoreStatus> {
    const now = Date.now();
    type Count = { source: string; n: string; w: string };
    const { rows: bySource } = await sql<Count>`SELECT source, COUNT(*) AS n, COUNT(withdrawn) AS w FROM advisories GROUP BY source`.execute(this.db);
    const counts = new Map(bySource.map((r) => [r.source, r]));
    const { rows: totals } = await sql<{ advisories: string; kev: string; epss: string }>`SELECT
      (SELECT COUNT(*) FROM advisories) AS advisories, (SELECT COUNT(*) FROM kev) AS kev, (SELECT COUNT(*) FROM epss) AS epss`.execute(this.db);
    const total = { advisories: Number(totals[0].advisories), kev: Number(totals[0].kev), epss: Number(totals[0].epss) };
    const sources: SourceStatus[] = (await this.sourceRows()).map((r) => {
      const c = counts.get(r.name);
      const s: SourceStatus = {
        name: r.name,
        kind: r.kind,
        importedAt: r.imported_at,
        ageSeconds: Math.max(0, Math.round((now - Date.parse(r.imported_at)) / 1000)),
        count: r.kind === 'advisories' ? Number(c?.n ?? 0) : r.kind === 'kev' ? total.kev : total.epss,
        withdrawn: r.kind === 'advisories' ? Number(c?.w ?? 0) : 0,
      };
      if (r.url !== null) s.url = r.url;
      if (r.last_modified !== null) s.lastModified = r.last_modified;
      return s;
    });
    return { schemaVersion: this.schemaVersion, sources, ...total };
  }

  async hasAdvisories(): Promise<boolean> {
    const { rows } = await sql<{ e: boolean }>`SELECT EXISTS (SELECT 1 FROM advisories) AS e`.execute(this.db);
    return rows[0].e;
  }

  private closed = false;

  async close(): Promise<void> {
    await this.importQueue;
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }

  // --- import ---

  /**
   * The whole import in one transaction on one pooled client: COPY needs the raw client, which
   * Kysely's transactions do not hand out, so BEGIN, COMMIT and ROLLBACK are issued here
   * (pg-import.ts builds its other statements with Kysely on the same client).
   */
  private async runImport(batch: ImportBatch): Promise<StoreImportCounts> {
    const client = await this.pool.connect();
    // A client whose ROLLBACK failed is in an unknown state: the pool closes it instead of reusing it.
    let unusable: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const counts = await importInTransaction(client, this.schema, batch);
        await client.query('COMMIT');
        return counts;
      } catch (err) {
        await client.query('ROLLBACK').catch((e: unknown) => {
          unusable = e instanceof Error ? e : new Error(String(e));
        });
        throw err;
      }
    } finally {
      client.release(unusable);
    }
  }

  // --- helpers ---

  private async sourceRows(): Promise<{ name: string; kind: SourceInfo['kind']; url: string | null; imported_at: string; last_modified: string | null }[]> {
    type Row = { name: string; kind: SourceInfo['kind']; url: string | null; imported_at: string; last_modified: string | null };
    // COLLATE "C": the same byte order as SQLite's, whatever the database's locale.
    const { rows } = await sql<Row>`SELECT name, kind, url, imported_at, last_modified FROM sources ORDER BY name COLLATE "C"`.execute(this.db);
    return rows;
  }

  private async rows(text: string, params: unknown[]): Promise<AdvisoryRow[]> {
    return (await this.db.executeQuery<AdvisoryRow>(CompiledQuery.raw(text, params))).rows;
  }
}
