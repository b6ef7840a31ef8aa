// Local analysis keeps its promise: `scout cves|quickview IMAGE --server URL` send only package
// URLs and layer digests, the server answers findings and the base image, and nothing of it is
// written or logged. Proven with a real server, a real HTTP listener in front of it capturing
// the exact bytes, every table's row count, and the server's log. Also the base image hierarchy:
// a distro base in the public catalogue (one digest, three tags), a runtime image of the
// organisation on it, an application on that, and an image whose base is not known.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { buildImage, writeOciLayout, type BuiltImage, type LayerSpec } from '../helpers/image-builder.js';
import { scoutAsync, startTestServer } from '../helpers/platform-server.js';
import { tempDir } from '../helpers/tmp.js';

const OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
const npm = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });

const DISTRO: LayerSpec = { 'etc/os-release': OS_RELEASE, 'usr/lib/os-release': OS_RELEASE };
const RUNTIME: LayerSpec = { 'usr/local/lib/node_modules/lodash/package.json': npm('lodash', '4.17.15') };
const APP: LayerSpec = { 'app/node_modules/minimist/package.json': npm('minimist', '1.2.5'), 'app/package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { minimist: '1.2.5' } }) };

async function layout(layers: LayerSpec[]): Promise<{ dir: string; image: BuiltImage }> {
  const image = await buildImage({ layers });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [image] }]);
  return { dir, image };
}

