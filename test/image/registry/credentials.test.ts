import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseChallenges } from '../../../src/image/registry/auth.js';
import { credentialsFor, runCredentialHelper } from '../../../src/image/registry/credentials.js';
import { ScoutError } from '../../../src/util/errors.js';
import { tempDir } from '../../helpers/tmp.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** An environment with only a Docker config folder (and a PATH that may hold fake helpers). */
function envWith(config: unknown, helpers: Record<string, string> = {}): { env: NodeJS.ProcessEnv; dir: string; bin: string } {
  const dir = tempDir('scout-docker-config-');
  if (config !== undefined) writeFileSync(join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, script] of Object.entries(helpers)) {
    writeFileSync(join(bin, `docker-credential-${name}`), `#!/bin/sh\n${script}\n`);
    chmodSync(join(bin, `docker-credential-${name}`), 0o755);
  }
  return { env: { DOCKER_CONFIG: dir, PATH: `${bin}:/usr/bin:/bin`, HOME: dir }, dir, bin };
}

/** A helper that records its argument and stdin, then answers with the given user/secret. */
function recordingHelper(logFile: string, user: string, secret: string): string {
  return `echo "$1" > '${logFile}'\ncat >> '${logFile}'\nprintf '{"ServerURL":"x","Username":"${user}","Secret":"${secret}"}'`;
}

test('env SCOUT_REGISTRY_USER/PASSWORD win over the Docker config, for any registry', async () => {
  const { env } = envWith({ auths: { 'ghcr.io': { auth: b64('cfg:cfgpw') } } });
  env.SCOUT_REGISTRY_USER = 'envuser';
  env.SCOUT_REGISTRY_PASSWORD = 'envpw';
  const c = await credentialsFor('ghcr.io', { env });
  assert.equal(c?.username, 'envuser');
  assert.equal(c?.password, 'envpw');
  assert.match(c!.origin, /SCOUT_REGISTRY_USER/);
});

test('auths: base64 auth (password may hold colons), username/password fields, identitytoken', async () => {
  const { env, dir } = envWith({
    auths: {
      'ghcr.io': { auth: b64('octo:pa:ss:word') },
      'quay.io': { username: 'q', password: 'qpw' },
      'registry.example.com': { auth: '', identitytoken: 'refresh-1' },
    },
  });
  const gh = await credentialsFor('ghcr.io', { env });
  assert.deepEqual([gh?.username, gh?.password], ['octo', 'pa:ss:word']);
  assert.ok(gh!.origin.includes(join(dir, 'config.json')));
  const q = await credentialsFor('quay.io', { env });
  assert.deepEqual([q?.username, q?.password], ['q', 'qpw']);
  const r = await credentialsFor('registry.example.com', { env });
  assert.equal(r?.identityToken, 'refresh-1');
  assert.equal(await credentialsFor('other.io', { env }), undefined);
});

