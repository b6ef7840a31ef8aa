/**
 * A real registry behind htpasswd Basic auth: no credentials and wrong credentials fail
 * naming the registry; right credentials work from the environment, from a Docker config
 * `auths` entry and from a credential helper.
 */
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { registrySource } from '../../../src/image/sources/registry.js';
import { ScoutError } from '../../../src/util/errors.js';
import { buildImage, writeOciLayout, type BuiltImage } from '../../helpers/image-builder.js';
import { startRegistry, type RegistryServer } from '../../helpers/registry-server.js';
import { tempDir } from '../../helpers/tmp.js';

const USER = 'scout';
const PASSWORD = 'correct horse:battery';
const savedEnv = { ...process.env };

let reg: RegistryServer;
let img: BuiltImage;

function useDockerConfig(config: unknown): string {
  const dir = tempDir('scout-docker-config-');
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  process.env.DOCKER_CONFIG = dir;
  return dir;
}

before(async () => {
  reg = await startRegistry({ auth: { user: USER, password: PASSWORD } });
  img = await buildImage({ layers: [{ 'secret.txt': 'only for logged-in users' }], labels: { auth: 'basic' } });
  const dir = tempDir();
  writeOciLayout(dir, [{ images: [img], refName: 'v1' }]);
  reg.push(dir, 'v1', 'private/app:v1');
});

afterEach(() => {
  for (const k of ['SCOUT_REGISTRY_USER', 'SCOUT_REGISTRY_PASSWORD', 'DOCKER_CONFIG', 'PATH']) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

after(() => reg?.stop());

function isUnauthorized(registry: string) {
  return (err: unknown) => {
    assert.ok(err instanceof ScoutError, String(err));
    assert.equal(err.code, 'registry-unauthorized');
    assert.ok(err.message.includes(`registry ${registry}`), err.message);
    assert.match(err.message, /docker login/);
    return true;
  };
}

test('no credentials: a clear 401 naming the registry and how to log in', async () => {
  useDockerConfig({});
  delete process.env.SCOUT_REGISTRY_USER;
  delete process.env.SCOUT_REGISTRY_PASSWORD;
  await assert.rejects(registrySource.open(`${reg.host}/private/app:v1`, {}), isUnauthorized(reg.host));
});

test('wrong password: 401 naming the registry and where the refused credentials came from', async () => {
  useDockerConfig({});
  process.env.SCOUT_REGISTRY_USER = USER;
  process.env.SCOUT_REGISTRY_PASSWORD = 'wrong';
  await assert.rejects(registrySource.open(`${reg.host}/private/app:v1`, {}), (err: unknown) => {
    isUnauthorized(reg.host)(err);
    assert.match((err as Error).message, /SCOUT_REGISTRY_USER/);
    return true;
  });
});

test('right credentials from SCOUT_REGISTRY_USER/SCOUT_REGISTRY_PASSWORD, winning over a wrong Docker config', async () => {
  useDockerConfig({ auths: { [reg.host]: { auth: Buffer.from(`${USER}:wrong`).toString('base64') } } });
  process.env.SCOUT_REGISTRY_USER = USER;
  process.env.SCOUT_REGISTRY_PASSWORD = PASSWORD;
  const image = await registrySource.open(`${reg.host}/private/app:v1`, {});
  assert.equal(image.manifestDigest, img.manifestDigest);
  assert.equal(image.configDigest, img.configDigest);
  for (const l of image.layers) for await (const _ of await l.open());
});

test('right credentials from a Docker config auths entry (base64 user:password)', async () => {
  delete process.env.SCOUT_REGISTRY_USER;
  delete process.env.SCOUT_REGISTRY_PASSWORD;
  useDockerConfig({ auths: { [reg.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
  const image = await registrySource.open(`${reg.host}/private/app:v1`, {});
  assert.deepEqual(image.config.config?.Labels, { auth: 'basic' });
});

test('a wrong Docker config auths entry is refused, naming the config file', async () => {
  delete process.env.SCOUT_REGISTRY_USER;
  delete process.env.SCOUT_REGISTRY_PASSWORD;
  const dir = useDockerConfig({ auths: { [`http://${reg.host}`]: { username: USER, password: 'nope' } } });
  await assert.rejects(registrySource.open(`${reg.host}/private/app:v1`, {}), (err: unknown) => {
    isUnauthorized(reg.host)(err);
    assert.ok((err as Error).message.includes(join(dir, 'config.json')), (err as Error).message);
    return true;
  });
});

test('right credentials from a credential helper named in credHelpers for this host', async () => {
  delete process.env.SCOUT_REGISTRY_USER;
  delete process.env.SCOUT_REGISTRY_PASSWORD;
  const bin = tempDir('scout-helper-bin-');
  // The helper answers only for the server address Docker would ask about (host:port).
  writeFileSync(
    join(bin, 'docker-credential-scouttest'),
    `#!/bin/sh\n[ "$1" = get ] || exit 2\nread -r server\nif [ "$server" = "${reg.host}" ]; then printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server"; else echo "credentials not found in native keychain"; exit 1; fi\n`,
  );
  chmodSync(join(bin, 'docker-credential-scouttest'), 0o755);
  process.env.PATH = `${bin}:${process.env.PATH}`;
  useDockerConfig({ credHelpers: { [reg.host]: 'scouttest' } });
  const image = await registrySource.open(`${reg.host}/private/app:v1`, {});
  assert.equal(image.manifestDigest, img.manifestDigest);
});
