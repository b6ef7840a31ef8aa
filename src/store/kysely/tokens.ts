/**
 * API tokens: `scout_` + 32 random bytes (base64url). Only the SHA-256 of a token is stored, so
 * a copy of the database gives nobody a usable token; the token is shown once, when created.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { TokenInfo, TokenScope } from '../platform-store.js';
import type { TokensTable } from './schema.js';

export const TOKEN_PREFIX = 'scout_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function createTokenRow(orgId: string, name: string, scope: TokenScope, now = new Date()): { token: string; row: TokensTable } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row: TokensTable = {
    id: 'tok_' + randomBytes(8).toString('hex'),
    org_id: orgId,
    name,
    scope,
    hash: hashToken(token),
    created_at: now.toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  return { token, row };
}

export function tokenInfoOf(r: TokensTable): TokenInfo {
  return {
    id: r.id,
    orgId: r.org_id,
    name: r.name,
    scope: r.scope as TokenScope,
    createdAt: r.created_at,
    ...(r.last_used_at ? { lastUsedAt: r.last_used_at } : {}),
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
  };
}
