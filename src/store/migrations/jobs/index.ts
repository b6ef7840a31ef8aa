/**
 * The job queue's migrations, tracked in `jobs_migrations`: a set of their own (as pg-boss keeps
 * its own schema), so the queue is usable in any database the platform store lives in. Append
 * new ones; never edit an applied one.
 */
import type { Kysely } from 'kysely';
import * as m001 from './001-jobs.js';
import * as m002 from './002-claim-order.js';
import * as m003 from './003-job-result.js';

export interface JobsMigration {
  version: number;
  name: string;
  up(db: Kysely<unknown>): Promise<void>;
}

export const JOBS_MIGRATIONS: readonly JobsMigration[] = [m001, m002, m003];
