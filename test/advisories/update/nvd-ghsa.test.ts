// `scout db update` from NVD (CVE API 2.0) and from GitHub's advisory-database, against local
// servers that answer as the real ones do, with real records (test/fixtures/nvd, ghsa and the
// GHSA records of examples/advisories; see test/fixtures/NOTICE.md); and what NVD's records add
// to the findings of other sources in the standard outputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { nvdRecord } from '../../../src/advisories/import/nvd.js';
import { resolveSources } from '../../../src/advisories/update/sources.js';
import { updateDatabase } from '../../../src/advisories/update/update.js';
import { SqliteAdvisoryStore } from '../../../src/store/sqlite/sqlite-store.js';
import { scoutAsync } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { cycloneDxValidator, sarifValidator } from '../../sbom/formats/schema-validators.js';
import { makeZip } from '../../helpers/zip-writer.js';
import { BUNDLE, DEMO } from '../../report/helpers.js';
import { FeedServer } from './feed-server.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
const NVD_IDS = ['CVE-2023-4900', 'CVE-2023-4911', 'CVE-2023-4914'];
const nvdCve = (id: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, 'nvd', `${id}.json`), 'utf8')) as Record<string, unknown>;

/**
 * The NVD CVE API 2.0 on 127.0.0.1: /rest/json/cves/2.0 with startIndex, resultsPerPage and the
 * lastMod window, answering at most `pageSize` records a page, as NVD may.
 */
async function nvdApi(cves: Record<string, unknown>[], pageSize = 2): Promise<{ origin: string; requests: { query: URLSearchParams; headers: IncomingHttpHeaders }[]; close: () => void }> {
  const requests: { query: URLSearchParams; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push({ query: u.searchParams, headers: req.headers });
    if (u.pathname !== '/rest/json/cves/2.0') return void res.writeHead(404).end();
    const from = u.searchParams.get('lastModStartDate');
    const to = u.searchParams.get('lastModEndDate');
    const inWindow = cves.filter((c) => !from || !to || (Date.parse(`${c.lastModified as string}Z`) >= Date.parse(from) && Date.parse(`${c.lastModified as string}Z`) <= Date.parse(to)));
    const start = Number(u.searchParams.get('startIndex') ?? 0);
    const asked = Number(u.searchParams.get('resultsPerPage') ?? 2000);
    const page = inWindow.slice(start, start + Math.min(asked, pageSize));
    const body = JSON.stringify({ resultsPerPage: page.length, startIndex: start, totalResults: inWindow.length, format: 'NVD_CVE', version: '2.0', timestamp: new Date().toISOString().slice(0, 23), vulnerabilities: page.map((cve) => ({ cve })) });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => server.close() };
}

test('an NVD record: the Primary CVSS vector per version, CWE ids (NVD\'s first), references once each, typed by their tags', () => {
  const r = nvdRecord(nvdCve('CVE-2023-4914'))!;
  assert.equal(r.id, 'CVE-2023-4914');
  assert.equal(r.modified, '2026-06-17T06:38:53.360Z');
  // 3.1 (NVD's, Primary) wins over the 3.0 one of the CNA: both are CVSS_V3.
  assert.deepEqual(r.severity, [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }]);
  assert.deepEqual(r.database_specific, { severity: 'HIGH', cwe_ids: ['CWE-22', 'CWE-23'], nvd_status: 'Modified' });
  assert.deepEqual(r.references, [
    { type: 'FIX', url: 'https://github.com/cecilapp/cecil/commit/00dc79f10ce723034b7140d79f4ac731d1d902eb' },
    { type: 'EVIDENCE', url: 'https://huntr.dev/bounties/cdd995b2-c983-428b-a73a-827b61b7c06b' },
  ]);
  assert.equal(r.details, 'Relative Path Traversal in GitHub repository cecilapp/cecil prior to 7.47.1.');
  assert.deepEqual(r.affected, []);
  // Not yet analysed: no metric, no CWE; still a record (its references and description).
  const bare = nvdRecord(nvdCve('CVE-2023-4900'))!;
  assert.deepEqual(bare.severity, []);
  assert.deepEqual(bare.database_specific, { nvd_status: 'Received' });
  // Only a CNA's (Secondary) metric: that one is used.
  assert.deepEqual(nvdRecord(nvdCve('CVE-2023-4911'))!.severity, [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }]);
});

