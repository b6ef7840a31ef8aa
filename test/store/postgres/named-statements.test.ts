// The queries every request runs are named prepared statements on PostgreSQL: a marked SQL text
// is prepared once per connection and answers every run with that run's values; an unmarked one
// is not prepared; a statement whose table changed its columns falls back to running unnamed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { nameOnPostgres, namingPool, statementName } from '../../../src/store/postgres/named-statements.js';
import { Precompiled } from '../../../src/store/kysely/precompiled.js';
import { freshPlatformStore } from '../../helpers/platform-db.js';
import { pgSchema } from '../../helpers/pg.js';

/** Kysely over one connection (so the session's prepared statements can be listed), in a fresh schema with a table `t`. */
async function oneConnection(t: { after: (fn: () => Promise<void>) => void }) {
  const { url, schema } = await pgSchema(t);
  const pool = new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` });
  const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: namingPool(pool) }) });
  t.after(() => db.destroy());
  const run = async (text: string, values: unknown[] = []) => (await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, values))).rows;
  await run('CREATE TABLE t (id text PRIMARY KEY, n int)');
  await run("INSERT INTO t VALUES ('a', 1), ('b', 2)");
  const prepared = async () => (await run('SELECT name FROM pg_prepared_statements ORDER BY name')).map((r) => r.name);
  return { run, prepared };
}

test('a marked text runs as a named statement with each run\'s values; an unmarked one is not prepared', async (t) => {
  const { run, prepared } = await oneConnection(t);
  const marked = `SELECT id, n FROM t WHERE id = $1 /* ${process.pid} ${Math.random()} */`;
  nameOnPostgres(marked);
  const name = statementName(marked);
  assert.match(name ?? '', /^scout_[0-9a-f]{32}$/);
  assert.deepEqual(await run(marked, ['a']), [{ id: 'a', n: 1 }]);
  assert.deepEqual(await run(marked, ['b']), [{ id: 'b', n: 2 }], 'the prepared statement again, with the new value');
  assert.deepEqual(await run(marked, ['zzz']), []);
  assert.deepEqual(await prepared(), [name]);
  assert.deepEqual(await run('SELECT n FROM t WHERE id = $1', ['b']), [{ n: 2 }]);
  assert.deepEqual(await prepared(), [name], 'the unmarked query left nothing prepared');
});

test('a prepared statement whose table changed its columns is run again unnamed, and stays so', async (t) => {
  const { run } = await oneConnection(t);
  const marked = `SELECT * FROM t WHERE id = $1 /* ${process.pid} ${Math.random()} */`;
  nameOnPostgres(marked);
  assert.deepEqual(await run(marked, ['a']), [{ id: 'a', n: 1 }]);
  await run('ALTER TABLE t ADD COLUMN note text');
  assert.deepEqual(await run(marked, ['a']), [{ id: 'a', n: 1, note: null }], 'the new column, not "cached plan must not change result type"');
  assert.equal(statementName(marked), undefined);
  assert.deepEqual(await run(marked, ['b']), [{ id: 'b', n: 2, note: null }]);
});

test('every shape of a precompiled query is marked, and the token check answers through it', async (t) => {
  const store = await freshPlatformStore('postgres', t);
  const q = new Precompiled(([names]: [readonly string[]]) => store.db.selectFrom('orgs').select('name').where('name', 'in', names));
  assert.ok(statementName(q.with([['x']]).sql));
  assert.ok(statementName(q.with([['x', 'y']]).sql), 'a longer list is a shape, and a statement, of its own');
  const org = store.forOrg(await store.ensureOrg('acme'));
  const { token } = await org.createToken('ci', 'read');
  // More runs than PostgreSQL's five custom plans before it may settle on a generic one.
  for (let i = 0; i < 8; i++) assert.equal((await store.authenticate(token))?.org.name, 'acme');
  assert.equal(await store.authenticate(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), undefined);
});
