/**
 * `scout watch` end to end: a real docker-registry on loopback (images pushed with skopeo), a
 * real Scout server (SQLite), and the real CLI in child processes. Each pass must store exactly
 * the images the server does not hold yet, and a restart (every pass here is a new process)
 * must not analyse again what is stored: the server is the memory.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { PassResult } from '../../src/watch/pass.js';
import type { ImageSummary, RepositoryTag } from '../../src/store/platform-store.js';
import { buildImage, indexOf, writeOciLayout, type BuiltImage } from '../helpers/image-builder.js';
import { startRegistry, type RegistryServer } from '../helpers/registry-server.js';
import { scoutAsync, startTestServer, type TestServer } from '../helpers/platform-server.js';
import { scoutNodeArgs } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { BACKENDS, type Backend } from '../helpers/platform-db.js';

let reg: RegistryServer;
let server: TestServer;
let env: Record<string, string>;

/** A registry and a server of the test's own (the server on `backend`), both stopped when it ends. */
async function setUp(t: TestContext, backend: Backend = 'sqlite'): Promise<void> {
  reg = await startRegistry({ delete: true });
  t.after(() => reg.stop());
  server = await startTestServer(t, tempDir(), backend);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  env = { SCOUT_SERVER: server.url, SCOUT_TOKEN: token, SCOUT_CACHE_DIR: tempDir(), SCOUT_CONFIG_DIR: tempDir(), DOCKER_CONFIG: tempDir(), SCOUT_REGISTRY_USER: '', SCOUT_REGISTRY_PASSWORD: '' };
}