test('Docker Hub credentials live under https://index.docker.io/v1/; legacy URL keys match their host', async () => {
  const { env } = envWith({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpw') }, 'https://myreg.local:5000/v1/': { auth: b64('m:mpw') } } });
  assert.equal((await credentialsFor('docker.io', { env }))?.username, 'hubuser');
  assert.equal((await credentialsFor('myreg.local:5000', { env }))?.username, 'm');
  assert.equal(await credentialsFor('myreg.local', { env }), undefined);
});

test('no config, or an empty one: anonymous', async () => {
  assert.equal(await credentialsFor('ghcr.io', { env: envWith(undefined).env }), undefined);
  assert.equal(await credentialsFor('ghcr.io', { env: envWith({}).env }), undefined);
});

test('a malformed config.json is an error naming the file, not a silent anonymous pull', async () => {
  const { env, dir } = envWith('{ "auths": ');
  await assert.rejects(credentialsFor('ghcr.io', { env }), (err: unknown) => {
    assert.ok(err instanceof ScoutError);
    assert.equal(err.code, 'docker-config');
    assert.ok(err.message.includes(join(dir, 'config.json')));
    return true;
  });
});

test('credHelpers: the host\'s helper gets "get" and the server address on stdin; its answer is used', async () => {
  const log = join(tempDir(), 'log');
  const { env } = envWith({ credHelpers: { 'registry.example.com:5000': 'fake' }, auths: { 'registry.example.com:5000': { auth: b64('stale:stale') } } }, { fake: recordingHelper(log, 'helperuser', 'helperpw') });
  const c = await credentialsFor('registry.example.com:5000', { env });
  assert.deepEqual([c?.username, c?.password], ['helperuser', 'helperpw']);
  assert.match(c!.origin, /docker-credential-fake/);
  assert.equal(readFileSync(log, 'utf8'), 'get\nregistry.example.com:5000');
});

test('credsStore is the default helper; Docker Hub is asked for as https://index.docker.io/v1/', async () => {
  const log = join(tempDir(), 'log');
  const { env } = envWith({ credsStore: 'store' }, { store: recordingHelper(log, 'hub', 'hubpw') });
  const c = await credentialsFor('docker.io', { env });
  assert.equal(c?.username, 'hub');
  assert.equal(readFileSync(log, 'utf8'), 'get\nhttps://index.docker.io/v1/');
});

test('a helper answering "<token>" gives an identity token', async () => {
  const { env } = envWith({ credsStore: 'tok' }, { tok: `cat >/dev/null\nprintf '{"ServerURL":"x","Username":"<token>","Secret":"refresh-abc"}'` });
  const c = await credentialsFor('ghcr.io', { env });
  assert.equal(c?.identityToken, 'refresh-abc');
  assert.equal(c?.username, undefined);
});

test('"credentials not found" from the helper falls back to auths, then to anonymous', async () => {
  const notFound = 'cat >/dev/null\necho "credentials not found in native keychain"\nexit 1';
  const a = envWith({ credsStore: 'nf', auths: { 'ghcr.io': { auth: b64('fallback:pw') } } }, { nf: notFound });
  assert.equal((await credentialsFor('ghcr.io', { env: a.env }))?.username, 'fallback');
  const b = envWith({ credsStore: 'nf' }, { nf: notFound });
  assert.equal(await credentialsFor('ghcr.io', { env: b.env }), undefined);
});

test('helper failures are clear errors: missing binary, other failure, non-JSON output, hanging', async () => {
  const isHelperError = (...fragments: string[]) => (err: unknown) => {
    assert.ok(err instanceof ScoutError, String(err));
    assert.equal(err.code, 'credential-helper');
    for (const f of fragments) assert.ok(err.message.includes(f), `${f} not in ${err.message}`);
    return true;
  };
  const missing = envWith({ credsStore: 'absent' });
  await assert.rejects(credentialsFor('ghcr.io', { env: missing.env }), isHelperError('docker-credential-absent', 'not on PATH'));
  const broken = envWith({ credsStore: 'broken' }, { broken: 'echo "keychain locked" >&2\nexit 3' });
  await assert.rejects(credentialsFor('ghcr.io', { env: broken.env }), isHelperError('keychain locked', 'exit 3'));
  const junk = envWith({ credsStore: 'junk' }, { junk: 'echo hello' });
  await assert.rejects(credentialsFor('ghcr.io', { env: junk.env }), isHelperError('did not print JSON'));
  const hang = envWith({ credsStore: 'hang' }, { hang: 'exec sleep 30' });
  await assert.rejects(credentialsFor('ghcr.io', { env: hang.env, helperTimeoutMs: 200 }), isHelperError('did not answer'));
  await assert.rejects(runCredentialHelper('../evil', 'ghcr.io', missing.env), isHelperError('not valid'));
});

test('WWW-Authenticate: Bearer and Basic challenges with quoted commas and several challenges', () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  assert.deepEqual(parseChallenges('Bearer realm="https://x/token",scope="repository:a:pull,push repository:b:pull", Basic realm=plain'), [
    { scheme: 'bearer', params: { realm: 'https://x/token', scope: 'repository:a:pull,push repository:b:pull' } },
    { scheme: 'basic', params: { realm: 'plain' } },
  ]);
  assert.deepEqual(parseChallenges('Bearer realm="a\\"b"'), [{ scheme: 'bearer', params: { realm: 'a"b' } }]);
  assert.deepEqual(parseChallenges(''), []);
  assert.deepEqual(parseChallenges('==='), []);
});
