/**
 * Supply chain from the CLI against a real `scout server` (SQLite): `scout push --secrets`
 * end to end (the layers searched in the CLI, the findings stored masked, the no-secrets policy
 * judging them, a digest pushed before without --secrets brought up to date), and the
 * organisation's policy configuration with `scout policies show|set|reset`, which
 * `scout policy IMAGE --server` then judges by.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ImageDetail, ImagePolicy, PolicyHistoryEntry, SecretScan } from '../../src/store/platform-store.js';
import type { PolicyReport } from '../../src/policy/evaluate.js';
import type { OrgPolicies } from '../../src/server/routes/v1/policies.js';
import { buildImage, writeOciLayout, type LayerSpec } from '../helpers/image-builder.js';
import { scoutAsync, startTestServer } from '../helpers/platform-server.js';
import { tempDir } from '../helpers/tmp.js';

const ALPINE_LAYER: LayerSpec = { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\n', 'etc/alpine-release': '3.20.0\n' };
// Made up here, split so that no scanner flags this file: a key of the shape GitHub issues.
const TOKEN = 'ghp_' + 'x7Kq2mV9pL4sR8tW1nB6cD3fG5hJ0kZ2aY4e';

async function loggedIn(t: { after: (fn: () => Promise<void>) => void }) {
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const env = { SCOUT_CONFIG_DIR: tempDir(), SCOUT_CACHE_DIR: tempDir(), SCOUT_SERVER: server.url, SCOUT_TOKEN: token };
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200, path);
    return (await r.json()) as T;
  };
  return { server, env, get };
}

/** A layout of an image whose second layer holds a token in a file the third layer deletes. */
async function leakyLayout(): Promise<{ dir: string; digest: string; layer: string }> {
  const im = await buildImage({ os: 'linux', architecture: 'amd64', user: 'app', layers: [ALPINE_LAYER, { 'app/.env': `GITHUB_TOKEN=${TOKEN}\n` }, { 'app/.wh..env': '' }] });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [im] }]);
  return { dir, digest: im.manifestDigest, layer: im.layers[1].digest };
}

test('scout push --secrets against a real server: found in the CLI, stored masked with the layer that deleted the file, judged by no-secrets; a digest pushed before without --secrets is brought up to date', async (t) => {
  const { server, env, get } = await loggedIn(t);
  const { dir, digest, layer } = await leakyLayout();

  const plain = await scoutAsync(['push', `oci-dir://${dir}`, '--repository', 'demo/leaky', '--tag', '1'], env);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /^Pushed: /);
  assert.doesNotMatch(plain.stdout, /secrets/);
  assert.deepEqual(await get(`/v1/images/${digest}/secrets`), { scanned: false });
  const unknown = await get<{ current: ImagePolicy }>(`/v1/images/${digest}/policy`);
  assert.equal(unknown.current.results.find((r) => r.id === 'no-secrets')?.status, 'unknown');

  const withSecrets = await scoutAsync(['push', `oci-dir://${dir}`, '--repository', 'demo/leaky', '--secrets'], env);
  assert.equal(withSecrets.code, 0, withSecrets.stderr);
  assert.match(withSecrets.stdout, /^Already stored \(marked seen; provenance and secret scan brought up to date\): /);
  assert.match(withSecrets.stdout, /secrets +1 found \(stored masked\)/);
  assert.ok(!withSecrets.stdout.includes(TOKEN.slice(4)), 'the token is not printed');

  const stored = await get<{ scanned: boolean; scan: SecretScan }>(`/v1/images/${digest}/secrets`);
  assert.equal(stored.scanned, true);
  assert.equal(stored.scan.findings.length, 1);
  const f = stored.scan.findings[0];
  assert.equal(f.rule, 'github-token');
  assert.equal(f.location, '/app/.env');
  assert.deepEqual(f.layer, { index: 1, digest: layer });
  assert.deepEqual(f.deletedIn, { index: 2 });
  assert.equal(f.line, 1);
  assert.match(f.masked, /^.{0,4}\*+$/);
  const policy = await get<{ current: ImagePolicy; history: PolicyHistoryEntry[] }>(`/v1/images/${digest}/policy`);
  const noSecrets = policy.current.results.find((r) => r.id === 'no-secrets')!;
  assert.equal(noSecrets.status, 'fail');
  assert.deepEqual(noSecrets.violations.map((v) => v.subject), ['/app/.env']);
  assert.deepEqual(policy.history.map((h) => h.trigger), ['push', 'push']);
  // The token is nowhere in the server's data directory, in any file.
  const files = readdirSync(server.dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  assert.ok(files.length > 0);
  for (const e of files) assert.ok(!readFileSync(join(e.parentPath, e.name)).includes(TOKEN.slice(4)), `${e.name} holds the token`);
});

