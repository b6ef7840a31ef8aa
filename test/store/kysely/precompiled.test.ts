// A query compiled once per shape answers each run with that run's values, on both backends:
// list lengths that differ get shapes of their own, a shape used again never keeps the values
// of an earlier run, and the query's own constants stay.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Precompiled } from '../../../src/store/kysely/precompiled.js';
import { BACKENDS, freshPlatformStore } from '../../helpers/platform-db.js';

for (const backend of BACKENDS) {
  describe(`precompiled queries on ${backend}`, () => {
    test('every run has its own values, in lists of any length, next to the constants of the query', async (t) => {
      const store = await freshPlatformStore(backend, t);
      for (const name of ['alpha', 'beta', 'gamma', 'delta']) await store.ensureOrg(name, { catalog: name === 'delta' });
      // The catalogue flag (a constant, 1) and the limit (2) are parameters Kysely binds too.
      const q = new Precompiled(([first, names]: [string, readonly string[]]) => store.db
        .selectFrom('orgs')
        .select('name')
        .where((eb) => eb.or([eb('name', '=', first), eb('name', 'in', names), eb('catalog', '=', 1)]))
        .orderBy('name')
        .limit(2));
      const run = async (first: string, names: string[]) => (await store.db.executeQuery(q.with([first, names]))).rows.map((r) => r.name);
      assert.deepEqual(await run('alpha', ['beta']), ['alpha', 'beta']);
      assert.deepEqual(await run('gamma', ['nobody']), ['delta', 'gamma']);
      assert.deepEqual(await run('nobody', ['beta', 'gamma', 'nobody']), ['beta', 'delta'], 'a longer list: a shape of its own, limit still 2');
      assert.deepEqual(await run('nobody', ['nobody']), ['delta'], 'the first shape again, with none of its earlier values');
      // A value that looks like a marker is just a value (PostgreSQL text cannot hold the NUL
      // the markers start with, so no such value reaches it).
      if (backend === 'sqlite') assert.deepEqual(await run('\u0000precompiled\u00000', ['alpha']), ['alpha', 'delta']);
    });

    test('a value Kysely would not bind as a parameter is refused when the query is compiled', async (t) => {
      const store = await freshPlatformStore(backend, t);
      const { sql } = await import('kysely');
      const q = new Precompiled(([name]: [string]) => store.db.selectFrom('orgs').select('name').where('name', '=', sql.lit(name)));
      assert.throws(() => q.with(['alpha']), /not a parameter/);
    });
  });
}
