/**
 * Every rule: a hit on a credential of the real shape, and a near miss that must stay silent
 * (a truncated key, a documentation example, a placeholder, a look-alike). Secret values are
 * made here from random bytes, so no real credential sits in the repository.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { RULES } from '../../src/secrets/rules.js';
import { mask, scanText } from '../../src/secrets/scan-text.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function rand(n: number, alphabet = ALNUM): string {
  const b = randomBytes(n);
  return Array.from(b, (x) => alphabet[x % alphabet.length]).join('');
}
/** A generated password-like value: random, but always with a digit and a letter, as the generic rule requires (28 random characters lack a digit about once in 140 runs). */
const secretValue = (n: number) => `${rand(n - 2)}7q`;
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B64 = ALNUM + '+/';

const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const ecPem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
const jwt = (alg: string) => `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: rand(12), iat: 1716000000 })).toString('base64url')}.${rand(43, ALNUM + '-_')}`;

/** rule id → [text with a hit, near miss]. */
const CASES: Record<string, [string, string]> = {
  'aws-access-key-id': [`aws_access_key_id = AKIA${rand(16, UPPER32)}`, 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
  'aws-secret-access-key': [`aws_secret_access_key = ${rand(40, B64)}`, 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  'gcp-service-account': [JSON.stringify({ type: 'service_account', project_id: 'p', private_key_id: rand(40), private_key: `-----BEGIN PRIVATE KEY-----\n${rand(200, B64)}\n-----END PRIVATE KEY-----\n`, client_email: 'a@p.iam.gserviceaccount.com' }, null, 2), JSON.stringify({ type: 'authorized_user', client_id: 'x', refresh_token: 'placeholder' })],
  'azure-storage-key': [`DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${rand(86, B64)}==;EndpointSuffix=core.windows.net`, 'AccountKey=<your-account-key>'],
  'azure-client-secret': [`AZURE_CLIENT_SECRET=${rand(3)}8Q~${rand(34, ALNUM + '_~.-')}`, `AZURE_CLIENT_SECRET=${rand(40)}`],
  'private-key': [pem, '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----'],
  'github-token': [`GITHUB_TOKEN=ghp_${rand(36)}`, `GITHUB_TOKEN=ghp_${rand(20)}`],
  'gitlab-token': [`token: glpat-${rand(20, ALNUM + '_-')}`, 'token: glpat-xxxxxxxxxxxxxxxxxxxx'],
  'bitbucket-app-password': [`BITBUCKET_APP_PASSWORD=ATBB${rand(32)}`, 'BITBUCKET_APP_PASSWORD=ATBBxxxx'],
  'npm-token': [`//registry.npmjs.org/:_authToken=npm_${rand(36)}`, '//registry.npmjs.org/:_authToken=${NPM_TOKEN}'],
  'pypi-token': [`password = pypi-AgEIcHlwaS5vcmc${rand(60, ALNUM + '_-')}`, 'password = pypi-<token>'],
  'docker-config-auth': [JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from(`deploy:${rand(20)}`).toString('base64') } } }), JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from(rand(20)).toString('base64') } } })],
  'slack-webhook': [`SLACK_URL=https://hooks.slack.com/services/T${rand(8)}/B${rand(8)}/${rand(24)}`, 'see https://hooks.slack.com/services/ for the docs'],
  'slack-token': [`SLACK_BOT=xoxb-${rand(12, '0123456789')}-${rand(12, '0123456789')}-${rand(24)}`, 'SLACK_BOT=xoxb-not-a-real-token-this-will-not-work'],
  'discord-webhook': [`https://discord.com/api/webhooks/${rand(18, '0123456789')}/${rand(68, ALNUM + '_-')}`, 'https://discord.com/api/webhooks/{id}/{token}'],
  'url-with-password': [`DATABASE_URL=postgres://app:${rand(16)}@db.internal:5432/app`, 'DATABASE_URL=postgres://app:password@localhost:5432/app'],
  jwt: [`Authorization: Bearer ${jwt('HS256')}`, `token=${jwt('none')}`],
  'generic-secret-assignment': [`API_SECRET="${secretValue(28)}"`, 'password = "correcthorsebatterystaple"'],
};

