/**
 * Docker engines that are not on a local socket (issue #10): `DOCKER_HOST=tcp://…` in plain
 * HTTP and with TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, or a context's tls/ folder), and
 * `DOCKER_HOST=ssh://…` through `ssh … docker system dial-stdio`. The engine is the stand-in of
 * helpers/docker-engine.ts on TCP (HTTPS that requires a client certificate, as
 * `dockerd --tlsverify` does, with certificates made by openssl) or behind a fake `ssh` first
 * on PATH that joins its stdio to the engine's unix socket, as dial-stdio does remotely.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LayerCache } from '../../src/image/cache.js';
import { engineEndpoints } from '../../src/image/engine/endpoint.js';
import { openImage } from '../../src/image/open.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { classicDemo, DEMO_ARCHIVE, startFakeEngine, startFakeTcpEngine, type EngineImageFixture, type FakeEngine, type FakeTcpEngine } from '../helpers/docker-engine.js';
import { certPath, makePki, type TestPki } from '../helpers/tls-certs.js';
import { tempDir } from '../helpers/tmp.js';

process.env.SCOUT_CACHE_DIR = tempDir('scout-cache-');

let classic: EngineImageFixture;
let expected: string[];
let pki: TestPki;
let otherPki: TestPki;
let tlsEngine: FakeTcpEngine;
const closers: (() => Promise<void>)[] = [];

/** Packages of `ref` as purls, sorted, read with only `env` describing the engine. */
async function purlsOf(ref: string, env: Record<string, string | undefined>): Promise<string[]> {
  const saved = { ...process.env };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_TLS_VERIFY', 'DOCKER_TLS', 'DOCKER_CERT_PATH', 'XDG_RUNTIME_DIR', 'HOME']) delete process.env[k];
  Object.assign(process.env, { HOME: tempDir(), SCOUT_CACHE_DIR: tempDir() }, env);
  try {
    const { sbom } = await sbomForImage(await openImage(ref), undefined, { cache: new LayerCache(join(tempDir(), 'c')) }, { catalogCache: false });
    return sbom.packages.map((p) => p.purl ?? p.name).sort();
  } finally {
    process.env = saved;
  }
}

before(async () => {
  classic = await classicDemo();
  expected = await purlsOf(DEMO_ARCHIVE, {});
  assert.ok(expected.length >= 5, 'the demo image has packages to compare');
  pki = makePki();
  otherPki = makePki('another-ca');
  tlsEngine = await startFakeTcpEngine([classic], { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca });
  closers.push(() => tlsEngine.close());
});
after(async () => {
  for (const c of closers) await c();
});

test('DOCKER_HOST=tcp://… with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH: HTTPS with the client certificate, the CA checked', async () => {
  tlsEngine.requests.length = 0;
  const purls = await purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `tcp://127.0.0.1:${tlsEngine.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath(pki) });
  assert.deepEqual(purls, expected);
  assert.deepEqual(tlsEngine.requests, ['GET /_ping', 'GET /images/demo-api:1.0.0/json', 'GET /images/demo-api:1.0.0/get']);
  // No port: Docker's TLS port.
  const [ep] = await engineEndpoints({ DOCKER_HOST: 'tcp://engine.example', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' });
  assert.equal(ep.port, 2376);
  assert.deepEqual(ep.tls, { verify: true, from: 'DOCKER_CERT_PATH /nonexistent' });
});

test('DOCKER_CERT_PATH unset: the files are read from the Docker config folder (~/.docker)', async () => {
  const home = tempDir();
  mkdirSync(join(home, '.docker'));
  for (const [name, data] of [['ca.pem', pki.ca], ['cert.pem', pki.clientCert], ['key.pem', pki.clientKey]] as const) writeFileSync(join(home, '.docker', name), data);
  assert.deepEqual(await purlsOf('local://demo-api:1.0.0', { HOME: home, DOCKER_HOST: `tcp://127.0.0.1:${tlsEngine.port}`, DOCKER_TLS_VERIFY: '1' }), expected);
});

