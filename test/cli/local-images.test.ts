/**
 * `image://` and a bare name read the local image store first and say so; `local://` never
 * goes to a registry (issue #10). The engine is the stand-in of helpers/docker-engine.ts on a
 * unix socket; the registry is a real one, or a listener that counts what reaches it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { scoutAsync } from '../helpers/cli.js';
import { classicDemo, DEMO_ARCHIVE, startFakeEngine, type FakeEngine } from '../helpers/docker-engine.js';
import { requireTools, startRegistry, type RegistryServer } from '../helpers/registry-server.js';
import { tempDir } from '../helpers/tmp.js';

let counter: Server;
let counted: string[] = [];
let port: number;
let engine: FakeEngine;
const closers: (() => Promise<void>)[] = [];

/** A "registry" that only counts: any request reaching it is a failure of local://. */
before(async () => {
  counter = createServer((req, res) => {
    counted.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => counter.listen(0, '127.0.0.1', r));
  port = (counter.address() as AddressInfo).port;
  engine = await startFakeEngine(join(tempDir('scout-sock-'), 'docker.sock'), [await classicDemo([`127.0.0.1:${port}/demo-api:1.0.0`])]);
  closers.push(() => engine.close(), () => new Promise((r) => counter.close(() => r())));
});
after(async () => {
  for (const c of closers) await c();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { SCOUT_CACHE_DIR: tempDir('scout-cache-'), HOME: tempDir(), DOCKER_HOST: `unix://${engine.socketPath}`, ...extra };
}

test('a bare name found in the local store is read from it, says so, and no registry is asked', async () => {
  counted = [];
  const e = env();
  const r = await scoutAsync(['sbom', `127.0.0.1:${port}/demo-api:1.0.0`, '--format', 'json'], e);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^note: 127\\.0\\.0\\.1:${port}/demo-api:1\\.0\\.0: read from the local image store of the Docker engine at unix://${engine.socketPath} \\(DOCKER_HOST\\)$`, 'm'));
  const sbom = JSON.parse(r.stdout) as { image: { source: string; reference: string }; packages: unknown[] };
  assert.equal(sbom.image.source, 'docker-engine');
  assert.ok(sbom.packages.length >= 5);
  assert.deepEqual(counted, []);
  // The export was spooled inside the cache and removed when the command ended.
  const spools = join(e.SCOUT_CACHE_DIR, 'archives', 'engine');
  assert.ok(existsSync(spools));
  assert.deepEqual(readdirSync(spools), []);
});

test('local:// with no engine is an error naming the socket, and never reaches the registry', async () => {
  counted = [];
  const none = join(tempDir(), 'docker.sock');
  const r = await scoutAsync(['sbom', `local://127.0.0.1:${port}/demo-api:1.0.0`], env({ DOCKER_HOST: `unix://${none}` }));
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `error: local://127.0.0.1:${port}/demo-api:1.0.0: no answer from the Docker engine at unix://${none} (DOCKER_HOST): no such socket; start Docker or Podman, or set DOCKER_HOST to its address (local:// never pulls from a registry)\n`);
  const missing = await scoutAsync(['sbom', `local://127.0.0.1:${port}/other:1`], env());
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /has no image 127\.0\.0\.1:\d+\/other:1 \(local:\/\/ never pulls from a registry/);
  assert.deepEqual(counted, []);
});

test('image:// with no local engine says why and pulls from the registry', async (t) => {
  requireTools();
  const reg: RegistryServer = await startRegistry();
  t.after(() => reg.stop());
  reg.copy(`oci-archive:${DEMO_ARCHIVE}`, 'demo-api:1.0.0');
  const none = join(tempDir(), 'docker.sock');
  const r = await scoutAsync(['sbom', `image://${reg.host}/demo-api:1.0.0`, '--format', 'json'], env({ DOCKER_HOST: `unix://${none}` }));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^note: ${reg.host.replace(/\./g, '\\.')}/demo-api:1\\.0\\.0: not in a local image store \\(no answer from the Docker engine at unix://${none} \\(DOCKER_HOST\\): no such socket\\); pulling it from its registry$`, 'm'));
  const sbom = JSON.parse(r.stdout) as { image: { source: string }; packages: unknown[] };
  assert.equal(sbom.image.source, 'registry');
  assert.ok(sbom.packages.length >= 5);
  // An engine that lacks the image: the same fallback, naming the engine.
  const r2 = await scoutAsync(['sbom', `${reg.host}/demo-api:1.0.0`, '--format', 'json'], env());
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stderr, /not in a local image store \(the Docker engine at unix:\/\/.* has no image .*demo-api:1\.0\.0\); pulling it from its registry/);
});