test('db update from the NVD API through a mirror: every page read, then only the window since the last read, with the API key', async (t) => {
  const api = await nvdApi(NVD_IDS.map(nvdCve));
  const dir = tempDir();
  const store = new SqliteAdvisoryStore(join(dir, 'advisories.db'));
  const saved = { key: process.env.NVD_API_KEY, pace: process.env.SCOUT_NVD_REQUEST_DELAY_MS };
  t.after(async () => {
    api.close();
    await store.close();
    process.env.NVD_API_KEY = saved.key;
    process.env.SCOUT_NVD_REQUEST_DELAY_MS = saved.pace;
    if (saved.key === undefined) delete process.env.NVD_API_KEY;
    if (saved.pace === undefined) delete process.env.SCOUT_NVD_REQUEST_DELAY_MS;
  });
  process.env.NVD_API_KEY = 'test-key-123';
  process.env.SCOUT_NVD_REQUEST_DELAY_MS = '0';
  const sources = resolveSources({ env: { SCOUT_ADVISORY_MIRROR: api.origin, SCOUT_CONFIG_DIR: join(dir, 'none') } }).filter((s) => s.name === 'nvd');
  assert.equal(sources[0].url, `${api.origin}/rest/json/cves/2.0`);
  assert.equal(sources[0].enabled, false, 'off by default: a first read without a key takes about 15 minutes');
  const opts = { workDir: join(dir, 'work'), fetch: { retries: 0 }, only: ['nvd'] };

  const first = await updateDatabase(store, sources, opts);
  assert.equal(first.ok, true, JSON.stringify(first));
  assert.equal(first.sources[0].mode, 'replace');
  assert.equal(first.sources[0].counts?.inserted, 3);
  // Three records at two a page: two requests, the second from index 2.
  assert.deepEqual(api.requests.map((r) => r.query.get('startIndex')), ['0', '2']);
  assert.ok(api.requests.every((r) => r.headers.apikey === 'test-key-123' && !r.query.has('lastModStartDate')));
  const stored = await store.byAlias('CVE-2023-4914');
  assert.equal(stored.length, 1);
  assert.equal(stored[0].source, 'nvd');
  assert.deepEqual(stored[0].database_specific?.cwe_ids, ['CWE-22', 'CWE-23']);

  // Next time: the changes since the first read (none of these three changed since).
  api.requests.length = 0;
  const second = await updateDatabase(store, sources, opts);
  assert.equal(second.ok, true, JSON.stringify(second));
  assert.equal(second.sources[0].mode, 'merge');
  assert.equal(api.requests.length, 1);
  const q = api.requests[0].query;
  assert.ok(Date.parse(q.get('lastModStartDate')!) <= Date.parse(q.get('lastModEndDate')!));
  assert.match(q.get('lastModStartDate')!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
  assert.equal((await store.byAlias('CVE-2023-4914')).length, 1, 'the data stays');
});

/** A static feed server as the mirror, an empty store, and the named default source pointed at the mirror. */
async function mirrored(t: { after: (fn: () => Promise<void>) => void }, name: string) {
  const feed = await new FeedServer().start();
  const dir = tempDir();
  const store = new SqliteAdvisoryStore(join(dir, 'advisories.db'));
  t.after(async () => {
    await feed.stop();
    await store.close();
  });
  const sources = resolveSources({ env: { SCOUT_ADVISORY_MIRROR: feed.origin, SCOUT_CONFIG_DIR: join(dir, 'none') } }).filter((s) => s.name === name);
  return { feed, store, sources, opts: { workDir: join(dir, 'work'), fetch: { retries: 0 }, only: [name] } };
}

test('db update from NVD refuses an answer that is not the API\'s and imports nothing', async (t) => {
  const { feed, store, sources, opts } = await mirrored(t, 'nvd');
  // A captive portal or a misconfigured mirror: HTML where JSON should be.
  feed.files.set('/rest/json/cves/2.0', { body: Buffer.from('<html>please log in</html>') });
  const r = await updateDatabase(store, sources, opts);
  assert.equal(r.ok, false);
  assert.match(r.sources[0].reason ?? '', /not valid JSON/);
  assert.ok(!(await store.status()).sources.some((s) => s.name === 'nvd'));
});

/** Real GHSA records (examples/advisories, from GitHub's database), by id. */
function ghsaRecords(): Map<string, string> {
  const lines = gunzipSync(readFileSync(join(BUNDLE, 'ghsa-npm-demo.osv.jsonl.gz'))).toString('utf8').split('\n').filter((l) => l.trim());
  return new Map(lines.map((l) => [(JSON.parse(l) as { id: string }).id, l]));
}

/** The path advisory-database gives a record: advisories/github-reviewed/YYYY/MM/ID/ID.json. */
function repoPath(text: string, reviewed = true): string {
  const r = JSON.parse(text) as { id: string; published: string };
  return `advisory-database-main/advisories/${reviewed ? 'github-reviewed' : 'unreviewed'}/${r.published.slice(0, 4)}/${r.published.slice(5, 7)}/${r.id}/${r.id}.json`;
}

test('db update from a zip of GitHub\'s advisory-database: the reviewed advisories only, through a mirror, 304 when unchanged', async (t) => {
  const { feed, store, sources, opts } = await mirrored(t, 'ghsa');
  const records = ghsaRecords();
  const unreviewed = readFileSync(join(FIXTURES, 'ghsa', 'GHSA-2222-hcqf-c429.json'), 'utf8');
  const zip = makeZip([
    { name: 'advisory-database-main/README.md', data: '# GitHub Advisory Database\n' },
    { name: 'advisory-database-main/.github/dependabot.json', data: '{}' },
    ...[...records.values()].map((text) => ({ name: repoPath(text), data: text })),
    { name: repoPath(unreviewed, false), data: unreviewed },
  ]);
  feed.files.set('/github/advisory-database/archive/refs/heads/main.zip', { body: zip, etag: '"adb-1"' });
  assert.equal(sources[0].enabled, false, 'off by default: osv.dev\'s ecosystems carry the same records');

  const first = await updateDatabase(store, sources, opts);
  assert.equal(first.ok, true, JSON.stringify(first));
  assert.equal(first.sources[0].counts?.inserted, records.size);
  for (const id of records.keys()) assert.equal((await store.byAlias(id)).filter((a) => a.source === 'ghsa').length, 1, id);
  assert.equal((await store.byAlias('GHSA-2222-hcqf-c429')).length, 0, 'unreviewed advisories are not imported');
  // lodash's prototype pollution keeps GitHub's CVSS vector, CVE alias and summary.
  const lodash = (await store.byAlias('CVE-2020-8203')).find((a) => a.source === 'ghsa')!;
  const raw = JSON.parse(records.get('GHSA-p6mc-m468-83gw')!) as { summary: string; severity: unknown };
  assert.equal(lodash.id, 'GHSA-p6mc-m468-83gw');
  assert.deepEqual(lodash.severity, raw.severity);
  assert.equal(lodash.summary, raw.summary);

  feed.takePaths();
  const second = await updateDatabase(store, sources, opts);
  assert.equal(second.sources[0].status, 'unchanged');
  assert.equal(feed.seen.at(-1)?.status, 304);
});

test('scout db update --only nvd rates a finding no other source rates (DSA-5514-1 for glibc: unknown, then NVD\'s 7.8 high)', async (t) => {
  const api = await nvdApi(NVD_IDS.map(nvdCve), 2000);
  t.after(() => api.close());
  const cache = tempDir();
  const config = tempDir();
  // Only Debian's DSA (which carries no rating), as found in examples/advisories.
  const dsa = gunzipSync(readFileSync(join(BUNDLE, 'debian-selected.osv.jsonl.gz'))).toString('utf8').split('\n').find((l) => l.includes('"DSA-5514-1"'))!;
  const file = join(tempDir(), 'dsa.osv.jsonl');
  (await import('node:fs')).writeFileSync(file, dsa + '\n');
  const env = { SCOUT_CACHE_DIR: cache, SCOUT_CONFIG_DIR: config, SCOUT_ADVISORY_MIRROR: api.origin, SCOUT_NVD_REQUEST_DELAY_MS: '0' };
  assert.equal((await scoutAsync(['db', 'import', file], env)).code, 0);
  const glibc = async () => {
    const r = await scoutAsync(['cves', DEMO, '--format', 'json', '--only-cve-id', 'CVE-2023-4911'], env);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { findings: { package: { name: string }; severity: { level: string; source: string; score?: number } }[] }).findings.find((f) => f.package.name === 'libc6')!;
  };
  assert.equal((await glibc()).severity.level, 'unknown');
  const up = await scoutAsync(['db', 'update', '--only', 'nvd'], env);
  assert.equal(up.code, 0, up.stderr + up.stdout);
  assert.match(up.stdout, /nvd/);
  const after = await glibc();
  assert.equal(after.severity.level, 'high');
  assert.equal(after.severity.source, 'nvd');
  assert.equal(after.severity.score, 7.8);
});