let n = 0;
/** A small linux/arm64 image of its own (distinct layers and config), with an Alpine package database. */
async function image(name: string, o: { architecture?: string; variant?: string } = {}): Promise<BuiltImage> {
  n++;
  return buildImage({
    architecture: 'arm64',
    ...o,
    layers: [{ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.1\n', 'lib/apk/db/installed': `P:musl\nV:1.2.5-r0\nA:x86_64\no:musl\n\nP:${name}\nV:1.0.${n}-r0\nA:x86_64\no:${name}\n\n` }, { [`app/${name}.txt`]: `${name} ${n}` }],
    labels: { name, n: String(n) },
  });
}

function push(img: BuiltImage | BuiltImage[], repoTag: string): void {
  const images = Array.isArray(img) ? img : [img];
  const dir = tempDir();
  writeOciLayout(dir, [{ images, refName: 'x' }]);
  reg.push(dir, 'x', repoTag, { all: images.length > 1 });
}

async function watch(...args: string[]): Promise<{ code: number; result: PassResult; stderr: string }> {
  const r = await scoutAsync(['watch', '--registry', reg.url, '--platform', 'linux/arm64', '--format', 'json', ...args], env);
  let result: PassResult;
  try {
    result = JSON.parse(r.stdout) as PassResult;
  } catch {
    assert.fail(`watch printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, result, stderr: r.stderr };
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${env.SCOUT_TOKEN}` } });
  assert.equal(res.status, 200, path);
  return (await res.json()) as T;
}

/** Every stored image: digest → its repository and tags. */
async function storedImages(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await api<{ items: ImageSummary[]; next?: string }>(`/v1/images?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const i of page.items) out.set(i.digest, `${i.repository}:${[...i.tags].sort().join(',')}`);
    cursor = page.next;
  } while (cursor);
  return out;
}

async function tagsOf(repo: string): Promise<Record<string, string>> {
  const r = await api<{ items: RepositoryTag[] }>(`/v1/repositories/${encodeURIComponent(`${reg.host}/${repo}`)}/tags`);
  return Object.fromEntries(r.items.map((t) => [t.tag, t.digest]));
}

const storedOf = (r: PassResult) => r.stored.map((s) => [s.repository, s.tags.join(','), s.digest]).sort();

for (const backend of BACKENDS) {
  describe(`scout watch, server on ${backend}`, () => {
    test('first pass stores exactly the registry\'s images, the next none; new and moved tags, --repository, a broken image', (t) => story(t, backend));
  });
}

async function story(t: TestContext, backend: Backend): Promise<void> {
  await setUp(t, backend);
  const a1 = await image('a');
  const b1 = await image('b');
  const amd = await image('m', { architecture: 'amd64' });
  const arm = await image('m', { architecture: 'arm64', variant: 'v8' });
  push(a1, 'scout/a:1');
  push(a1, 'scout/a:latest');
  push(b1, 'scout/b:1');
  push([amd, arm], 'scout/multi:1');
  const amdOnly = await image('x', { architecture: 'amd64' });
  push(amdOnly, 'scout/multi:amd64');
  const R = (repo: string) => `${reg.host}/${repo}`;

  // Pass 1: every image once (two tags of one digest: one analysis), the index's linux/arm64 image.
  const first = await watch();
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.result.failures, []);
  assert.equal(first.result.repositories, 3);
  assert.equal(first.result.tags, 5);
  // --platform linux/arm64: an amd64-only image is passed over, saying so (not a failure).
  assert.deepEqual(first.result.skipped.map((s) => s.what), [`${R('scout/multi')}:amd64@${amdOnly.manifestDigest}`]);
  assert.match(first.result.skipped[0].why, /no image for platform linux\/arm64; this image is linux\/amd64 only/);
  assert.deepEqual(storedOf(first.result), [
    [R('scout/a'), '1,latest', a1.manifestDigest],
    [R('scout/b'), '1', b1.manifestDigest],
    [R('scout/multi'), '1', arm.manifestDigest],
  ].sort());
  assert.deepEqual(await storedImages(), new Map([
    [a1.manifestDigest, `${R('scout/a')}:1,latest`],
    [b1.manifestDigest, `${R('scout/b')}:1`],
    [arm.manifestDigest, `${R('scout/multi')}:1`],
  ]));
  const multi = await api<{ items: RepositoryTag[] }>(`/v1/repositories/${encodeURIComponent(R('scout/multi'))}/tags`);
  assert.equal(multi.items[0].indexDigest, indexOf([amd, arm]).digest, 'the index the image was picked from is kept');
  const a1Detail = await api<{ packageCount: number; metadata: { registry: { repository: string; tag: string } } }>(`/v1/images/${a1.manifestDigest}`);
  assert.equal(a1Detail.packageCount, 2, 'analysed as push analyses: the apk database read');
  assert.equal(a1Detail.metadata.registry.repository, 'scout/a');

  // Pass 2 (a new process: nothing remembered but what the server holds): nothing to do, but
  // the images still in the registry are seen again (retention counts from that).
  const seenBefore = (await api<ImageSummary>(`/v1/images/${b1.manifestDigest}`)).lastSeenAt;
  const second = await watch();
  assert.equal(second.code, 0, second.stderr);
  assert.ok((await api<ImageSummary>(`/v1/images/${b1.manifestDigest}`)).lastSeenAt > seenBefore, 'seen again');
  assert.deepEqual([second.result.stored, second.result.retagged, second.result.failures], [[], [], []]);
  assert.equal(second.result.unchanged, 4);
  const text = await scoutAsync(['watch', '--registry', reg.host, '--platform', 'linux/arm64'], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`${reg.host}: 3 repositories, 5 tags \\(4 unchanged\\); 0 new images analysed and stored, 0 tags moved to a stored image, 0 removed, 1 skipped, 0 failed\n  skipped  ${R('scout/multi')}:amd64@`));

  // A new tag: exactly that image.
  const b2 = await image('b');
  push(b2, 'scout/b:2');
  const third = await watch();
  assert.deepEqual(storedOf(third.result), [[R('scout/b'), '2', b2.manifestDigest]]);
  assert.equal(third.result.unchanged, 4);
  assert.equal(third.result.tags, 6);

  // A tag moved to a new digest: exactly that image, and the tag left the old one.
  const a2 = await image('a');
  push(a2, 'scout/a:latest');
  const fourth = await watch();
  assert.deepEqual(storedOf(fourth.result), [[R('scout/a'), 'latest', a2.manifestDigest]]);
  assert.deepEqual(await tagsOf('scout/a'), { 1: a1.manifestDigest, latest: a2.manifestDigest });

  // A tag moved back to an image already stored: pointed at it, nothing analysed.
  push(a1, 'scout/a:latest');
  const fifth = await watch();
  assert.deepEqual(fifth.result.stored, []);
  assert.deepEqual(fifth.result.retagged, [{ repository: R('scout/a'), tag: 'latest', digest: a1.manifestDigest }]);
  assert.deepEqual(await tagsOf('scout/a'), { 1: a1.manifestDigest, latest: a1.manifestDigest });
  assert.equal((await storedImages()).size, 5);

  // --repository: only the repositories named.
  const a3 = await image('a');
  const b3 = await image('b');
  push(a3, 'scout/a:3');
  push(b3, 'scout/b:3');
  const only = await watch('--repository', 'scout/b');
  assert.equal(only.result.repositories, 1);
  assert.deepEqual(storedOf(only.result), [[R('scout/b'), '3', b3.manifestDigest]]);
  assert.equal((await storedImages()).has(a3.manifestDigest), false);
  assert.deepEqual(storedOf((await watch()).result), [[R('scout/a'), '3', a3.manifestDigest]]);

  // A tag removed from the registry is removed on the server; its image stays (retention's to
  // judge). A repository whose tag listing fails (its tags folder damaged in the registry's
  // storage) removes nothing, though none of its tags were read.
  reg.remove('scout/b:2');
  const tagsDir = join(reg.storageDir, 'docker/registry/v2/repositories/scout/a/_manifests/tags');
  renameSync(tagsDir, `${tagsDir}.away`);
  writeFileSync(tagsDir, 'not a folder');
  const removed = await watch();
  assert.equal(removed.code, 1, 'the listing of scout/a failed');
  assert.deepEqual(removed.result.failures.map((f) => f.what), [R('scout/a')]);
  assert.deepEqual(removed.result.untagged, [{ repository: R('scout/b'), tag: '2', digest: b2.manifestDigest }]);
  assert.deepEqual(await tagsOf('scout/b'), { 1: b1.manifestDigest, 3: b3.manifestDigest });
  assert.deepEqual(await tagsOf('scout/a'), { 1: a1.manifestDigest, 3: a3.manifestDigest, latest: a1.manifestDigest }, 'nothing removed from a repository not read');
  assert.equal((await storedImages()).get(b2.manifestDigest), `${R('scout/b')}:`, 'the image stays, untagged');
  rmSync(tagsDir);
  renameSync(`${tagsDir}.away`, tagsDir);
  const text2 = await scoutAsync(['watch', '--registry', reg.host, '--platform', 'linux/arm64'], env);
  assert.equal(text2.code, 0, text2.stderr);
  assert.match(text2.stdout, /0 tags moved to a stored image, 0 removed, 1 skipped, 0 failed\n/, 'nothing more to remove');

  // A broken image (its config blob damaged in the registry's storage) is named; the others are stored.
  const c1 = await image('c');
  const d1 = await image('d');
  push(c1, 'scout/c:1');
  push(d1, 'scout/d:1');
  push(d1, `scout/d:${d1.manifestDigest.replace(':', '-')}.sig`);
  const hex = c1.configDigest.slice('sha256:'.length);
  const blob = join(reg.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  writeFileSync(blob, Buffer.alloc(readFileSync(blob).length, 0x20));
  const broken = await watch();
  assert.equal(broken.code, 1);
  assert.deepEqual(storedOf(broken.result), [[R('scout/d'), '1', d1.manifestDigest]]);
  assert.equal(broken.result.failures.length, 1);
  assert.equal(broken.result.failures[0].what, `${R('scout/c')}:1@${c1.manifestDigest}`);
  assert.equal(broken.result.failures[0].code, 'digest-mismatch');
  assert.match(broken.stderr, new RegExp(`^error: ${R('scout/c')}:1@${c1.manifestDigest}: .*config: digest mismatch: expected ${c1.configDigest}`, 'm'));
  assert.deepEqual(broken.result.skipped.map((s) => s.what), [`${R('scout/d')}:${d1.manifestDigest.replace(':', '-')}.sig`, `${R('scout/multi')}:amd64@${amdOnly.manifestDigest}`]);
  assert.equal((await storedImages()).has(c1.manifestDigest), false);
  // It stays a failure (retried each pass), and nothing else is analysed again.
  const again = await watch();
  assert.equal(again.code, 1);
  assert.deepEqual([again.result.stored, again.result.failures.map((f) => f.what)], [[], [`${R('scout/c')}:1@${c1.manifestDigest}`]]);
}

test('bad options, an unreachable registry and a refused token are clear errors', async (t) => {
  await setUp(t);
  const bad = await scoutAsync(['watch', '--registry', `${reg.url}/scout/a`], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /give the registry's address only/);
  const repo = await scoutAsync(['watch', '--registry', reg.url, '--repository', 'Scout/A'], env);
  assert.equal(repo.code, 1);
  assert.match(repo.stderr, /--repository "Scout\/A" is not a repository name/);
  const interval = await scoutAsync(['watch', '--registry', reg.url, '--interval', '0'], env);
  assert.match(interval.stderr, /--interval must be a number of seconds \(1 or more\)/);
  const gone = await scoutAsync(['watch', '--registry', 'http://127.0.0.1:9'], env);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /^error: the catalog of 127\.0\.0\.1:9: registry 127\.0\.0\.1:9: cannot reach http:\/\/127\.0\.0\.1:9/m);
  const refused = await scoutAsync(['watch', '--registry', reg.url], { ...env, SCOUT_TOKEN: 'scout_wrong' });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refused the token/);
});

test('--interval: a pass every S seconds picks up a push, until SIGTERM (exit 0)', async (t) => {
  await setUp(t);
  const child = spawn(process.execPath, scoutNodeArgs('watch', '--registry', reg.url, '--repository', 'scout/e', '--interval', '1', '--format', 'json'), { env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const passes: PassResult[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => {
    buffered += c.toString();
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      passes.push(JSON.parse(buffered.slice(0, i)) as PassResult);
      buffered = buffered.slice(i + 1);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const until = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 60_000;
    while (!ok()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(passes)} ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  // No such repository yet: a failing pass, and the loop goes on.
  await until(() => passes.length >= 1, 'the first pass');
  assert.equal(passes[0].failures[0]?.code, 'repository-unknown');
  const e1 = await image('e');
  push(e1, 'scout/e:1');
  await until(() => passes.some((p) => p.stored.length), 'a pass that stores the pushed image');
  assert.deepEqual(passes.flatMap((p) => p.stored.map((s) => s.digest)), [e1.manifestDigest]);
  const count = passes.length;
  await until(() => passes.length > count, 'one more pass');
  assert.deepEqual(passes.at(-1)!.stored, []);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});

test('a repository with more tags on the server than a page of 500: every one is read, so those the registry no longer lists are all removed', async (t) => {
  await setUp(t);
  const R = (repo: string) => `${reg.host}/${repo}`;
  const img = await image('many');
  push(img, 'scout/many:1');
  assert.deepEqual(storedOf((await watch()).result), [[R('scout/many'), '1', img.manifestDigest]]);
  // 505 more tags on the server (as if the registry had had them), none in the registry.
  const org = (await server.platform.orgByName('default'))!;
  const extra = Array.from({ length: 505 }, (_, i) => `t${String(i).padStart(3, '0')}`);
  await server.platform.forOrg(org).tagImage(img.manifestDigest, R('scout/many'), extra);
  const pass = await watch();
  assert.equal(pass.code, 0, pass.stderr);
  assert.deepEqual(pass.result.untagged.map((u) => u.tag).sort(), extra, 'the tags past the first page too');
  const left = await api<{ items: RepositoryTag[]; next?: string }>(`/v1/repositories/${encodeURIComponent(R('scout/many'))}/tags?limit=500`);
  assert.deepEqual([left.items.map((x) => x.tag), left.next], [['1'], undefined]);
});
