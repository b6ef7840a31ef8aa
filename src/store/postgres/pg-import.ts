/**
 * One import into the PostgreSQL advisory store, inside a transaction the caller began on a
 * client it holds (pg-store.ts commits or rolls it back: all or nothing).
 *
 * Records go to the server by COPY into temporary staging tables, a chunk at a time, and from
 * there into the real tables by set-based statements: one statement inserts a chunk's new
 * advisories, one updates its changed ones, one each adds its index rows. Unchanged records
 * (the usual case of a daily update) are found by comparing with the stored text on the server
 * and cost no write. What stays in JavaScript: the counts, and the index keys of changed or
 * deleted records, read from their stored JSON (the tables have no reverse index by advisory).
 */
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Advisory, EpssScore, KevEntry, SourceInfo } from '../../advisories/model.js';
import { storedIndexKeys, type StoredAdvisoryRow } from '../../advisories/stored-rows.js';
import { prepareAdvisory, type PreparedAdvisory } from '../../advisories/prepared.js';
import type { ImportBatch, ImportMode, RecordStream, StoreImportCounts } from '../advisory-store.js';
import { diffCounts } from '../import-counts.js';
import { copyRows, type CopyField } from './copy-rows.js';
import { kyselyOnHeldClient } from './held-client-kysely.js';

type AdvisoryRow = Required<StoredAdvisoryRow>;
type Db = Kysely<Record<string, never>>;

/**
 * Records per chunk. Bigger chunks mean fewer statements; the chunk's text is held in memory
 * once on each side (here and in the staging table), so this bounds memory, not the import.
 */
const CHUNK = 5000;

/** Rows a replace-mode deletion removes per statement (their stored JSON comes back to unindex them). */
const DELETE_CHUNK = 5000;

/** Staging tables: this session's own, dropped when the transaction ends, however it ends. */
const STAGING = `
CREATE TEMP TABLE pg_temp.import_advisories (id text, modified text, withdrawn text, json text) ON COMMIT DROP;
CREATE TEMP TABLE pg_temp.import_affected (ecosystem text, name text, advisory_id text) ON COMMIT DROP;
CREATE TEMP TABLE pg_temp.import_aliases (alias text, advisory_id text, kind text) ON COMMIT DROP;
CREATE TEMP TABLE pg_temp.import_seen (id text) ON COMMIT DROP`;