test('after db update --only nvd, NVD\'s CWEs and references reach a Debian finding: CycloneDX cwes and advisories (schema-valid), SARIF CWE tags, GitLab CWE identifiers', async (t) => {
  const api = await nvdApi([nvdCve('CVE-2023-38545')], 2000);
  t.after(() => api.close());
  const env = { SCOUT_CACHE_DIR: tempDir(), SCOUT_CONFIG_DIR: tempDir(), SCOUT_ADVISORY_MIRROR: api.origin, SCOUT_NVD_REQUEST_DELAY_MS: '0' };
  // Debian's record of curl's SOCKS5 overflow, which names no CWE.
  const debian = gunzipSync(readFileSync(join(BUNDLE, 'debian-selected.osv.jsonl.gz'))).toString('utf8').split('\n').find((l) => l.includes('"DEBIAN-CVE-2023-38545"'))!;
  assert.ok(debian && !debian.includes('CWE-'), 'the Debian record has no CWE of its own');
  const file = join(tempDir(), 'debian.osv.jsonl');
  (await import('node:fs')).writeFileSync(file, debian + '\n');
  assert.equal((await scoutAsync(['db', 'import', file], env)).code, 0);
  type CdxVuln = { id: string; cwes?: number[]; advisories?: { url: string }[] };
  const cyclonedx = async () => {
    const r = await scoutAsync(['cves', DEMO, '--format', 'cyclonedx', '--only-cve-id', 'CVE-2023-38545'], env);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { vulnerabilities: CdxVuln[] };
    const validate = cycloneDxValidator();
    assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 5)));
    assert.equal(doc.vulnerabilities.length, 1);
    return doc.vulnerabilities[0];
  };
  const before = await cyclonedx();
  assert.equal(before.cwes, undefined);
  const debianUrls = (JSON.parse(debian) as { references?: { url: string }[] }).references?.map((r) => r.url) ?? [];
  assert.deepEqual(before.advisories?.map((a) => a.url) ?? [], debianUrls, 'the Debian record\'s own references, as advisories');

  const up = await scoutAsync(['db', 'update', '--only', 'nvd'], env);
  assert.equal(up.code, 0, up.stderr + up.stdout);
  const after = await cyclonedx();
  assert.deepEqual(after.cwes, [787]);
  const nvdUrls = ['https://curl.se/docs/CVE-2023-38545.html', 'https://lists.fedoraproject.org/archives/list/package-announce@lists.fedoraproject.org/message/OGMXNRNSJ4ETDK6FRNU3J7SABXPWCHSQ/', 'https://security.netapp.com/advisory/ntap-20231027-0009/', 'https://www.secpod.com/blog/high-severity-heap-buffer-overflow-vulnerability/'];
  assert.deepEqual(after.advisories?.map((a) => a.url), [...new Set([...debianUrls, ...nvdUrls])], 'Debian\'s references first, then NVD\'s');

  const sarif = await scoutAsync(['cves', DEMO, '--format', 'sarif', '--only-cve-id', 'CVE-2023-38545'], env);
  assert.equal(sarif.code, 0, sarif.stderr);
  const sarifDoc = JSON.parse(sarif.stdout) as { runs: { tool: { driver: { rules: { id: string; properties: { tags: string[] } }[] } } }[] };
  const validateSarif = sarifValidator();
  assert.ok(validateSarif(sarifDoc), JSON.stringify(validateSarif.errors?.slice(0, 5)));
  assert.ok(sarifDoc.runs[0].tool.driver.rules.find((r) => r.id === 'CVE-2023-38545')!.properties.tags.includes('external/cwe/cwe-787'));

  const gitlab = await scoutAsync(['cves', DEMO, '--format', 'gitlab', '--only-cve-id', 'CVE-2023-38545'], env);
  assert.equal(gitlab.code, 0, gitlab.stderr);
  const ids = (JSON.parse(gitlab.stdout) as { vulnerabilities: { identifiers: { type: string; value: string; url: string }[] }[] }).vulnerabilities[0].identifiers;
  assert.deepEqual(ids.filter((i) => i.type === 'cwe'), [{ type: 'cwe', name: 'CWE-787', value: '787', url: 'https://cwe.mitre.org/data/definitions/787.html' }]);
});
