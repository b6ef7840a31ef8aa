/**
 * Secrets in a real image, through the CLI: a key in a file that a later layer deleted (still
 * shipped, and said so), one in the environment, a label and a history command; none from a
 * package's own test fixtures or documentation example keys; binaries and files over the cap
 * skipped and counted; the value masked in text, JSON and SARIF alike; --exit-code.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { buildImage, writeOciLayout } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';

const AWS_ID = 'AKIA' + Array.from(randomBytes(16), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
const GH = 'ghp_' + randomBytes(27).toString('base64').replace(/[+/=]/g, 'x').slice(0, 36);
const DB_PASSWORD = 'Zq' + randomBytes(9).toString('hex');
const NPM = 'npm_' + randomBytes(27).toString('base64').replace(/[+/=]/g, 'y').slice(0, 36);
const RAW = [AWS_ID, GH, DB_PASSWORD, NPM];

let dir: string;
const env = { SCOUT_CACHE_DIR: tempDir('scout-cache-'), SCOUT_SECRETS_MAX_FILE_BYTES: '4096' };

before(async () => {
  const image = await buildImage({
    layers: [
      {
        'etc/os-release': 'ID=debian\nVERSION_ID=12\n',
        'app/.env': `NODE_ENV=production\nAWS_ACCESS_KEY_ID=${AWS_ID}\n`,
        'app/server.js': `const token = process.env.TOKEN;\nconst gh = "${GH}";\n`,
        'app/node_modules/lib/test/fixtures/creds.txt': `GITHUB_TOKEN=${'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'}`,
        'usr/share/doc/awscli/README': `export AWS_ACCESS_KEY_ID=${AWS_ID}\n`,
        'app/config.example': 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\npassword=changeme\n',
        'usr/bin/tool': Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00'), Buffer.from(`AKIA${AWS_ID.slice(4)}`)]),
        'app/big.log': 'x'.repeat(5000) + `\n${GH}\n`,
      },
      { 'app/.env': { whiteout: true }, 'app/README.md': 'nothing here\n' },
    ],
    env: ['PATH=/usr/bin', `DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app`],
    labels: { 'org.example.npmrc': `//registry.npmjs.org/:_authToken=${NPM}` },
  });
  dir = tempDir();
  writeOciLayout(dir, [{ images: [image], refName: 'app' }]);
});

interface Finding {
  rule: string;
  source: string;
  location: string;
  line?: number;
  layer?: { index: number };
  deletedIn?: { index: number };
  masked: string;
}

test('scout secrets: deleted files, env and labels; no fixtures, examples or binaries; masked everywhere', () => {
  const r = scout(['secrets', `oci-dir://${dir}`, '--format', 'json'], env);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { findings: Finding[]; skipped: { binary: number; overCap: number; packageTest: number } };
  const got = report.findings.map((f) => [f.rule, f.source, f.location, f.line ?? null, f.layer?.index ?? null, f.deletedIn?.index ?? null]);
  assert.deepEqual(got, [
    ['aws-access-key-id', 'file', '/app/.env', 2, 0, 1],
    ['github-token', 'file', '/app/server.js', 2, 0, null],
    ['npm-token', 'label', 'org.example.npmrc', null, null, null],
    ['url-with-password', 'env', 'DATABASE_URL', null, null, null],
  ]);
  // Package documentation and a package's test fixtures are not read.
  assert.deepEqual(report.skipped, { binary: 1, overCap: 1, packageTest: 2 });

  const text = scout(['secrets', `oci-dir://${dir}`], env);
  assert.match(text.stdout, /\/app\/\.env:2 {2}layer 0 \(sha256:[0-9a-f]{12}\), deleted by layer 1 but still in the image/);
  assert.match(text.stdout, /4 secrets found; skipped: 1 binary, 1 over the size cap, 2 in package docs, tests and examples/);
  const sarif = scout(['secrets', `oci-dir://${dir}`, '--format', 'sarif'], env);
  const run = (JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[] }).runs[0];
  assert.deepEqual(run.results[0].locations[0].physicalLocation, { artifactLocation: { uri: 'app/.env' }, region: { startLine: 2 } });
  for (const out of [r.stdout, text.stdout, sarif.stdout]) for (const raw of RAW) assert.ok(!out.includes(raw), `a value appears in full: ${raw.slice(0, 6)}…`);

  assert.equal(scout(['secrets', `oci-dir://${dir}`, '--exit-code'], env).code, 2);
});

test('--secrets on sbom and cves: the same findings from the same layer pass, cached with the layers', () => {
  const first = scout(['sbom', `oci-dir://${dir}`, '--secrets', '--format', 'json', '--exit-code'], env);
  assert.equal(first.code, 2, first.stderr);
  assert.match(first.stderr, /aws-access-key-id/);
  assert.match(first.stderr, /4 secrets found/);
  // Neither the findings nor the SBOM's image metadata (env values, labels) hold a value in full.
  for (const raw of RAW) assert.ok(!first.stderr.includes(raw) && !first.stdout.includes(raw), `a value appears in full: ${raw.slice(0, 6)}…`);
  // Served from the catalog cache the second time: the secrets come with it.
  const again = scout(['sbom', `oci-dir://${dir}`, '--secrets', '--format', 'json'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /4 secrets found/);
  const plain = scout(['sbom', `oci-dir://${dir}`, '--format', 'json'], env);
  assert.doesNotMatch(plain.stderr, /secrets found/);
  const dbDir = tempDir();
  const db = { ...env, SCOUT_CACHE_DIR: join(dbDir, 'c') };
  const imp = scout(['db', 'import', join(import.meta.dirname, '..', '..', 'examples', 'advisories')], db);
  assert.equal(imp.code, 0, imp.stderr);
  const cves = scout(['cves', `oci-dir://${dir}`, '--secrets', '--exit-code'], db);
  assert.equal(cves.code, 2, cves.stderr);
  assert.match(cves.stderr, /4 secrets found/);
  const sbomFile = scout(['sbom', 'sbom://-', '--secrets'], env, '{}');
  assert.match(sbomFile.stderr, /--secrets needs an image/);
});

test('image metadata: secret env, label and history values are masked in image inspect and every SBOM format, and are findings of scout secrets; the rest kept', async () => {
  const image = await buildImage({
    layers: [{ 'etc/os-release': 'ID=debian\nVERSION_ID=12\n' }],
    env: ['PATH=/usr/local/bin:/usr/bin', `DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app`, `GITHUB_TOKEN=${GH}`, 'LANG=C.UTF-8'],
    labels: { 'org.example.npmrc': `//registry.npmjs.org/:_authToken=${NPM}`, 'org.opencontainers.image.source': 'https://github.com/example/app' },
    emptyHistoryBefore: { 0: `/bin/sh -c echo ${AWS_ID} > /root/.aws-id` },
  });
  const d = tempDir();
  writeOciLayout(d, [{ images: [image], refName: 'meta' }]);
  for (const args of [['image', 'inspect', `oci-dir://${d}`, '--format', 'json'], ['sbom', `oci-dir://${d}`, '--format', 'json']]) {
    const r = scout(args, env);
    assert.equal(r.code, 0, r.stderr);
    for (const raw of RAW) assert.ok(!r.stdout.includes(raw), `${args[0]}: a value appears in full: ${raw.slice(0, 6)}…`);
    const out = JSON.parse(r.stdout) as { env?: { name: string; value: string }[]; labels?: Record<string, string>; image?: { env: { name: string; value: string }[]; labels: Record<string, string>; history: { createdBy?: string }[] } };
    const meta = out.image ?? (out as unknown as { env: { name: string; value: string }[]; labels: Record<string, string>; history: { createdBy?: string }[] });
    const env_ = Object.fromEntries(meta.env.map((e) => [e.name, e.value]));
    assert.equal(env_.PATH, '/usr/local/bin:/usr/bin');
    assert.equal(env_.LANG, 'C.UTF-8');
    assert.match(env_.DATABASE_URL, /^postgres:\/\/app:[^*@]{0,4}\*{4,}@db:5432\/app$/);
    assert.match(env_.GITHUB_TOKEN, /^ghp_\*+$/);
    assert.match(meta.labels['org.example.npmrc'], /^\/\/registry\.npmjs\.org\/:_authToken=[^*]{0,4}\*+$/);
    assert.equal(meta.labels['org.opencontainers.image.source'], 'https://github.com/example/app');
    assert.match(meta.history[0].createdBy ?? '', /^\/bin\/sh -c echo AKIA\*+ > \/root\/\.aws-id$/);
  }
  // The SBOM formats other tools read carry the image metadata too: masked there as well.
  for (const format of ['cyclonedx', 'spdx']) {
    const r = scout(['sbom', `oci-dir://${d}`, '--format', format], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /org\.example\.npmrc/, `sbom --format ${format} carries the labels`);
    for (const raw of RAW) assert.ok(!r.stdout.includes(raw), `sbom --format ${format}: a value appears in full: ${raw.slice(0, 6)}…`);
  }
  // `scout secrets` reports each of them where it was: env, label and the history command.
  const found = scout(['secrets', `oci-dir://${d}`, '--format', 'json'], env);
  assert.equal(found.code, 0, found.stderr);
  const findings = (JSON.parse(found.stdout) as { findings: Finding[] }).findings;
  assert.deepEqual(findings.map((f) => [f.rule, f.source, f.location]).sort(), [
    ['aws-access-key-id', 'history', 'history[0]'],
    ['github-token', 'env', 'GITHUB_TOKEN'],
    ['npm-token', 'label', 'org.example.npmrc'],
    ['url-with-password', 'env', 'DATABASE_URL'],
  ]);
  for (const raw of RAW) assert.ok(!found.stdout.includes(raw), `secrets: a value appears in full: ${raw.slice(0, 6)}…`);
});
