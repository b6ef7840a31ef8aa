/**
 * Kysely's SQLite dialect with the file's write gate (../sqlite/write-gate.ts) taken around
 * every write: a transaction holds it from BEGIN to COMMIT or ROLLBACK, a write outside any
 * transaction (a job claim, a queued job, a heartbeat) holds it for its one statement. So a
 * platform write that meets an advisory import in progress on the same file awaits the import's
 * commit instead of sleeping the event loop in busy_timeout. Reads never wait for the gate.
 *
 * Kysely's own SQLite driver lends its one connection to one user at a time (a mutex). A writer
 * never waits for the gate while holding that connection: it lets the connection go, waits its
 * turn at the gate, then takes the connection back. Otherwise one job claim waiting out a long
 * import would hold the connection and every platform read (the API, the dashboard) behind it;
 * and a gate holder waiting for the connection while the connection's holder waited for the
 * gate would deadlock. Statements of a transaction run under the gate its BEGIN took: let
 * through, never gated again.
 */
import {
  createQueryId,
  IdentifierNode,
  RawNode,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type SqliteDatabase,
} from 'kysely';
import type Database from 'better-sqlite3';
import type { WriteGate } from '../sqlite/write-gate.js';

export class GatedSqliteDialect implements Dialect {
  /** `database` is what Kysely runs statements on (statement-cache.ts), `sqlite` the connection under it. */
  constructor(
    private readonly database: SqliteDatabase,
    private readonly sqlite: Database.Database,
    private readonly gate: WriteGate,
  ) {}

  createDriver(): Driver {
    return new GatedSqliteDriver(this.database, this.sqlite, this.gate);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

class GatedSqliteDriver implements Driver {
  private readonly connection = new Mutex();
  /** Gives the gate back; set while a transaction on this connection holds it. */
  private releaseTransaction: (() => void) | undefined;

  constructor(
    private readonly database: SqliteDatabase,
    private readonly sqlite: Database.Database,
    private readonly gate: WriteGate,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.connection.lock();
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        if (this.releaseTransaction || this.sqlite.inTransaction || this.reads(query)) return this.run<R>(query);
        const release = await this.waitForGate();
        try {
          return this.run<R>(query);
        } finally {
          release();
        }
      },
      streamQuery: <R>(query: CompiledQuery) => this.stream<R>(query),
    };
  }

  async beginTransaction(): Promise<void> {
    const release = await this.waitForGate();
    this.releaseTransaction = release;
    try {
      this.sqlite.exec('BEGIN');
    } catch (err) {
      this.giveBack();
      throw err;
    }
  }

  async commitTransaction(): Promise<void> {
    try {
      this.sqlite.exec('COMMIT');
    } finally {
      // A COMMIT that failed (SQLITE_BUSY against another process) leaves the transaction open
      // for the ROLLBACK Kysely sends next: the gate stays held until then.
      if (!this.sqlite.inTransaction) this.giveBack();
    }
  }

  async rollbackTransaction(): Promise<void> {
    try {
      if (this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK');
    } finally {
      this.giveBack();
    }
  }

  async savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointNode('savepoint', name), createQueryId()));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointNode('rollback to', name), createQueryId()));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointNode('release', name), createQueryId()));
  }

  async releaseConnection(): Promise<void> {
    this.connection.unlock();
  }

  async destroy(): Promise<void> {
    this.database.close();
  }

  /**
   * Called holding the connection: takes a place at the gate, lets the connection go while
   * waiting, and returns holding both.
   */
  private async waitForGate(): Promise<() => void> {
    const turn = this.gate.acquire();
    this.connection.unlock();
    let release: (() => void) | undefined;
    try {
      release = await turn;
    } finally {
      await this.connection.lock();
    }
    return release;
  }

  private giveBack(): void {
    const release = this.releaseTransaction;
    this.releaseTransaction = undefined;
    release?.();
  }

  /** Whether a statement only reads: a SELECT, or raw SQL that SQLite itself says writes nothing. */
  private reads(query: CompiledQuery): boolean {
    if (SelectQueryNode.is(query.query)) return true;
    if (query.query.kind !== 'RawNode') return false;
    // Through the statement cache: the same statement runs next, prepared once.
    return (this.database.prepare(query.sql) as unknown as Database.Statement).readonly;
  }

  /** As Kysely's SQLite connection runs a statement. */
  private run<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.database.prepare(query.sql);
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(query.parameters) as R[] });
    const { changes, lastInsertRowid } = stmt.run(query.parameters);
    return Promise.resolve({
      numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
      insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
      rows: [],
    });
  }

  private async *stream<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error('Sqlite driver only supports streaming of select queries');
    for (const row of this.database.prepare(query.sql).iterate(query.parameters)) yield { rows: [row as R] };
  }
}

/** As Kysely's SQLite driver names a savepoint (the name quoted as an identifier). */
function savepointNode(command: string, name: string): RawNode {
  return RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)]);
}

/** Kysely's SQLite driver's: waiters loop until the holder lets go. */
class Mutex {
  private held: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  async lock(): Promise<void> {
    while (this.held) await this.held;
    this.held = new Promise((resolve) => (this.wake = resolve));
  }

  unlock(): void {
    const wake = this.wake;
    this.held = undefined;
    this.wake = undefined;
    wake?.();
  }
}
