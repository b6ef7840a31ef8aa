// The platform's SQLite connection keeps its temporary files (statement journals of a push's
// multi-row inserts, sort spills) in memory: on disk SQLite would write them to /var/tmp, outside
// the data directory.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openKysely } from '../../../src/store/kysely/open.js';
import { tempDir } from '../../helpers/tmp.js';

test('the platform SQLite connection keeps temporary storage in memory (temp_store = MEMORY)', async () => {
  const { db } = await openKysely({ kind: 'sqlite', path: join(tempDir(), 'scout.db') });
  try {
    const { rows } = await sql<{ temp_store: number }>`PRAGMA temp_store`.execute(db);
    assert.equal(rows[0].temp_store, 2, 'MEMORY is 2 (DEFAULT 0 and FILE 1 write temporary files under /var/tmp)');
  } finally {
    await db.destroy();
  }
});