test('scout policies show|set|reset against a real server, and scout policy --server judging by the organisation\'s configuration', async (t) => {
  const { server, env, get } = await loggedIn(t);
  const { dir, digest } = await leakyLayout();
  const push = await scoutAsync(['push', `oci-dir://${dir}`, '--repository', 'demo/leaky', '--format', 'json'], env);
  assert.equal(push.code, 0, push.stderr);
  assert.equal((JSON.parse(push.stdout) as { image: ImageDetail }).image.policy?.status, 'fail');

  const shown = await scoutAsync(['policies', 'show'], env);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^supply-chain-attestations +builtin +on +2 +provenance=true sbom=true$/m);
  assert.match(shown.stdout, /configuration: the built-in defaults/);

  const bad = join(tempDir(), 'bad.yaml');
  writeFileSync(bad, 'policies:\n  non-root-user: {}\n  supply-chain-attestation: false\n');
  const refused = await scoutAsync(['policies', 'set', bad], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`${bad.replace(/[.]/g, '\\.')}:3: unknown built-in policy "supply-chain-attestation" \\(did you mean supply-chain-attestations\\?\\)`));

  const file = join(tempDir(), 'policies.yaml');
  const config = 'policies:\n  supply-chain-attestations: false\n  no-secrets: { severities: [critical] }\ncustom:\n  - id: no-env-files\n    title: No .env files\n    expression: \'image.digest == "" ? [] : []\'\n';
  writeFileSync(file, config);
  const set = await scoutAsync(['policies', 'set', file], env);
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /^stored as generation 1$/m);
  assert.match(set.stdout, /^supply-chain-attestations +builtin +off /m);
  assert.match(set.stdout, /^no-env-files +custom +on +2 /m);
  assert.match(set.stdout, /every stored image is judged again \(job \S+\)/);
  const asFile = await scoutAsync(['policies', 'show', '--format', 'file'], env);
  assert.equal(asFile.stdout, config, 'the stored file as it was given');
  const json = JSON.parse((await scoutAsync(['policies', 'show', '--format', 'json'], env)).stdout) as OrgPolicies;
  assert.equal(json.config, config);

  // The server's job judged the stored image again by it.
  assert.ok(server.app.deps.jobs, 'the server runs its jobs');
  await server.app.deps.jobs.queue.idle(undefined, 30_000);
  const policy = await get<{ current: ImagePolicy; history: PolicyHistoryEntry[] }>(`/v1/images/${digest}/policy`);
  assert.deepEqual(policy.history.map((h) => h.trigger), ['policy-config', 'push']);
  assert.ok(!policy.current.results.some((r) => r.id === 'supply-chain-attestations'));

  // scout policy --server judges by that configuration; --policy-file still wins.
  const judged = await scoutAsync(['policy', `oci-dir://${dir}`, '--server', server.url, '--format', 'json'], env);
  assert.equal(judged.code, 0, judged.stderr);
  const ids = (JSON.parse(judged.stdout) as PolicyReport).results.map((r) => r.id);
  assert.ok(!ids.includes('supply-chain-attestations'));
  assert.ok(ids.includes('no-env-files'));
  const own = join(tempDir(), 'own.yaml');
  writeFileSync(own, 'policies:\n  non-root-user: false\n');
  const byFile = JSON.parse((await scoutAsync(['policy', `oci-dir://${dir}`, '--server', server.url, '--policy-file', own, '--format', 'json'], env)).stdout) as PolicyReport;
  assert.ok(byFile.results.some((r) => r.id === 'supply-chain-attestations'));
  assert.ok(!byFile.results.some((r) => r.id === 'non-root-user' || r.id === 'no-env-files'));

  const reset = await scoutAsync(['policies', 'reset'], env);
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /^reset to the built-in policies$/m);
  assert.match((await scoutAsync(['policies', 'show'], env)).stdout, /configuration: the built-in defaults/);
});
