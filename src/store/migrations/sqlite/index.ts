/** The SQLite migrations, in order. Append new ones; never edit an applied one. */
import * as m001 from './001-initial.js';
import * as m002 from './002-no-reverse-indexes.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [m001, m002];
