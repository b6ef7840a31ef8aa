/**
 * `scout vex add|list|remove` against a real `scout server` (SQLite): `add` checks every
 * document in the CLI first (a bad one stops it, naming the file, before any is sent), stores
 * them, and the findings they name get the status on the server; the same document again
 * changes nothing; a read token cannot add; `list` reads every page (more documents than one
 * page of 500) and filters by vulnerability; `remove` deletes one, and the findings it decided
 * lose the status; a CycloneDX VEX document is added as an OpenVEX one is.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseVex } from '../../src/match/vex.js';
import type { StoredFinding } from '../../src/store/platform-store.js';
import type { VexDocumentSummary } from '../../src/store/kysely/vex-store.js';
import { scoutAsync, startTestServer } from '../helpers/platform-server.js';
import { uploadOf } from '../helpers/platform-upload.js';
import { tempDir } from '../helpers/tmp.js';

const PKG = 'pkg:npm/scout-test-pkg@1.0.0';
/** One more than a page of 500 (what the CLI asks for), and a few. */
const MANY = 505;

const openvex = (id: string, statements: unknown[]) => ({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': `https://example.com/vex/${id}`, author: 'Acme security', timestamp: '2026-01-01T00:00:00Z', version: 1, statements });

test('scout vex add, list and remove: checked in the CLI, stored for the organisation, every page listed, removed', async (t) => {
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const env = { SCOUT_CONFIG_DIR: tempDir(), SCOUT_CACHE_DIR: tempDir(), SCOUT_SERVER: server.url, SCOUT_TOKEN: token };
  const org = (await server.platform.orgByName('default'))!;
  const store = server.platform.forOrg(org);
  const { image } = await store.putImage(uploadOf({ layers: ['base', 'app'], purls: [PKG], findings: [[PKG, 'CVE-2099-0001'], [PKG, 'CVE-2099-0002']], repository: 'shop/app', tags: ['1.0'] }));
  const api = async <T>(path: string): Promise<T> => (await (await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } })).json()) as T;
  const statusOf = async (id: string) => (await api<{ items: StoredFinding[] }>(`/v1/images/${image.digest}/findings`)).items.find((f) => f.vulnerabilityId === id)?.vex?.status;

  const dir = tempDir();
  const good = join(dir, 'good.vex.json');
  writeFileSync(good, JSON.stringify(openvex('good', [{ vulnerability: { name: 'CVE-2099-0001' }, products: [{ '@id': 'pkg:npm/scout-test-pkg' }], status: 'not_affected', justification: 'vulnerable_code_not_present' }])));
  const bad = join(dir, 'bad.vex.json');
  writeFileSync(bad, JSON.stringify(openvex('bad', [{ vulnerability: { name: 'CVE-2099-0002' }, products: [{ '@id': PKG }], status: 'maybe' }])));

  // A bad document stops the command before the good one is sent.
  const refused = await scoutAsync(['vex', 'add', good, bad], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /bad\.vex\.json: .*unknown status "maybe"/);
  assert.deepEqual((await api<{ items: unknown[] }>('/v1/vex')).items, []);
  const missing = await scoutAsync(['vex', 'add', join(dir, 'nope.json')], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /scout vex add .*nope\.json: .*no such file or directory/);
  // Read scope cannot add.
  const reader = (await store.createToken('reader', 'read')).token;
  const forbidden = await scoutAsync(['vex', 'add', good], { ...env, SCOUT_TOKEN: reader });
  assert.equal(forbidden.code, 1);
  assert.match(forbidden.stderr, /needs a token with write scope/);
  assert.equal(await statusOf('CVE-2099-0001'), undefined);

  const added = await scoutAsync(['vex', 'add', good], env);
  assert.equal(added.code, 0, added.stderr);
  const m = /^added (\S+) \(good\.vex\.json\): 1 statement\(s\), deciding 1 finding\(s\); 1 image\(s\) changed VEX status$/m.exec(added.stdout);
  assert.ok(m, added.stdout);
  const id = m[1]!;
  assert.equal(await statusOf('CVE-2099-0001'), 'not_affected');
  assert.equal(await statusOf('CVE-2099-0002'), undefined);
  const again = await scoutAsync(['vex', 'add', good, '--format', 'json'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual((JSON.parse(again.stdout) as { id: string; created: boolean; file: string }[]).map((a) => [a.id, a.created, a.file]), [[id, false, 'good.vex.json']]);

  const listed = await scoutAsync(['vex', 'list'], env);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^ID +SOURCE +STATEMENTS +FINDINGS +CREATED +VULNERABILITIES +DOCUMENT$/m);
  assert.match(listed.stdout, new RegExp(`^${id} +api +1 +1 +\\S+ \\S+ +CVE-2099-0001 +https://example\\.com/vex/good$`, 'm'));
  assert.equal((await scoutAsync(['vex', 'list', '--vulnerability', 'cve-2099-0002'], env)).stdout.trim(), 'no VEX document names cve-2099-0002');
  assert.equal((JSON.parse((await scoutAsync(['vex', 'list', '--vulnerability', 'cve-2099-0001', '--format', 'json'], env)).stdout) as VexDocumentSummary[]).length, 1);

  const removed = await scoutAsync(['vex', 'rm', id], env);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal(removed.stdout.trim(), `removed VEX document ${id}`);
  assert.equal(await statusOf('CVE-2099-0001'), undefined);
  const gone = await scoutAsync(['vex', 'remove', id], env);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, new RegExp(`no VEX document ${id}`));

  // CycloneDX VEX too: its analysis by bom-ref decides the finding.
  const cdx = join(dir, 'vendor.cdx.json');
  writeFileSync(cdx, JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', serialNumber: 'urn:uuid:9a3c1f52-0d7e-4b8a-b1c4-6e2f7d8a9b01', version: 1, components: [{ type: 'library', name: 'scout-test-pkg', version: '1.0.0', purl: PKG, 'bom-ref': 'pkg-1' }], vulnerabilities: [{ id: 'CVE-2099-0002', analysis: { state: 'exploitable' }, affects: [{ ref: 'pkg-1' }] }] }));
  const cdxAdded = await scoutAsync(['vex', 'add', cdx], env);
  assert.equal(cdxAdded.code, 0, cdxAdded.stderr);
  assert.match(cdxAdded.stdout, /^added \S+ \(vendor\.cdx\.json\): 1 statement\(s\), deciding 1 finding\(s\)/);
  assert.equal(await statusOf('CVE-2099-0002'), 'affected');

  // More documents than one page: every one listed, newest first.
  const docs = Array.from({ length: MANY }, (_, i) => parseVex(openvex(`many-${i}`, [{ vulnerability: { name: `CVE-2099-${String(1000 + i)}` }, products: [{ '@id': PKG }], status: 'under_investigation' }]), `many-${i}.json`)!);
  const stored = await store.addVex(docs, { source: 'api' });
  const all = await scoutAsync(['vex', 'list', '--format', 'json'], env);
  assert.equal(all.code, 0, all.stderr);
  const items = JSON.parse(all.stdout) as VexDocumentSummary[];
  assert.equal(items.length, MANY + 1);
  assert.equal(new Set(items.map((d) => d.id).filter((i) => stored!.ids.includes(i))).size, MANY);
  const text = await scoutAsync(['vex', 'list'], env);
  assert.equal(text.stdout.split('\n').filter((l) => / api +1 +/.test(l)).length, MANY + 1, 'a line per document');
});
