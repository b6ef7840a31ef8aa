// What `npx scout server` with no flags does: listen on 127.0.0.1:8080 and keep one SQLite file
// in a data directory beside the cache; --data-dir / SCOUT_DATA_DIR move it, --database /
// SCOUT_DATABASE_URL choose PostgreSQL (the flag first). The admin subcommands resolve their
// store the same way (test/cli/platform.test.ts, test/cli/server-db.test.ts use them on it).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/server.js';
import { resolveServerLocation } from '../../src/server/location.js';

test('scout server listens on 127.0.0.1:8080 unless told otherwise', () => {
  const program = new Command();
  register(program);
  const server = program.commands.find((c) => c.name() === 'server')!;
  assert.equal(server.getOptionValue('host'), '127.0.0.1');
  assert.equal(server.getOptionValue('port'), '8080');
});

test('with no flags: the SQLite file scout.db in iechor-scout-server beside the cache directory; flags, then variables, move it', () => {
  const saved = { cache: process.env.SCOUT_CACHE_DIR };
  process.env.SCOUT_CACHE_DIR = '/somewhere/cache/iechor-scout';
  try {
    const dataDir = '/somewhere/cache/iechor-scout-server';
    assert.deepEqual(resolveServerLocation({}, {}), { dataDir, database: { kind: 'sqlite', path: join(dataDir, 'scout.db') } });
  } finally {
    if (saved.cache === undefined) delete process.env.SCOUT_CACHE_DIR;
    else process.env.SCOUT_CACHE_DIR = saved.cache;
  }
  assert.equal(resolveServerLocation({}, { SCOUT_DATA_DIR: '/srv/scout' }).dataDir, '/srv/scout');
  assert.deepEqual(resolveServerLocation({ dataDir: '/flag' }, { SCOUT_DATA_DIR: '/srv/scout' }).database, { kind: 'sqlite', path: '/flag/scout.db' });
  const env = { SCOUT_DATABASE_URL: 'postgres://scout@db.example/scout' };
  assert.deepEqual(resolveServerLocation({ dataDir: '/d' }, env).database, { kind: 'postgres', url: 'postgres://scout@db.example/scout' });
  assert.deepEqual(resolveServerLocation({ dataDir: '/d', database: 'postgresql://other@db2/x?schema=team_a' }, env).database, { kind: 'postgres', url: 'postgresql://other@db2/x', schema: 'team_a' }, 'the flag wins; ?schema= confines it to a schema');
  assert.throws(() => resolveServerLocation({ dataDir: '/d', database: 'mysql://u:secret@h/db' }, {}), (e: Error) => /--database must be a postgres:\/\/ URL/.test(e.message) && !e.message.includes('secret'));
});