test('an engine certificate from another CA is refused with an error naming the CA file', async () => {
  const wrong = certPath(pki, { ca: otherPki.ca, cert: pki.clientCert, key: pki.clientKey });
  await assert.rejects(purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `tcp://127.0.0.1:${tlsEngine.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: wrong }), (err: Error) => {
    assert.match(err.message, new RegExp(`no answer from the Docker engine at tcp://127\\.0\\.0\\.1:${tlsEngine.port} \\(DOCKER_HOST\\): the engine's TLS certificate is not signed by the CA of ${join(wrong, 'ca.pem').replace(/[.]/g, '\\.')} \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\\)`));
    return true;
  });
  // With DOCKER_TLS alone (TLS without checking the engine), the same files work: the client
  // certificate is still the engine's CA's.
  assert.deepEqual(await purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `tcp://127.0.0.1:${tlsEngine.port}`, DOCKER_TLS: '1', DOCKER_CERT_PATH: wrong }), expected);
});

test('the engine refuses a client without a certificate, or with one its CA did not sign', async () => {
  const noClient = certPath(pki, { ca: pki.ca });
  await assert.rejects(purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `tcp://127.0.0.1:${tlsEngine.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: noClient }), /DOCKER_CERT_PATH \S+ has no cert\.pem and key\.pem/);
  const foreign = certPath(pki, { ca: pki.ca, cert: otherPki.clientCert, key: otherPki.clientKey });
  await assert.rejects(purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `tcp://127.0.0.1:${tlsEngine.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: foreign }), /refused the client certificate .*cert\.pem/);
  const halves = certPath(pki, { ca: pki.ca, cert: pki.clientCert });
  await assert.rejects(purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `tcp://127.0.0.1:${tlsEngine.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: halves }), /has cert\.pem but no key\.pem; a client certificate needs both/);
});

test('a Docker context whose endpoint is tcp:// with TLS material in the context store\'s tls/ folder', async () => {
  const home = tempDir();
  const id = createHash('sha256').update('remote').digest('hex');
  const meta = join(home, '.docker', 'contexts', 'meta', id);
  const tls = join(home, '.docker', 'contexts', 'tls', id, 'docker');
  mkdirSync(meta, { recursive: true });
  mkdirSync(tls, { recursive: true });
  // As `docker context create remote --docker host=tcp://…,ca=…,cert=…,key=…` stores it.
  writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: 'remote', Metadata: {}, Endpoints: { docker: { Host: `tcp://127.0.0.1:${tlsEngine.port}`, SkipTLSVerify: false } } }));
  writeFileSync(join(tls, 'ca.pem'), pki.ca);
  writeFileSync(join(tls, 'cert.pem'), pki.clientCert);
  writeFileSync(join(tls, 'key.pem'), pki.clientKey);
  writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: {}, currentContext: 'remote' }));
  assert.deepEqual(await purlsOf('local://demo-api:1.0.0', { HOME: home }), expected);
  // The context's CA is the one checked: replace it with another, and the engine is refused.
  writeFileSync(join(tls, 'ca.pem'), otherPki.ca);
  await assert.rejects(purlsOf('local://demo-api:1.0.0', { HOME: home }), /Docker context "remote"\): the engine's TLS certificate is not signed by the CA of .*contexts\/tls\/.*\/docker\/ca\.pem/);
});

