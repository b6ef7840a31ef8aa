import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { pgSchema } from '../../helpers/pg.js';

async function schemaExists(url: string, schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
    return r.rowCount === 1;
  } finally {
    await client.end();
  }
}

test('pgSchema makes a fresh schema per call and drop() removes it with its tables', async () => {
  const a = await pgSchema();
  const b = await pgSchema();
  assert.notEqual(a.schema, b.schema);
  assert.ok(await schemaExists(a.url, a.schema));
  const client = new pg.Client({ connectionString: a.url });
  await client.connect();
  await client.query(`CREATE TABLE "${a.schema}".t (x int)`);
  await client.end();
  await a.drop();
  await a.drop();
  assert.equal(await schemaExists(a.url, a.schema), false);
  assert.ok(await schemaExists(b.url, b.schema));
  await b.drop();
  assert.equal(await schemaExists(b.url, b.schema), false);
});
