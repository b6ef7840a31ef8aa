/**
 * Images in the local Docker or Podman store (issue #10): found through DOCKER_HOST, the
 * current Docker context or the default sockets, read from the engine's export stream in both
 * formats Docker writes (the classic docker-archive and the containerd store's OCI archive),
 * and catalogued exactly as the same image read from its archive.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LayerCache } from '../../src/image/cache.js';
import { engineEndpoints } from '../../src/image/engine/endpoint.js';
import { openImage } from '../../src/image/open.js';
import { sbomForImage } from '../../src/sbom/build.js';
import { classicDemo, containerdDemo, DEMO_ARCHIVE, startFakeEngine, type EngineImageFixture, type FakeEngine } from '../helpers/docker-engine.js';
import { buildImage, writeDockerArchive } from '../helpers/image-builder.js';
import { tempDir } from '../helpers/tmp.js';
import type { ScanWarning } from '../../src/util/errors.js';

process.env.SCOUT_CACHE_DIR = tempDir('scout-cache-');

let classic: EngineImageFixture;
let containerd: EngineImageFixture;
let dangling: EngineImageFixture;
let expected: string[];
const engines: FakeEngine[] = [];

/** Packages as purls, sorted: what two reads of one image must agree on. */
async function purlsOf(ref: string, env: Record<string, string | undefined>): Promise<{ purls: string[]; image: Awaited<ReturnType<typeof openImage>>; warnings: ScanWarning[] }> {
  const saved = { ...process.env };
  for (const k of ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'XDG_RUNTIME_DIR', 'HOME']) delete process.env[k];
  Object.assign(process.env, env);
  try {
    const image = await openImage(ref);
    const { sbom } = await sbomForImage(image, undefined, { cache: new LayerCache(join(tempDir(), 'c')) }, { catalogCache: false });
    return { purls: sbom.packages.map((p) => p.purl ?? p.name).sort(), image, warnings: sbom.warnings.filter((w) => w.layer) };
  } finally {
    process.env = saved;
  }
}

async function engine(images: EngineImageFixture[], opts: { podman?: boolean; socketPath?: string } = {}): Promise<FakeEngine> {
  const e = await startFakeEngine(opts.socketPath ?? join(tempDir('scout-sock-'), 'docker.sock'), images, opts);
  engines.push(e);
  return e;
}

before(async () => {
  classic = await classicDemo();
  containerd = await containerdDemo();
  dangling = await classicDemo([]);
  expected = (await purlsOf(DEMO_ARCHIVE, {})).purls;
  assert.ok(expected.length >= 5, 'the demo image has packages to compare');
});
after(async () => {
  for (const e of engines) await e.close();
});

test('local:// through DOCKER_HOST: the classic export is read and catalogued like the archive', async () => {
  const e = await engine([classic]);
  const { purls, image } = await purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `unix://${e.socketPath}` });
  assert.deepEqual(purls, expected);
  assert.equal(image.source, 'docker-engine');
  assert.equal(image.reference, 'local://demo-api:1.0.0');
  assert.equal(image.configDigest, classic.inspect.Id);
  assert.equal(image.repository, 'library/demo-api');
  assert.equal(image.tag, '1.0.0');
  assert.deepEqual(e.requests, ['GET /_ping', 'GET /images/demo-api:1.0.0/json', 'GET /images/demo-api:1.0.0/get']);
});

test('local:// on the containerd image store: the OCI archive export, its index picked by the image ID', async () => {
  const e = await engine([containerd]);
  const { purls, image } = await purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `unix://${e.socketPath}` });
  assert.deepEqual(purls, expected);
  assert.equal(image.indexDigest, containerd.inspect.Id);
  assert.equal(image.source, 'docker-engine');
});

test('a dangling image by its ID: local://sha256:…', async () => {
  const e = await engine([dangling]);
  const id = String(dangling.inspect.Id);
  const { purls, image } = await purlsOf(`local://${id}`, { DOCKER_HOST: `unix://${e.socketPath}` });
  assert.deepEqual(purls, expected);
  assert.equal(image.reference, `local://${id}`);
  assert.equal(image.repository, undefined, 'an ID names no repository');
});