test('every rule has a case, an id, a severity and a title', () => {
  assert.deepEqual(RULES.map((r) => r.id).sort(), Object.keys(CASES).sort());
  for (const r of RULES) {
    assert.match(r.id, /^[a-z0-9-]+$/);
    assert.ok(['critical', 'high', 'medium', 'low'].includes(r.severity), r.id);
    assert.ok(r.title.length > 5, r.id);
  }
});

for (const [id, [hit, miss]] of Object.entries(CASES)) {
  test(`${id}: a hit, and a near miss that is not`, () => {
    const found = scanText(hit).filter((h) => h.rule === id);
    assert.equal(found.length, 1, `${id} should hit:\n${hit}`);
    assert.ok(found[0].masked.includes('*'), found[0].masked);
    assert.deepEqual(scanText(miss).filter((h) => h.rule === id), [], `${id} should not hit:\n${miss}`);
  });
}

test('a key whose random body happens to spell a placeholder word is still reported', () => {
  // Found among generated RSA keys: about one in twenty has "FAkE", "xxxx" or the like in it.
  const body = Array.from({ length: 12 }, (_, i) => (i === 5 ? 'MIICXAIBAAKBgQDFAkE' + rand(45, B64) : rand(64, B64))).join('\n');
  const hits = scanText(`-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----\n`).filter((h) => h.rule === 'private-key');
  assert.equal(hits.length, 1);
});

test('an EC private key and the line it starts on', () => {
  const hits = scanText(`# deploy key\n\n${ecPem}`);
  assert.deepEqual(hits.map((h) => [h.rule, h.line]), [['private-key', 3]]);
});

test('private keys of every kind the issue names (RSA, EC, OpenSSH, PKCS#8, PGP) are found; their public halves are not', () => {
  const lines = (n: number) => Array.from({ length: n }, () => rand(64, B64)).join('\n');
  const pkcs8 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const openssh = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n${lines(4)}\n-----END OPENSSH PRIVATE KEY-----\n`;
  const pgp = `-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: exported by gpg\n\nlQOYBGZ${rand(57, B64)}\n${lines(6)}\n=${rand(4, B64)}\n-----END PGP PRIVATE KEY BLOCK-----\n`;
  for (const [kind, text] of [['RSA', pem], ['EC', ecPem], ['OpenSSH', openssh], ['PKCS#8', pkcs8], ['PGP', pgp]]) {
    assert.deepEqual(scanText(`# ${kind}\n${text}`).map((h) => [h.rule, h.line]), [['private-key', 2]], kind);
  }
  const publicHalves = [
    generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBGZ${rand(57, B64)}\n${lines(6)}\n-----END PGP PUBLIC KEY BLOCK-----\n`,
    `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${rand(43, B64)} deploy@ci`,
    // An OpenSSH header whose END names another kind of key: not one key.
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines(3)}\n-----END PGP PRIVATE KEY BLOCK-----\n`,
  ];
  for (const text of publicHalves) assert.deepEqual(scanText(text).filter((h) => h.rule === 'private-key'), [], text.slice(0, 40));
});

test('inside a package tree the generic rule is off; the specific ones are not', () => {
  const text = `const API_SECRET = "${secretValue(28)}";\nconst k = "ghp_${rand(36)}";`;
  assert.deepEqual(scanText(text, true).map((h) => h.rule).sort(), ['generic-secret-assignment', 'github-token']);
  assert.deepEqual(scanText(text, false).map((h) => h.rule), ['github-token']);
});

test('masks never show a value whole', () => {
  for (const v of ['AKIA' + rand(16, UPPER32), rand(40, B64), 'short1']) {
    const m = mask(v);
    assert.ok(!m.includes(v), m);
    assert.ok(m.length >= 4 && m.replace(/\*/g, '').length <= 4, m);
  }
});
