/**
 * The PostgreSQL migrations of the advisory store, in order; recorded in `schema_migrations`
 * like SQLite's, numbered on their own (the two sets differ in SQL, not in meaning). Append new
 * ones; never edit an applied one.
 */
import type { Migration } from '../sqlite/index.js';
import * as m001 from './001-initial.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [m001];