test('the current Docker context (config.json currentContext → contexts/meta/<sha256>/meta.json) names the socket', async () => {
  const e = await engine([classic]);
  const home = tempDir();
  const meta = join(home, '.docker', 'contexts', 'meta', createHash('sha256').update('colima').digest('hex'));
  mkdirSync(meta, { recursive: true });
  writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: 'colima', Metadata: { Description: 'colima' }, Endpoints: { docker: { Host: `unix://${e.socketPath}`, SkipTLSVerify: false } } }));
  writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: {}, currentContext: 'colima' }));
  assert.deepEqual((await purlsOf('local://demo-api:1.0.0', { HOME: home })).purls, expected);
  // DOCKER_HOST wins over the context, as for the Docker CLI.
  const eps = await engineEndpoints({ HOME: home, DOCKER_HOST: 'unix:///elsewhere.sock' });
  assert.deepEqual(eps.map((x) => [x.url, x.origin]), [['unix:///elsewhere.sock', 'DOCKER_HOST']]);
  const viaEnv = await engineEndpoints({ HOME: home, DOCKER_CONTEXT: 'colima' });
  assert.deepEqual(viaEnv.map((x) => x.origin), ['Docker context "colima"']);
  await assert.rejects(engineEndpoints({ HOME: home, DOCKER_CONTEXT: 'nope' }), /Docker context "nope" is the current context, but .*meta\.json does not exist/);
});

test('Podman\'s rootless socket ($XDG_RUNTIME_DIR/podman/podman.sock) is found when no Docker socket is set', async () => {
  const runtime = tempDir();
  mkdirSync(join(runtime, 'podman'));
  const e = await engine([containerd], { podman: true, socketPath: join(runtime, 'podman', 'podman.sock') });
  const { purls } = await purlsOf('local://demo-api:1.0.0', { XDG_RUNTIME_DIR: runtime, HOME: tempDir() });
  assert.deepEqual(purls, expected);
  assert.equal(e.requests[0], 'GET /_ping');
});

test('an export that is not the image inspect described is refused, not catalogued', async () => {
  // The engine describes the demo image and exports another one.
  const other = join(tempDir(), 'other.tar');
  await writeDockerArchive(other, [{ image: await buildImage({ layers: [{ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\n' }] }), tags: ['demo-api:1.0.0'] }]);
  const liar: EngineImageFixture = { ...classic, exportPath: other };
  const e = await engine([liar]);
  await assert.rejects(purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `unix://${e.socketPath}`, SCOUT_CACHE_DIR: tempDir() }), /exported another image than it described/);
  // The image remembered from a true export: its layers, exported on demand, fail by name.
  const remembered = tempDir();
  const honest = await engine([classic]);
  await purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `unix://${honest.socketPath}`, SCOUT_CACHE_DIR: remembered });
  const { warnings } = await purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `unix://${e.socketPath}`, SCOUT_CACHE_DIR: remembered });
  assert.ok(warnings.length >= 1 && warnings.every((w) => w.layerFailed && /exported another image than it described/.test(w.message)), JSON.stringify(warnings));
});

test('local://: no engine, or no such image, is a clear error naming the socket', async () => {
  const none = join(tempDir(), 'docker.sock');
  await assert.rejects(purlsOf('local://demo-api:1.0.0', { DOCKER_HOST: `unix://${none}` }), (err: Error) => {
    assert.match(err.message, new RegExp(`local://demo-api:1.0.0: no answer from the Docker engine at unix://${none} \\(DOCKER_HOST\\): no such socket; start Docker or Podman, or set DOCKER_HOST`));
    return true;
  });
  const e = await engine([classic]);
  await assert.rejects(purlsOf('local://other:2', { DOCKER_HOST: `unix://${e.socketPath}` }), /local:\/\/other:2: the Docker engine at .* has no image other:2 \(local:\/\/ never pulls from a registry/);
  await assert.rejects(purlsOf('local://x', { DOCKER_HOST: 'npipe:////./pipe/docker_engine' }), /DOCKER_HOST is "npipe:\/\/\/\/\.\/pipe\/docker_engine": Scout reaches a Docker engine at unix:\/\/, tcp:\/\/ or ssh:\/\/ addresses only/);
});

test('a warm scan of a local image it has seen needs no export: ping and inspect only', async () => {
  const e = await engine([containerd]);
  const env = { DOCKER_HOST: `unix://${e.socketPath}` };
  const layers = new LayerCache(join(tempDir(), 'layers'));
  const scan = async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const { sbom } = await sbomForImage(await openImage('local://demo-api:1.0.0'), undefined, { cache: layers }, { catalogCache: false });
      return sbom.packages.map((p) => p.purl ?? p.name).sort();
    } finally {
      process.env = saved;
    }
  };
  assert.deepEqual(await scan(), expected);
  e.requests.length = 0;
  assert.deepEqual(await scan(), expected);
  assert.deepEqual(e.requests, ['GET /_ping', 'GET /images/demo-api:1.0.0/json'], 'every layer came from the layer cache: nothing exported');
  // Layers not in the cache: the remembered image exports on demand, and reads the same.
  e.requests.length = 0;
  const { purls } = await purlsOf('local://demo-api:1.0.0', env);
  assert.deepEqual(purls, expected);
  assert.deepEqual(e.requests, ['GET /_ping', 'GET /images/demo-api:1.0.0/json', 'GET /images/demo-api:1.0.0/get']);
});
