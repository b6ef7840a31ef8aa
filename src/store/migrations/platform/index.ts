/**
 * The platform migrations, in order; tracked in `platform_migrations` (the advisory tables keep
 * their own `schema_migrations`). Append new ones; never edit an applied one. They take
 * `Kysely<unknown>` and never import the application's schema types: they are frozen in time.
 */
import type { Kysely } from 'kysely';
import * as m001 from './001-orgs-tokens.js';
import * as m002 from './002-images.js';
import * as m003 from './003-continuous.js';
import * as m004 from './004-image-counts.js';
import * as m005 from './005-supply-chain.js';
import * as m006 from './006-finding-indexes.js';
import * as m007 from './007-org-policies.js';
import * as m008 from './008-vulnerability-aliases.js';
import * as m009 from './009-vulnerability-rank-index.js';
import * as m010 from './010-vex.js';
import * as m011 from './011-package-index.js';
import * as m012 from './012-open-findings-by-purl.js';

export interface PlatformMigration {
  version: number;
  name: string;
  up(db: Kysely<unknown>): Promise<void>;
}

export const PLATFORM_MIGRATIONS: readonly PlatformMigration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012];
