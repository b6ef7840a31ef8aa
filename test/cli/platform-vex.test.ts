/**
 * `scout push --vex-location` against a real `scout server` (SQLite): the OpenVEX files are read
 * and checked in the CLI as the server checks them (a bad document or a mistyped path stops the
 * push, naming it, before anything is sent), sent with the image and stored for it, and the
 * findings they name show the VEX status on the server, whether the digest was stored before
 * or is new. --server-side, which sends no document, refuses the option.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StoredFinding } from '../../src/store/platform-store.js';
import type { VexDocumentSummary } from '../../src/store/kysely/vex-store.js';
import { scoutAsync, startTestServer } from '../helpers/platform-server.js';
import { DEMO_IMAGE } from '../helpers/sbom-of.js';
import { tempDir } from '../helpers/tmp.js';

test('scout push --vex-location: checked in the CLI, stored with the image, and the findings it names are not_affected on the server', async (t) => {
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const env = { SCOUT_CONFIG_DIR: tempDir(), SCOUT_CACHE_DIR: tempDir(), SCOUT_SERVER: server.url, SCOUT_TOKEN: token };
  const api = async <T>(path: string, method = 'GET'): Promise<{ status: number; body: T }> => {
    const r = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, body: (r.status === 204 ? undefined : await r.json()) as T };
  };

  const plain = await scoutAsync(['push', DEMO_IMAGE, '--repository', 'demo/api', '--tag', '1.0', '--format', 'json'], env);
  assert.equal(plain.code, 0, plain.stderr);
  const digest = (JSON.parse(plain.stdout) as { image: { digest: string } }).image.digest;
  const findings = async (query = '') => (await api<{ items: StoredFinding[] }>(`/v1/images/${digest}/findings?limit=500${query}`)).body.items;
  const lodash = (await findings()).filter((f) => f.packageName === 'lodash');
  assert.ok(lodash.length > 0, 'the demo image has lodash findings');
  assert.ok(lodash.every((f) => f.vex === undefined));
  const others = (await findings()).length - lodash.length;

  const dir = tempDir();
  const statement = (status: string) => ({ vulnerability: { name: lodash[0]!.vulnerabilityId }, products: [{ '@id': 'pkg:npm/lodash' }], status, justification: 'vulnerable_code_not_in_execute_path' });
  const doc = (status: string) => JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://example.com/vex/lodash', author: 'Demo team', timestamp: '2026-04-01T00:00:00Z', statements: [statement(status)] });
  const good = join(dir, 'lodash.vex.json');
  writeFileSync(good, doc('not_affected'));
  const bad = join(dir, 'bad.vex.json');
  writeFileSync(bad, doc('maybe'));

  // Refused in the CLI, naming what was wrong; nothing reaches the server.
  const refused = await scoutAsync(['push', DEMO_IMAGE, '--repository', 'demo/api', '--vex-location', bad], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /bad\.vex\.json: .*unknown status "maybe"/);
  const missing = await scoutAsync(['push', DEMO_IMAGE, '--vex-location', join(dir, 'nope.json')], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /--vex-location .*nope\.json: no such file or directory/);
  const serverSide = await scoutAsync(['push', 'registry.invalid/app:1', '--server-side', '--vex-location', good], env);
  assert.equal(serverSide.code, 1);
  assert.match(serverSide.stderr, /--server-side sends no VEX document/);
  assert.deepEqual((await api<{ items: VexDocumentSummary[] }>('/v1/vex')).body.items, []);

  // A stored digest: the document is stored with it and decides its lodash findings.
  const pushed = await scoutAsync(['push', DEMO_IMAGE, '--repository', 'demo/api', '--vex-location', good], env);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.match(pushed.stdout, /vex +1 document stored with the image \(lodash\.vex\.json\)/);
  const decided = (await findings('&vex=not_affected')).filter((f) => f.purl === lodash[0]!.purl && f.ids.includes(lodash[0]!.vulnerabilityId));
  assert.equal(decided.length, 1);
  assert.equal(decided[0]!.vex?.justification, 'vulnerable_code_not_in_execute_path');
  assert.deepEqual(decided[0]!.vex?.document.source, 'push');
  assert.equal(decided[0]!.vex?.document.file, 'lodash.vex.json');
  assert.equal((await findings('&vex=none')).length, others + lodash.length - 1);
  const docs = (await api<{ items: VexDocumentSummary[] }>('/v1/vex')).body.items;
  assert.equal(docs.length, 1);
  assert.deepEqual([docs[0]!.source, docs[0]!.image?.digest, docs[0]!.file, docs[0]!.findings], ['push', digest, 'lodash.vex.json', 1]);

  // A new image (deleted, pushed again with the directory): decided as it is stored.
  assert.equal((await api(`/v1/images/${digest}`, 'DELETE')).status, 204);
  assert.deepEqual((await api<{ items: VexDocumentSummary[] }>('/v1/vex')).body.items, [], "a push's documents go with its image");
  const onlyGood = tempDir();
  writeFileSync(join(onlyGood, 'lodash.json'), doc('not_affected'));
  const fresh = await scoutAsync(['push', DEMO_IMAGE, '--repository', 'demo/api', '--vex-location', onlyGood], env);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.match(fresh.stdout, /^Pushed/);
  assert.equal((await findings('&vex=not_affected')).length, 1);
});
