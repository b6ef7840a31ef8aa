/**
 * The CLI reads every page of the lists the server pages, against a real `scout server`
 * holding more rows than one page of 500 (what fetchAll asks for): `scout webhook list`,
 * `scout environment`, `scout image get --server` (its layers) and `scout server token list`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { OrgActivity } from '../../src/store/kysely/activity-store.js';
import { createTokenRow } from '../../src/store/kysely/tokens.js';
import { scoutAsync, startTestServer } from '../helpers/platform-server.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { tempDir } from '../helpers/tmp.js';

/** One more than a page of 500, and a few. */
const MANY = 505;
const n3 = (i: number) => String(i).padStart(3, '0');

test('scout webhook list, environment, image get --server and server token list show every row of lists longer than a page', async (t) => {
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const env = { SCOUT_CONFIG_DIR: tempDir(), SCOUT_CACHE_DIR: tempDir(), SCOUT_SERVER: server.url, SCOUT_TOKEN: token };
  const org = (await server.platform.orgByName('default'))!;
  const db = server.platform.db;
  // Stored directly (the server's own store): what the CLI reads back is the point here.
  const activity = new OrgActivity(db, org);
  for (let i = 0; i < MANY; i++) await activity.addWebhook({ url: `https://hooks.example.com/${n3(i)}`, format: 'slack' });
  const at = new Date().toISOString();
  const workloads = Array.from({ length: MANY }, (_, i) => ({ id: randomUUID(), org_id: org.id, environment: `env-${n3(i)}`, source: 'manual', cluster: '', namespace: '', name: 'app', type: 'Image', image_ref: 'app:1', image_digest: null, started_at: at, ended_at: null }));
  for (let i = 0; i < workloads.length; i += 100) await db.insertInto('workloads').values(workloads.slice(i, i + 100)).execute();
  await db.insertInto('tokens').values(Array.from({ length: MANY }, (_, i) => createTokenRow(org.id, `t${n3(i)}`, 'read').row)).execute();
  const tall = uploadOf({ layers: Array.from({ length: MANY }, (_, i) => `layer-${i}`), repository: 'shop/tall', tags: ['1'] });
  await server.platform.forOrg(org).putImage(tall);

  const hooks = await scoutAsync(['webhook', 'list', '--format', 'json'], env);
  assert.equal(hooks.code, 0, hooks.stderr);
  assert.deepEqual((JSON.parse(hooks.stdout) as { url: string }[]).map((h) => h.url).sort(), Array.from({ length: MANY }, (_, i) => `https://hooks.example.com/${n3(i)}`));
  const hooksText = await scoutAsync(['webhook', 'list'], env);
  assert.equal(hooksText.stdout.split('\n').filter((l) => l.includes('https://hooks.example.com/')).length, MANY, 'a line per webhook');

  const envs = await scoutAsync(['environment', '--format', 'json'], env);
  assert.equal(envs.code, 0, envs.stderr);
  assert.deepEqual((JSON.parse(envs.stdout) as { name: string }[]).map((e) => e.name), workloads.map((w) => w.environment), 'every environment, by name');
  const envText = await scoutAsync(['environment'], env);
  assert.match(envText.stdout, /\nenv-504 +1 +1 /);

  const image = await scoutAsync(['image', 'get', 'shop/tall:1', '--server', '--format', 'json'], env);
  assert.equal(image.code, 0, image.stderr);
  const layers = (JSON.parse(image.stdout) as { layers: { position: number; diffId: string }[] }).layers;
  assert.deepEqual(layers.map((l) => l.diffId), tall.metadata.layers.map((l) => l.diffId), 'every layer, bottom first');

  const tokens = await scoutAsync(['server', 'token', 'list', '--data-dir', server.dataDir, '--org', 'default'], { SCOUT_CACHE_DIR: env.SCOUT_CACHE_DIR });
  assert.equal(tokens.code, 0, tokens.stderr);
  const lines = tokens.stdout.split('\n').filter((l) => /^tok_/.test(l));
  assert.equal(lines.length, MANY + 1, 'the bootstrap token and every other');
  assert.deepEqual(lines.filter((l) => / t\d{3} /.test(l)).map((l) => / (t\d{3}) /.exec(l)![1]).sort(), Array.from({ length: MANY }, (_, i) => `t${n3(i)}`));
});
