/**
 * Each organisation's policy configuration (migration 007): the policy file text an admin
 * stored, and a generation that moves on every change. Every query carries the organisation's id.
 */
import type { Kysely, Transaction } from 'kysely';
import type { PlatformDatabase } from './schema.js';

type Db = Kysely<PlatformDatabase> | Transaction<PlatformDatabase>;

export interface StoredOrgPolicies {
  /** The policy file as given (YAML or JSON); null: the built-in policies with their defaults. */
  config: string | null;
  /** 0 before the first change. */
  generation: number;
  updatedAt?: string;
  /** Id of the token that made the last change. */
  updatedBy?: string;
}

export async function readOrgPolicies(db: Db, orgId: string): Promise<StoredOrgPolicies> {
  const row = await db.selectFrom('org_policies').selectAll().where('org_id', '=', orgId).executeTakeFirst();
  if (!row) return { config: null, generation: 0 };
  return { config: row.config, generation: Number(row.generation), updatedAt: row.updated_at, ...(row.updated_by ? { updatedBy: row.updated_by } : {}) };
}

/**
 * Stores the organisation's configuration (null: back to the defaults) and returns its new
 * generation. One statement, so two admins saving at once get two generations, never one.
 */
export async function writeOrgPolicies(db: Db, orgId: string, config: string | null, at: string, by: string | null): Promise<number> {
  const row = await db
    .insertInto('org_policies')
    .values({ org_id: orgId, config, generation: 1, updated_at: at, updated_by: by })
    .onConflict((oc) => oc.column('org_id').doUpdateSet((eb) => ({ config, generation: eb('org_policies.generation', '+', 1), updated_at: at, updated_by: by })))
    .returning('generation')
    .executeTakeFirstOrThrow();
  return Number(row.generation);
}