/** Every table of the server's SQLite file (platform, advisories, jobs, …) with its row count. */
function allRowCounts(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map((t) => [t.name, (db.prepare(`SELECT COUNT(*) AS n FROM "${t.name}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

/** A real HTTP listener in front of the server: forwards every request and keeps its bytes. */
async function capturingProxy(target: string, t: { after: (fn: () => Promise<void>) => void }) {
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: Buffer }[] = [];
  const upstream = new URL(target);
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers }, body });
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      out.end(body);
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => proxy.close(() => r())));
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, seen };
}

test('local analysis: only purls and layer digests are sent, nothing is stored or logged; base images over three levels', async (t) => {
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const env = { SCOUT_TOKEN: token, SCOUT_CACHE_DIR: tempDir(), SCOUT_CONFIG_DIR: tempDir() };
  const distro = await layout([DISTRO]);
  const runtime = await layout([DISTRO, RUNTIME]);
  const app = await layout([DISTRO, RUNTIME, APP]);
  const stranger = await layout([{ 'etc/os-release': OS_RELEASE.replace('12', '11') }, APP]);

  // The distro base goes to the public catalogue under one digest with three tags; the runtime
  // is the organisation's own image.
  const cat = await scoutAsync(['server', 'catalog', 'add', distro.dir, '--repository', 'debian', '--tag', '12', 'bookworm', 'latest', '--data-dir', server.dataDir], env);
  assert.equal(cat.code, 0, cat.stderr);
  const proxy = await capturingProxy(server.url, t);
  const pushed = await scoutAsync(['push', runtime.dir, '--server', proxy.url, '--repository', 'acme/node', '--tag', '20'], env);
  assert.equal(pushed.code, 0, pushed.stderr);
  // The push uploads the metadata and the SBOM compressed.
  const upload = proxy.seen.find((r) => r.method === 'POST' && r.url.startsWith('/v1/images'));
  assert.ok(upload, 'the push went through the proxy');
  assert.equal(upload.headers['content-encoding'], 'gzip');
  const uploaded = JSON.parse(gunzipSync(upload.body).toString('utf8')) as { image: { digest: string }; packages: unknown[] };
  assert.equal(uploaded.image.digest, runtime.image.manifestDigest);
  assert.ok(uploaded.packages.length > 0);
  proxy.seen.length = 0;
  assert.match(pushed.stdout, /base image\s+debian:12, :bookworm, :latest sha256:\w{12} \(1 of 2 layers, public catalogue\)/);
  // The stored image shows its base too, and marks the layers the base accounts for.
  const got = await scoutAsync(['image', 'get', 'acme/node:20', '--server', server.url], env);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /base image\s+debian:12, :bookworm, :latest sha256:\w{12} \(1 of 2 layers, public catalogue\)/);
  assert.deepEqual(got.stdout.split('\n').filter((l) => /^\d+\s+sha256:/.test(l)).map((l) => / base /.test(l)), [true, false], 'layer 0 is the base\'s, layer 1 the runtime\'s');

  const dbFile = join(server.dataDir, 'scout.db');
  const rowsBefore = allRowCounts(dbFile);
  const logBefore = server.log.length;

  const cves = await scoutAsync(['cves', app.dir, '--server', proxy.url, '--format', 'json'], env);
  assert.equal(cves.code, 0, cves.stderr);
  assert.match(cves.stderr, /base image: acme\/node:20 sha256:\w{12} \(2 of 3 layers\)/);
  const report = JSON.parse(cves.stdout) as { findings: { package: { name: string } }[] };
  const names = new Set(report.findings.map((f) => f.package.name));
  assert.ok(names.has('lodash') && names.has('minimist'), `both packages are vulnerable: ${[...names].join(', ')}`);

  // Exactly one request, to /v1/match, whose body holds exactly the two fields.
  assert.deepEqual(proxy.seen.map((r) => [r.method, r.url]), [['POST', '/v1/match']]);
  const raw = proxy.seen[0].headers['content-encoding'] === 'gzip' ? gunzipSync(proxy.seen[0].body) : proxy.seen[0].body;
  const sent = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(sent).sort(), ['layerDigests', 'purls']);
  assert.deepEqual(sent.layerDigests, app.image.layers.map((l) => l.diffId), 'the layer digests, bottom first');
  const sbom = await scoutAsync(['sbom', app.dir, '--format', 'json'], env);
  const purls = (JSON.parse(sbom.stdout) as { packages: { purl: string }[] }).packages.map((p) => p.purl);
  assert.deepEqual([...(sent.purls as string[])].sort(), [...new Set(purls)].sort(), 'the package URLs, nothing else about the packages');

  const qv = await scoutAsync(['quickview', app.dir, '--server', proxy.url, '--format', 'json'], env);
  assert.equal(qv.code, 0, qv.stderr);
  const q = JSON.parse(qv.stdout) as { vulnerabilities: { total: number }; base?: { digest: string; vulnerabilities: { total: number } } };
  assert.equal(q.base?.digest, runtime.image.manifestDigest);
  const lodashFindings = report.findings.filter((f) => f.package.name === 'lodash').length;
  assert.equal(q.base?.vulnerabilities.total, lodashFindings, 'the base row counts what the base layers brought');
  assert.equal(q.vulnerabilities.total, report.findings.length);

  const ignore = JSON.parse((await scoutAsync(['cves', app.dir, '--server', proxy.url, '--ignore-base', '--format', 'json'], env)).stdout) as typeof report;
  assert.deepEqual([...new Set(ignore.findings.map((f) => f.package.name))], ['minimist']);
  const only = JSON.parse((await scoutAsync(['cves', app.dir, '--server', proxy.url, '--only-base', '--format', 'json'], env)).stdout) as typeof report;
  assert.deepEqual([...new Set(only.findings.map((f) => f.package.name))], ['lodash']);

  const unknown = await scoutAsync(['quickview', stranger.dir, '--server', proxy.url], env);
  assert.equal(unknown.code, 0, unknown.stderr);
  assert.match(unknown.stdout, /Base image: no base image found among your images or the public catalogue/);

  // Nothing written, nothing of the bodies in the log.
  assert.deepEqual(allRowCounts(dbFile), rowsBefore, 'no row written by local analysis');
  const logAfter = server.log.slice(logBefore).join('');
  assert.ok(server.log.length > logBefore, 'the requests were logged (method and URL)');
  for (const secret of [...purls, ...app.image.layers.map((l) => l.diffId), 'minimist', 'lodash']) {
    assert.ok(!logAfter.includes(secret), `the log holds nothing of the body (${secret})`);
  }
  const badReq = await scoutAsync(['cves', app.dir, '--ignore-base'], env);
  assert.equal(badReq.code, 1);
  assert.match(badReq.stderr, /--ignore-base needs the base image, which a Scout server detects: give --server URL/);
});
