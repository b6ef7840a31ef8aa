import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scoutAsync, startTestServer } from '../helpers/platform-server.js';
import { DEMO_IMAGE } from '../helpers/sbom-of.js';
import { tempDir } from '../helpers/tmp.js';

test('scout server: bootstrap admin token printed once and kept 0600; token create/list/revoke work on the store', async (t) => {
  const dataDir = tempDir();
  const first = await startTestServer(t, dataDir);
  const file = join(dataDir, 'admin-token');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const token = readFileSync(file, 'utf8').trim();
  assert.ok(first.printed.some((l) => l.includes(token)), 'printed once');
  await first.close();
  const second = await startTestServer(t, dataDir);
  assert.ok(!second.printed.some((l) => l.includes('scout_')), 'not printed on the next start');
  await second.close();

  // A cache directory of its own: the default data directory (beside it) must stay untouched.
  const home = tempDir();
  const env = { SCOUT_CACHE_DIR: join(home, 'cache') };
  const created = await scoutAsync(['server', 'token', 'create', '--org', 'acme', '--scope', 'write', '--data-dir', dataDir], env);
  assert.equal(created.code, 0, created.stderr);
  const acmeToken = created.stdout.trim();
  assert.match(acmeToken, /^scout_[A-Za-z0-9_-]{43}$/);
  const list = await scoutAsync(['server', 'token', 'list', '--data-dir', dataDir], env);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(!list.stdout.includes(acmeToken.slice(6)), 'tokens are never listed');
  const acmeLine = list.stdout.split('\n').find((l) => / acme /.test(l) && / write /.test(l));
  assert.ok(acmeLine, list.stdout);
  const id = acmeLine.split(/\s+/)[0];
  const revoked = await scoutAsync(['server', 'token', 'revoke', id, '--data-dir', dataDir], env);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match((await scoutAsync(['server', 'token', 'list', '--data-dir', dataDir, '--org', 'acme'], env)).stdout, new RegExp(`${id} .* write +\\S+ +- +20\\d\\d-`));
  assert.deepEqual(readdirSync(home), ['cache'].filter((x) => existsSync(join(home, x))), 'nothing written beside the cache');
  const bad = await scoutAsync(['server', 'token', 'create', '--org', 'acme', '--scope', 'root', '--data-dir', dataDir], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--scope must be read, write or admin/);
});

test('login, push, and reading the stored image back through the CLI', async (t) => {
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const config = tempDir();
  const env = { SCOUT_CONFIG_DIR: config, SCOUT_CACHE_DIR: tempDir() };

  const wrong = await scoutAsync(['login', server.url, '--token-stdin'], env, 'scout_not-a-real-token\n');
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /refused the token/);
  assert.equal(existsSync(join(config, 'login.json')), false);
  const login = await scoutAsync(['login', server.url, '--token-stdin'], env, token + '\n');
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /organisation default \(admin scope\)/);
  assert.equal(statSync(join(config, 'login.json')).mode & 0o777, 0o600);

  const push = await scoutAsync(['push', DEMO_IMAGE, '--repository', 'demo/api', '--tag', '1.0', 'latest'], env);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /^Pushed/);
  assert.match(push.stdout, /repository\s+demo\/api\s+tags: 1\.0, latest/);
  const again = await scoutAsync(['push', DEMO_IMAGE, '--repository', 'demo/api', '--format', 'json'], env);
  assert.equal(again.code, 0, again.stderr);
  const result = JSON.parse(again.stdout) as { created: boolean; image: { digest: string; vulnerabilities: Record<string, number> } };
  assert.equal(result.created, false);

  const repos = await scoutAsync(['repo', 'list'], env);
  assert.match(repos.stdout, /demo\/api\s+1\s+1\.0,latest/);
  const images = await scoutAsync(['image', 'list', '--repo', 'demo/api', '--format', 'json'], env);
  assert.deepEqual((JSON.parse(images.stdout) as { digest: string }[]).map((i) => i.digest), [result.image.digest]);
  const get = await scoutAsync(['image', 'get', 'demo/api:1.0', '--server', '--format', 'json'], env);
  assert.equal(get.code, 0, get.stderr);
  const detail = JSON.parse(get.stdout) as { image: { digest: string }; layers: unknown[]; packages: { name: string; purl: string }[]; findings: { vulnerabilityId: string; packageName: string; purl: string }[] };
  assert.equal(detail.image.digest, result.image.digest);
  assert.equal(detail.layers.length, 3);
  assert.ok(detail.packages.some((p) => p.name === 'lodash'));
  const lodash = detail.findings.find((f) => f.packageName === 'lodash');
  assert.ok(lodash);
  const text = await scoutAsync(['image', 'get', result.image.digest, '--server'], env);
  assert.match(text.stdout, /Vulnerabilities \(\d+\)/);
  assert.match(text.stdout, new RegExp(lodash.vulnerabilityId));

  const vuln = await scoutAsync(['vuln', lodash.vulnerabilityId], env);
  assert.equal(vuln.code, 0, vuln.stderr);
  assert.match(vuln.stdout, /demo\/api\s+1\.0,latest/);
  assert.ok(vuln.stdout.includes(lodash.purl));
  const pkg = await scoutAsync(['package', 'pkg:npm/lodash', '--format', 'json'], env);
  assert.deepEqual((JSON.parse(pkg.stdout) as { purl: string }[]).map((u) => u.purl), [lodash.purl]);
  const none = await scoutAsync(['vuln', 'CVE-1999-0001'], env);
  assert.match(none.stdout, /in none of your stored images/);

  const out = await scoutAsync(['logout'], env);
  assert.equal(out.code, 0);
  assert.equal(existsSync(join(config, 'login.json')), false);
  const after = await scoutAsync(['repo', 'list'], env);
  assert.equal(after.code, 1);
  assert.match(after.stderr, /no server: run scout login/);
  // SCOUT_SERVER and SCOUT_TOKEN work without a login.
  const viaEnv = await scoutAsync(['repo', 'list'], { ...env, SCOUT_SERVER: server.url, SCOUT_TOKEN: token });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assert.match(viaEnv.stdout, /demo\/api/);
});