test('plain tcp:// (no TLS): HTTP; and a plain client at a TLS port is told so', async () => {
  const plain = await startFakeTcpEngine([classic]);
  closers.push(() => plain.close());
  assert.deepEqual(await purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `tcp://127.0.0.1:${plain.port}` }), expected);
  assert.deepEqual(plain.requests, ['GET /_ping', 'GET /images/demo-api:1.0.0/json', 'GET /images/demo-api:1.0.0/get']);
  const [ep] = await engineEndpoints({ DOCKER_HOST: 'tcp://engine.example' });
  assert.equal(ep.port, 2375);
  assert.equal(ep.tls, undefined);
  // TLS expected, plain HTTP answered: the TLS handshake fails by name.
  await assert.rejects(purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `tcp://127.0.0.1:${plain.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certPath(pki) }), /TLS failed .*is the engine listening with TLS on this port/);
});

/** A directory holding an `ssh` that runs helpers/fake-ssh.mjs, to put first on PATH. */
function fakeSshDir(): string {
  const bin = tempDir('scout-ssh-');
  const script = new URL('../helpers/fake-ssh.mjs', import.meta.url).pathname;
  writeFileSync(join(bin, 'ssh'), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
  chmodSync(join(bin, 'ssh'), 0o755);
  return bin;
}

test('DOCKER_HOST=ssh://user@host:port: ssh runs `docker system dial-stdio` with the Docker CLI\'s arguments, and HTTP goes over its stdio', async () => {
  const engine: FakeEngine = await startFakeEngine(join(tempDir('scout-sock-'), 'docker.sock'), [classic]);
  closers.push(() => engine.close());
  const log = join(tempDir(), 'ssh-args.jsonl');
  const env = { PATH: `${fakeSshDir()}:${process.env.PATH}`, FAKE_SSH_LOG: log, FAKE_SSH_ENGINE_SOCKET: engine.socketPath };
  assert.deepEqual(await purlsOf('local://demo-api:1.0.0', { ...env, DOCKER_HOST: 'ssh://deploy@build-01.example:2222' }), expected);
  assert.deepEqual(engine.requests, ['GET /_ping', 'GET /images/demo-api:1.0.0/json', 'GET /images/demo-api:1.0.0/get']);
  const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
  // One ssh for all three requests: the connection is kept open between them (HTTP keep-alive).
  assert.deepEqual(calls, [['-o', 'ConnectTimeout=30', '-T', '-l', 'deploy', '-p', '2222', '--', 'build-01.example', 'docker', 'system', 'dial-stdio']]);
  // A second image on the same engine in the same run reuses it too.
  assert.deepEqual(await purlsOf('local://demo-api:1.0.0', { ...env, DOCKER_HOST: 'ssh://deploy@build-01.example:2222' }), expected);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 1, 'no second ssh for the second image');
  assert.equal(engine.requests.length, 6);
  // No user or port: ssh's own defaults (~/.ssh/config); a path names the remote socket.
  writeFileSync(log, '');
  assert.deepEqual(await purlsOf('local://demo-api:1.0.0', { ...env, DOCKER_HOST: 'ssh://build-01.example/run/user/1000/docker.sock' }), expected);
  assert.deepEqual(JSON.parse(readFileSync(log, 'utf8').split('\n')[0]), ['-o', 'ConnectTimeout=30', '-T', '--', 'build-01.example', 'docker', '--host', 'unix:///run/user/1000/docker.sock', 'system', 'dial-stdio']);
});

test('ssh://: a failing ssh is an error with what ssh said; a password or an option-like host is refused before ssh runs', async () => {
  const env = { PATH: `${fakeSshDir()}:${process.env.PATH}`, FAKE_SSH_FAIL: 'deploy@build-01.example: Permission denied (publickey).' };
  await assert.rejects(purlsOf('local://demo-api:1.0.0', { ...env, DOCKER_HOST: 'ssh://deploy@build-01.example' }), /no answer from the Docker engine at ssh:\/\/deploy@build-01\.example \(DOCKER_HOST\): ssh exited with status 255: deploy@build-01\.example: Permission denied \(publickey\)\./);
  await assert.rejects(engineEndpoints({ DOCKER_HOST: 'ssh://me:secret@host' }), /DOCKER_HOST is "ssh:\/\/me:secret@host": a password does not belong in the address/);
  await assert.rejects(engineEndpoints({ DOCKER_HOST: 'ssh://-oProxyCommand=x' }), /DOCKER_HOST is "ssh:\/\/-oProxyCommand=x": no host|not a valid ssh/);
  await assert.rejects(engineEndpoints({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }), /Scout reaches a Docker engine at unix:\/\/, tcp:\/\/ or ssh:\/\/ addresses only/);
});
