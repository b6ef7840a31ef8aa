/**
 * The advisory store backends the contract suite (advisory-store.test.ts) runs over: the
 * embedded SQLite file and PostgreSQL (a fresh schema per test, dropped after it). A test gets
 * a `StoreHandle`: the store, a way to open a second store on the same database (as another
 * process would), and raw SQL access to tamper with it behind the store's back.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { AdvisoryStore } from '../../src/store/advisory-store.js';
import { SqliteAdvisoryStore, LOOKUP_SQL as SQLITE_LOOKUP_SQL, LOOKUP_KEYS_SQL } from '../../src/store/sqlite/sqlite-store.js';
import { PgAdvisoryStore, LOOKUP_SQL as PG_LOOKUP_SQL } from '../../src/store/postgres/pg-store.js';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite/index.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres/index.js';
import { tempDir } from '../advisories/helpers.js';
import { PG_URL, pgSchema } from '../helpers/pg.js';

type TestContext = { after: (fn: () => unknown) => void };

export interface StoreHandle {
  store: AdvisoryStore;
  /** A second store on the same database, closed when the test ends. */
  openAnother(options?: { readonly?: boolean }): Promise<AdvisoryStore>;
  /** Runs statements directly on the database. */
  exec(sql: string): Promise<void>;
  /** The first column of the first row of a query. */
  scalar(sql: string): Promise<unknown>;
}

export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** The schema version a freshly migrated database reports. */
  schemaVersion: number;
  /**
   * Whether a lookup made while an import runs sees that import's uncommitted rows. SQLite's
   * store has one connection, so it does; PostgreSQL's reads go through other pooled
   * connections and see the last committed data.
   */
  readsOwnImport: boolean;
  /** An empty, migrated database. */
  fresh(t: TestContext): Promise<StoreHandle>;
  /** Opening a store where there is no usable database (expected to fail with store-open). */
  openBroken(t: TestContext): Promise<AdvisoryStore>;
  /** The lookup query's plan on this handle's database, and whether it is an index search. */
  lookupPlan(h: StoreHandle): Promise<{ indexed: boolean; plan: string }>;
  /** Every stored advisory JSON is held as text (never as bytes). */
  jsonIsText(h: StoreHandle): Promise<boolean>;
}

type PgHandle = StoreHandle & { url: string; schema: string };

const latest = (ms: readonly { version: number }[]) => ms.reduce((m, x) => Math.max(m, x.version), 0);

export const sqliteBackend: StoreBackend = {
  name: 'sqlite',
  schemaVersion: latest(SQLITE_MIGRATIONS),
  readsOwnImport: true,
  async fresh(t) {
    const path = join(tempDir(t), 'cache', 'advisories.db');
    const store = new SqliteAdvisoryStore(path);
    t.after(() => store.close());
    const raw = <T>(fn: (db: Database.Database) => T): T => {
      const db = new Database(path);
      try {
        return fn(db);
      } finally {
        db.close();
      }
    };
    return {
      store,
      async openAnother(options = {}) {
        const s = new SqliteAdvisoryStore(path, options);
        t.after(() => s.close());
        return s;
      },
      async exec(sql) {
        raw((db) => db.exec(sql));
      },
      async scalar(sql) {
        return raw((db) => db.prepare(sql).pluck().get());
      },
      path,
    } as StoreHandle & { path: string };
  },
  async openBroken(t) {
    const { writeFileSync } = await import('node:fs');
    const junk = join(tempDir(t), 'junk.db');
    writeFileSync(junk, 'this is not sqlite, just text that is long enough to be read as a header...'.repeat(20));
    return new SqliteAdvisoryStore(junk);
  },
  async lookupPlan(h) {
    const db = new Database((h as StoreHandle & { path: string }).path, { readonly: true });
    try {
      const lines: string[] = [];
      let indexed = true;
      for (const sql of [SQLITE_LOOKUP_SQL, LOOKUP_KEYS_SQL]) {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('PyPI', 'django') as { detail: string }[]).map((r) => r.detail);
        lines.push(...plan);
        indexed &&= plan.some((d) => /SEARCH f USING PRIMARY KEY \(ecosystem=\? AND name=\?\)/.test(d)) && !plan.some((d) => /^SCAN/.test(d));
      }
      return { indexed, plan: lines.join('\n') };
    } finally {
      db.close();
    }
  },
  async jsonIsText(h) {
    const types = (await h.scalar("SELECT group_concat(DISTINCT typeof(json)) FROM advisories")) as string;
    return types === 'text';
  },
};

export const postgresBackend: StoreBackend = {
  name: 'postgres',
  schemaVersion: latest(POSTGRES_MIGRATIONS),
  readsOwnImport: false,
  async fresh(t) {
    const { url, schema } = await pgSchema(t as { after: (fn: () => Promise<void>) => void });
    const open = async () => {
      const s = await PgAdvisoryStore.open({ url, schema, maxConnections: 3 });
      t.after(() => s.close());
      return s;
    };
    const store = await open();
    const client = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
      const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    };
    const handle: PgHandle = {
      url,
      schema,
      store,
      openAnother: () => open(),
      async exec(sql) {
        await client((c) => c.query(sql));
      },
      async scalar(sql) {
        return client(async (c) => {
          const r = await c.query({ text: sql, rowMode: 'array' });
          const v = (r.rows[0] as unknown[] | undefined)?.[0];
          // COUNT(*) is a bigint, which pg returns as a string.
          return typeof v === 'string' && /^\d+$/.test(v) && r.fields[0].dataTypeID === 20 ? Number(v) : v;
        });
      },
    };
    return handle;
  },
  async openBroken() {
    const u = new URL(PG_URL);
    u.pathname = `/scout_no_such_db_${randomBytes(4).toString('hex')}`;
    return PgAdvisoryStore.open({ url: u.toString() });
  },
  async lookupPlan(h) {
    const { url, schema } = h as PgHandle;
    const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await c.connect();
    try {
      await c.query('ANALYZE');
      // The test data is a few pages, where PostgreSQL rightly prefers reading the table; with
      // scans priced out, the plan must still be a search of the primary key on both columns
      // (without a usable index it would stay a Seq Scan).
      await c.query('SET enable_seqscan = off');
      // PREPARE and EXPLAIN EXECUTE share a session: the plan of the query with parameters.
      await c.query(`PREPARE lookup_plan(text, text) AS ${PG_LOOKUP_SQL}`);
      const r = await c.query<{ 'QUERY PLAN': string }>("EXPLAIN EXECUTE lookup_plan('PyPI', 'django')");
      const plan = r.rows.map((x) => x['QUERY PLAN']).join('\n');
      const indexed = /Index (Only )?Scan using affected_pkey on affected/.test(plan)
        && /Index Cond: \(\(ecosystem = 'PyPI'::text\) AND \(name = 'django'::text\)\)/.test(plan)
        && !/Seq Scan/.test(plan);
      return { indexed, plan };
    } finally {
      await c.end();
    }
  },
  async jsonIsText(h) {
    return (await h.scalar("SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'advisories' AND column_name = 'json'")) === 'text';
  },
};

export const BACKENDS: readonly StoreBackend[] = [sqliteBackend, postgresBackend];