/** Runs the batch in the caller's open transaction on `client`; returns what it changed. */
export async function importInTransaction(client: pg.PoolClient, schema: string, batch: ImportBatch): Promise<StoreImportCounts> {
  const db: Db = kyselyOnHeldClient(client);
  // Serialises imports of every process on this schema; released at commit or rollback.
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`iechor-scout:advisory-import:${schema}`}))`.execute(db);
  let counts: StoreImportCounts;
  let lastModified = batch.source.lastModified;
  if (batch.kind === 'advisories') {
    const r = await new AdvisoryImport(client, db, batch.source.name).run(batch.mode, batch.records);
    counts = r.counts;
    lastModified ??= r.newestModified;
  } else if (batch.kind === 'kev') {
    counts = await importKev(client, db, batch.entries);
  } else {
    counts = await importEpss(client, db, batch.entries);
  }
  await recordSource(db, batch.source, lastModified);
  await sql`UPDATE data_version SET version = version + 1`.execute(db);
  return counts;
}

class AdvisoryImport {
  private readonly counts: StoreImportCounts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
  /** Whether the ids written are remembered in import_seen (for replace mode's deletion). */
  private trackSeen = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly db: Db,
    private readonly source: string,
  ) {}

  async run(mode: ImportMode, records: RecordStream<Advisory>): Promise<{ counts: StoreImportCounts; newestModified?: string }> {
    const { rows: firstRows } = await sql<{ first: boolean }>`SELECT NOT EXISTS (SELECT 1 FROM advisories WHERE source = ${this.source}) AS first`.execute(this.db);
    const firstImport = firstRows[0].first;
    // A first import has no stored record of its source that the snapshot could lack.
    this.trackSeen = mode === 'replace' && !firstImport;
    await this.client.query(STAGING);
    let newestModified: string | undefined;
    let pending: PreparedAdvisory[] = [];
    const pendingIds = new Set<string>();
    // The chunk the server is writing while the next one is read and prepared here: reading
    // the feed and writing it overlap (two cores busy instead of one, then the other).
    let writing: Promise<void> | undefined;
    const flush = async () => {
      if (!pending.length) return;
      const chunk = pending;
      pending = [];
      pendingIds.clear();
      // One chunk at a time, in stream order.
      if (writing) await writing;
      writing = this.writeChunk(chunk);
      // Observed below (awaited); this only keeps a failure from counting as unhandled while
      // the stream is still being read.
      writing.catch(() => undefined);
    };
    try {
      for await (const rec of records) {
        const row = prepareAdvisory(rec);
        if (newestModified === undefined || row.modified > newestModified) newestModified = row.modified;
        // The same id twice in a stream: the earlier one is written first, so the later one
        // updates it (counted as SQLite counts it).
        if (pendingIds.has(row.id)) await flush();
        pending.push(row);
        pendingIds.add(row.id);
        if (pending.length >= CHUNK) await flush();
      }
      await flush();
      if (writing) await writing;
    } catch (err) {
      // The caller rolls back on this client next: no statement of a chunk may still be
      // running or queued behind the ROLLBACK, or it would run outside the transaction.
      if (writing) await writing.catch(() => undefined);
      throw err;
    }
    if (this.trackSeen) await this.deleteUnseen();
    return { counts: this.counts, newestModified };
  }

  /** Writes one chunk of records with distinct ids: new ones inserted, changed ones re-indexed, unchanged ones left alone. */
  private async writeChunk(chunk: PreparedAdvisory[]): Promise<void> {
    await this.client.query('TRUNCATE pg_temp.import_advisories, pg_temp.import_affected, pg_temp.import_aliases');
    await copyRows(this.client, 'pg_temp.import_advisories', ['id', 'modified', 'withdrawn', 'json'], chunk.map((r) => [r.id, r.modified, r.withdrawn, r.json]));
    // The stored rows these ids already have; the stored JSON only where it differs (needed to
    // unindex it), compared here on the server rather than sent back to be compared. The ids
    // go along as an array so the stored rows are found through the primary key: joined by id
    // alone, the planner hashes the whole advisories table for every chunk.
    type Existing = { id: string; same: boolean; modified: string; source: string; json: string | null };
    const { rows } = await sql<Existing>`SELECT a.id, (a.source = ${this.source} AND a.json = s.json) AS same, a.modified, a.source,
        CASE WHEN a.source = ${this.source} AND a.json = s.json THEN NULL ELSE a.json END AS json
      FROM advisories a JOIN pg_temp.import_advisories s ON s.id = a.id
      WHERE a.id = ANY(${chunk.map((r) => r.id)}::text[])`.execute(this.db);
    const existing = new Map(rows.map((r) => [r.id, r]));
    const written: PreparedAdvisory[] = [];
    const changed: AdvisoryRow[] = [];
    for (const row of chunk) {
      const old = existing.get(row.id);
      if (old === undefined) {
        this.counts.inserted++;
        written.push(row);
      } else if (old.same) {
        this.counts.unchanged++;
      } else {
        this.counts.updated++;
        written.push(row);
        changed.push({ id: old.id, modified: old.modified, source: old.source, json: old.json ?? '' });
      }
    }
    if (changed.length) {
      await unindex(this.db, changed);
      await sql`UPDATE advisories a SET source = ${this.source}, modified = s.modified, withdrawn = s.withdrawn, json = s.json
        FROM pg_temp.import_advisories s WHERE a.id = s.id AND a.id = ANY(${changed.map((r) => r.id)}::text[])`.execute(this.db);
    }
    if (changed.length < written.length) {
      // The staged ids already stored (unchanged, or updated just above) are the conflicts.
      await sql`INSERT INTO advisories (id, source, modified, withdrawn, json)
        SELECT s.id, ${this.source}, s.modified, s.withdrawn, s.json FROM pg_temp.import_advisories s
        ON CONFLICT (id) DO NOTHING`.execute(this.db);
    }
    if (written.length) {
      await copyRows(this.client, 'pg_temp.import_affected', ['ecosystem', 'name', 'advisory_id'], affectedRows(written));
      await copyRows(this.client, 'pg_temp.import_aliases', ['alias', 'advisory_id', 'kind'], aliasRows(written));
      // In key order, so the primary-key indexes are filled page by page rather than at random;
      // an alias that is also an upstream id keeps kind 'alias' (the first in that order).
      await this.client.query(`
        INSERT INTO affected (ecosystem, name, advisory_id) SELECT ecosystem, name, advisory_id FROM pg_temp.import_affected ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING;
        INSERT INTO aliases (alias, advisory_id, kind) SELECT alias, advisory_id, kind FROM pg_temp.import_aliases ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING`);
    }
    if (this.trackSeen) await this.client.query('INSERT INTO pg_temp.import_seen (id) SELECT id FROM pg_temp.import_advisories');
  }

  /** Replace mode: the source's stored records the snapshot did not bring go, index rows first. */
  private async deleteUnseen(): Promise<void> {
    for (;;) {
      const { rows } = await sql<AdvisoryRow>`WITH gone AS (
          SELECT a.id FROM advisories a WHERE a.source = ${this.source} AND NOT EXISTS (SELECT 1 FROM pg_temp.import_seen s WHERE s.id = a.id)
          LIMIT ${DELETE_CHUNK})
        DELETE FROM advisories a USING gone WHERE a.id = gone.id RETURNING a.id, a.modified, a.source, a.json`.execute(this.db);
      if (!rows.length) return;
      await unindex(this.db, rows);
      this.counts.deleted += rows.length;
    }
  }
}

function* affectedRows(rows: readonly PreparedAdvisory[]): Generator<CopyField[]> {
  for (const r of rows) for (const [e, n] of r.packages) yield [e, n, r.id];
}

function* aliasRows(rows: readonly PreparedAdvisory[]): Generator<CopyField[]> {
  for (const r of rows) {
    for (const a of r.aliases) yield [a, r.id, 'alias'];
    for (const a of r.upstream) yield [a, r.id, 'upstream'];
  }
}

/**
 * Removes stored records' index rows, found by their primary keys from the stored JSON (the
 * rows were written from that same record). A record whose JSON cannot be read (tampered
 * with) has its rows found by advisory id, the slow way.
 */
async function unindex(db: Db, stored: readonly AdvisoryRow[]): Promise<void> {
  const eco: string[] = [], names: string[] = [], affectedIds: string[] = [];
  const aliases: string[] = [], aliasIds: string[] = [];
  const damaged: string[] = [];
  for (const s of stored) {
    const keys = storedIndexKeys(s);
    if (!keys) {
      damaged.push(s.id);
      continue;
    }
    for (const [e, n] of keys.packages) {
      eco.push(e);
      names.push(n);
      affectedIds.push(s.id);
    }
    for (const a of [...keys.aliases, ...keys.upstream]) {
      aliases.push(a);
      aliasIds.push(s.id);
    }
  }
  if (eco.length) {
    await sql`DELETE FROM affected f USING unnest(${eco}::text[], ${names}::text[], ${affectedIds}::text[]) AS k(ecosystem, name, advisory_id)
      WHERE f.ecosystem = k.ecosystem AND f.name = k.name AND f.advisory_id = k.advisory_id`.execute(db);
  }
  if (aliases.length) {
    await sql`DELETE FROM aliases x USING unnest(${aliases}::text[], ${aliasIds}::text[]) AS k(alias, advisory_id)
      WHERE x.alias = k.alias AND x.advisory_id = k.advisory_id`.execute(db);
  }
  if (damaged.length) {
    await sql`DELETE FROM affected WHERE advisory_id = ANY(${damaged}::text[])`.execute(db);
    await sql`DELETE FROM aliases WHERE advisory_id = ANY(${damaged}::text[])`.execute(db);
  }
}

async function importKev(client: pg.PoolClient, db: Db, entries: RecordStream<KevEntry>): Promise<StoreImportCounts> {
  const { rows } = await sql<{ cve: string; json: string }>`SELECT cve, json FROM kev`.execute(db);
  const old = new Map(rows.map((r) => [r.cve, r.json]));
  // The catalogue is small and published whole: gathered (the later of two entries for one CVE
  // wins, as INSERT OR REPLACE does on SQLite), then copied in whole.
  const fresh = new Map<string, { e: KevEntry; json: string }>();
  for await (const e of entries) fresh.set(e.cve, { e, json: JSON.stringify(e) });
  await sql`DELETE FROM kev`.execute(db);
  const all = [...fresh.values()];
  await copyRows(client, 'kev', ['cve', 'date_added', 'due_date', 'ransomware', 'json'], all.map(({ e, json }) => [
    e.cve, e.dateAdded, e.dueDate ?? null, e.knownRansomwareUse === undefined ? null : String(Number(e.knownRansomwareUse)), json,
  ]));
  return diffCounts(old, new Map(all.map((x) => [x.e.cve, x.json])));
}

async function importEpss(client: pg.PoolClient, db: Db, entries: RecordStream<EpssScore>): Promise<StoreImportCounts> {
  const key = (s: number, p: number, d: string | null | undefined) => `${s}|${p}|${d ?? ''}`;
  type Row = { cve: string; score: number; percentile: number; score_date: string | null };
  const { rows } = await sql<Row>`SELECT cve, score, percentile, score_date FROM epss`.execute(db);
  const old = new Map(rows.map((r) => [r.cve, key(r.score, r.percentile, r.score_date)]));
  await sql`DELETE FROM epss`.execute(db);
  const fresh = new Map<string, EpssScore>();
  for await (const e of entries) fresh.set(e.cve, e);
  const all = [...fresh.values()];
  // String(number) is the shortest text that reads back as the same double.
  await copyRows(client, 'epss', ['cve', 'score', 'percentile', 'score_date', 'model_version'], all.map((e) => [
    e.cve, String(e.score), String(e.percentile), e.date ?? null, e.modelVersion ?? null,
  ]));
  return diffCounts(old, new Map(all.map((e) => [e.cve, key(e.score, e.percentile, e.date)])));
}

/** An import that brings no newer `modified` keeps the cursor it had (an empty merge must not reset it). */
async function recordSource(db: Db, source: SourceInfo, lastModified: string | undefined): Promise<void> {
  const table = source.kind === 'advisories' ? sql`advisories WHERE source = ${source.name}` : source.kind === 'kev' ? sql`kev` : sql`epss`;
  const { rows } = await sql<{ n: string }>`SELECT COUNT(*) AS n FROM ${table}`.execute(db);
  await sql`INSERT INTO sources (name, kind, url, imported_at, count, last_modified)
    VALUES (${source.name}, ${source.kind}, ${source.url ?? null}, ${new Date().toISOString()}, ${Number(rows[0].n)}, ${lastModified ?? null})
    ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, url = excluded.url, imported_at = excluded.imported_at,
      count = excluded.count, last_modified = COALESCE(excluded.last_modified, sources.last_modified)`.execute(db);
}
