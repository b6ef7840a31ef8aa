/** The platform store over Kysely (SQLite or PostgreSQL). Contract: ../platform-store.ts. */
import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { ScoutError } from '../../util/errors.js';
import type { Caller, Org, OrgStore, PlatformStore, TokenInfo } from '../platform-store.js';
import { isUniqueViolation } from './dialect.js';
import { openPlatformDb, type DatabaseLocation, type PlatformDb } from './open.js';
import { deleteImages, KyselyOrgStore } from './org-store.js';
import { PLATFORM_TABLES, type OrgsTable } from './schema.js';
import { deleteOrgVex } from './vex-store.js';
import { createTokenRow, hashToken, TOKEN_PREFIX, tokenInfoOf } from './tokens.js';
import { Precompiled } from './precompiled.js';

/** Organisation names as they appear in commands and URLs. */
const ORG_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

function orgOf(r: Selectable<OrgsTable>): Org {
  return { id: r.id, name: r.name, catalog: Number(r.catalog) === 1, retentionDays: r.retention_days, createdAt: r.created_at };
}

/** A `last_used_at` write at most this often per token: reads must not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class KyselyPlatformStore implements PlatformStore {
  /** Tokens whose `last_used_at` write is under way (callerWhere). */
  private readonly stamping = new Set<string>();

  private constructor(private readonly p: PlatformDb) {}

  static async open(location: DatabaseLocation): Promise<KyselyPlatformStore> {
    return new KyselyPlatformStore(await openPlatformDb(location));
  }

  get dialect() {
    return this.p.dialect;
  }
  get schemaVersion() {
    return this.p.version;
  }
  /** For benchmarks and tests that inspect the database directly. */
  get db() {
    return this.p.db;
  }

  forOrg(org: Org): OrgStore {
    return new KyselyOrgStore(this.p.db, org);
  }

  async ensureOrg(name: string, opts: { catalog?: boolean } = {}): Promise<Org> {
    if (!ORG_NAME.test(name)) throw new ScoutError('bad-org', `organisation name "${name}" must be lower-case letters, digits, ".", "_" or "-" (up to 63)`);
    const found = await this.orgByName(name);
    if (found) return found;
    const row = { id: randomUUID(), name, catalog: opts.catalog ? 1 : 0, retention_days: null, created_at: new Date().toISOString() };
    try {
      await this.p.db.insertInto('orgs').values(row).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    const org = await this.orgByName(name);
    if (!org) throw new ScoutError('store-lost', `organisation ${name} vanished after it was created`);
    return org;
  }

  /**
   * Organisation `name` and an admin token for it, only when no organisation (the catalogue
   * aside) exists yet; undefined otherwise. One statement checks and inserts, so servers starting
   * together on a new database create one: on PostgreSQL the second insert waits on the first's
   * row in the name's unique index and fails once it commits (read as "someone else did"); on
   * SQLite a statement holds the file's write lock from its start. The token is inserted in the
   * same transaction, so nobody sees the organisation without it.
   */
  async createFirstOrg(name: string, tokenName: string): Promise<{ org: Org; token: string } | undefined> {
    if (!ORG_NAME.test(name)) throw new ScoutError('bad-org', `organisation name "${name}" must be lower-case letters, digits, ".", "_" or "-" (up to 63)`);
    const row = { id: randomUUID(), name, catalog: 0, retention_days: null, created_at: new Date().toISOString() };
    try {
      return await this.p.db.transaction().execute(async (trx) => {
        const inserted = await trx.insertInto('orgs')
          .columns(['id', 'name', 'catalog', 'retention_days', 'created_at'])
          .expression(sql<never>`SELECT ${row.id}, ${row.name}, ${row.catalog}, NULL, ${row.created_at} WHERE NOT EXISTS (SELECT 1 FROM orgs WHERE catalog = 0)`)
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return undefined;
        const { token, row: tokenRow } = createTokenRow(row.id, tokenName, 'admin');
        await trx.insertInto('tokens').values(tokenRow).execute();
        return { org: orgOf(row), token };
      });
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  async orgByName(name: string): Promise<Org | undefined> {
    const r = await this.p.db.selectFrom('orgs').selectAll().where('name', '=', name).executeTakeFirst();
    return r ? orgOf(r) : undefined;
  }

  async listOrgs(): Promise<Org[]> {
    return (await this.p.db.selectFrom('orgs').selectAll().orderBy('name').execute()).map(orgOf);
  }

  async authenticate(token: string): Promise<Caller | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    return this.callerWhere('t.hash', hashToken(token));
  }

  async callerByTokenId(id: string): Promise<Caller | undefined> {
    return this.callerWhere('t.id', id);
  }

  /** The token-and-organisation query by hash and by id, compiled once: every API request runs it. */
  private readonly callerQueries = {
    't.hash': this.callerQuery('t.hash'),
    't.id': this.callerQuery('t.id'),
  };

  private callerQuery(column: 't.hash' | 't.id') {
    return new Precompiled(([value]: [string]) => this.p.db
      .selectFrom('tokens as t')
      .innerJoin('orgs as o', 'o.id', 't.org_id')
      .selectAll('t')
      .select(['o.name as org_name', 'o.catalog', 'o.retention_days', 'o.created_at as org_created_at'])
      .where(column, '=', value)
      .where('t.revoked_at', 'is', null));
  }

  private async callerWhere(column: 't.hash' | 't.id', value: string): Promise<Caller | undefined> {
    const r = (await this.p.db.executeQuery(this.callerQueries[column].with([value]))).rows[0];
    if (!r) return undefined;
    const now = new Date();
    if ((!r.last_used_at || now.getTime() - Date.parse(r.last_used_at) > LAST_USED_RESOLUTION_MS) && !this.stamping.has(r.id)) {
      // Bookkeeping, not part of the answer: not awaited, so no request waits for a write (on
      // SQLite a write may wait out an advisory import's hold of the file's write gate). One
      // stamp per token at a time; a stamp lost to a closing store is harmless.
      this.stamping.add(r.id);
      void this.p.db.updateTable('tokens').set({ last_used_at: now.toISOString() }).where('id', '=', r.id).execute()
        .catch(() => {})
        .finally(() => this.stamping.delete(r.id));
    }
    return {
      org: { id: r.org_id, name: r.org_name, catalog: Number(r.catalog) === 1, retentionDays: r.retention_days, createdAt: r.org_created_at },
      token: tokenInfoOf(r),
    };
  }

  async tokenById(id: string): Promise<TokenInfo | undefined> {
    const r = await this.p.db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? tokenInfoOf(r) : undefined;
  }

  async deleteOrg(orgId: string): Promise<boolean> {
    return this.p.db.transaction().execute(async (trx) => {
      const org = await trx.selectFrom('orgs').select('id').where('id', '=', orgId).executeTakeFirst();
      if (!org) return false;
      const images = await trx.selectFrom('images').select('id').where('org_id', '=', orgId).execute();
      await deleteImages(trx, orgId, images.map((i) => i.id));
      await deleteOrgVex(trx, orgId);
      await trx.deleteFrom('tags').where('org_id', '=', orgId).execute();
      await trx.deleteFrom('repositories').where('org_id', '=', orgId).execute();
      for (const t of ['webhook_deliveries', 'webhooks', 'events', 'workloads', 'policy_history', 'policy_results', 'org_policies'] as const) await trx.deleteFrom(t).where('org_id', '=', orgId).execute();
      await trx.deleteFrom('tokens').where('org_id', '=', orgId).execute();
      await trx.deleteFrom('orgs').where('id', '=', orgId).execute();
      return true;
    });
  }

  async pruneAll(now = new Date()): Promise<number> {
    const orgs = await this.p.db.selectFrom('orgs').selectAll().where('retention_days', 'is not', null).execute();
    let n = 0;
    for (const o of orgs) n += await new KyselyOrgStore(this.p.db, orgOf(o)).prune(now);
    return n;
  }

  async tableCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of PLATFORM_TABLES) {
      const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(t)}`.execute(this.p.db);
      out[t] = Number(r.rows[0]?.n ?? 0);
    }
    return out;
  }

  close(): Promise<void> {
    return this.p.close();
  }
}
