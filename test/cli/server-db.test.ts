import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveServerLocation } from '../../src/server/location.js';
import { openAdvisoryStore } from '../../src/store/open-advisory-store.js';
import { scout } from '../helpers/cli.js';
import { pgSchema } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';
import { BUNDLE, bundleLines, kevCatalog } from '../report/helpers.js';

const KEV_FIXTURE = new URL('../fixtures/advisories-update/cisa-kev.json', import.meta.url).pathname;
const OSV_FILES = ['debian-selected.osv.jsonl.gz', 'ghsa-npm-demo.osv.jsonl.gz', 'pypa-demo.osv.jsonl.gz'];
const ADVISORIES = OSV_FILES.map((f) => bundleLines(f).length).reduce((a, b) => a + b, 0);

interface Status {
  path: string;
  advisories: number;
  kev: number;
  sources: { name: string; kind: string; count: number }[];
}

function status(args: string[], env: Record<string, string>): Status {
  const r = scout(['server', 'db', 'status', '--format', 'json', ...args], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Status;
}

test('server db import fills the SQLite file in the data directory, not the CLI cache; the server opens the same store', async (t) => {
  const dataDir = join(tempDir(), 'server data');
  const cache = tempDir();
  const env = { SCOUT_CACHE_DIR: cache, SCOUT_DATA_DIR: '', SCOUT_DATABASE_URL: '' };
  // Before anything is imported: empty, with the command that fills it, and no file made.
  const empty = scout(['server', 'db', 'status', '--data-dir', dataDir], env);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /empty/);
  assert.match(empty.stdout, /scout server db import/);
  assert.equal(existsSync(join(dataDir, 'scout.db')), false);

  const r = scout(['server', 'db', 'import', BUNDLE, '--data-dir', dataDir], env);
  assert.equal(r.code, 0, r.stderr);
  const s = status(['--data-dir', dataDir], env);
  assert.equal(s.path, join(dataDir, 'scout.db'));
  assert.equal(s.advisories, ADVISORIES);
  assert.equal(s.kev, kevCatalog().vulnerabilities.length);
  assert.ok(existsSync(join(dataDir, 'scout.db')));
  // The CLI's own database is untouched.
  assert.deepEqual(readdirSync(cache).filter((f) => f.startsWith('advisories.db')), []);
  assert.equal(status([], { ...env, SCOUT_DATA_DIR: dataDir }).advisories, ADVISORIES);

  // What `scout server` opens (resolveServerLocation → openAdvisoryStore) holds the records.
  const store = await openAdvisoryStore(resolveServerLocation({ dataDir }, {}).database);
  t.after(() => store.close());
  const npm = JSON.parse(bundleLines('ghsa-npm-demo.osv.jsonl.gz')[0]) as { id: string; affected: { package: { ecosystem: string; name: string } }[] };
  const pkg = npm.affected[0].package;
  assert.ok((await store.lookup(pkg.ecosystem, pkg.name)).some((a) => a.id === npm.id));
});

test('server db update fills the server\'s database from the update sources (here a mirror directory), not the CLI cache', () => {
  const dataDir = join(tempDir(), 'server data');
  const cache = tempDir();
  // An air-gapped mirror: the CISA KEV catalogue under its original path.
  const mirror = tempDir();
  const feeds = join(mirror, 'sites/default/files/feeds');
  mkdirSync(feeds, { recursive: true });
  copyFileSync(KEV_FIXTURE, join(feeds, 'known_exploited_vulnerabilities.json'));
  const env = { SCOUT_CACHE_DIR: cache, SCOUT_CONFIG_DIR: tempDir(), SCOUT_DATA_DIR: '', SCOUT_DATABASE_URL: '', SCOUT_ADVISORY_MIRROR: mirror };
  const r = scout(['server', 'db', 'update', '--only', 'cisa-kev', '--data-dir', dataDir], env);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /cisa-kev/);
  const s = status(['--data-dir', dataDir], env);
  assert.equal(s.path, join(dataDir, 'scout.db'));
  assert.equal(s.kev, (JSON.parse(readFileSync(KEV_FIXTURE, 'utf8')) as { vulnerabilities: unknown[] }).vulnerabilities.length);
  assert.deepEqual(readdirSync(cache).filter((f) => f.startsWith('advisories.db')), [], 'the CLI\'s own database is untouched');
});

test('server db import and status on PostgreSQL, by --database and by SCOUT_DATABASE_URL', async (t) => {
  const { url, schema } = await pgSchema(t);
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  const env = { SCOUT_CACHE_DIR: tempDir(), SCOUT_DATA_DIR: tempDir(), SCOUT_DATABASE_URL: '' };
  const r = scout(['server', 'db', 'import', join(BUNDLE, 'ghsa-npm-demo.osv.jsonl.gz'), join(BUNDLE, 'cisa-kev.json.gz'), '--database', u.toString()], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ghsa-npm-demo\s+osv-jsonl\s+imported/);
  const s = status([], { ...env, SCOUT_DATABASE_URL: u.toString() });
  assert.match(s.path, new RegExp(`schema ${schema}`));
  assert.equal(s.advisories, bundleLines('ghsa-npm-demo.osv.jsonl.gz').length);
  assert.equal(s.kev, kevCatalog().vulnerabilities.length);
  assert.deepEqual(s.sources.map((x) => x.kind).sort(), ['advisories', 'kev']);
  // Nothing went to the data directory's SQLite file.
  assert.equal(existsSync(join(env.SCOUT_DATA_DIR, 'scout.db')), false);
  // The same import again changes nothing: the records are in that schema.
  const again = scout(['server', 'db', 'import', join(BUNDLE, 'ghsa-npm-demo.osv.jsonl.gz'), '--database', u.toString()], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /ghsa-npm-demo\s+osv-jsonl\s+unchanged/);
});

test('server db refuses a --database that is not a postgres:// URL, naming it without a password', () => {
  const r = scout(['server', 'db', 'status', '--database', 'mysql://root:hunter2@db/scout'], { SCOUT_CACHE_DIR: tempDir(), SCOUT_DATA_DIR: tempDir() });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /postgres:\/\//);
  assert.doesNotMatch(r.stderr, /hunter2/);
});
