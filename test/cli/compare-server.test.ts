// `scout compare --server`: two images stored on a real running server compared from what the
// server stores (nothing scanned or matched here: the image folders are gone and the local cache
// has no advisory database), with the base image each is built on. The stored comparison must
// equal the local one of the same two images (the server and the local database hold the same
// advisory bundle).
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Comparison } from '../../src/platform/compare.js';
import { layoutOf, npmApp } from '../helpers/npm-app.js';
import { scoutAsync, startTestServer } from '../helpers/platform-server.js';
import { tempDir } from '../helpers/tmp.js';
import { importedCache } from '../report/helpers.js';

const debian = (point: string) => ({ 'etc/os-release': `ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12.${point}"\n` });
const ALPINE = { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.0\nPRETTY_NAME="Alpine Linux v3.20"\n' };
const OLD_APP = npmApp({ lodash: '4.17.15', express: '4.19.2', 'left-pad': '1.3.0', minimist: '1.2.8' });
const NEW_APP = { ...npmApp({ lodash: '4.17.21', express: '4.18.0', jsonwebtoken: '8.5.1', minimist: '1.2.8' }), 'app/big.bin': Buffer.alloc(200_000, 7) };

test('compare --server: stored images compared as stored, equal to the local comparison, with the base image change', async (t) => {
  const server = await startTestServer(t);
  const token = readFileSync(join(server.dataDir, 'admin-token'), 'utf8').trim();
  const env = { SCOUT_TOKEN: token, SCOUT_CACHE_DIR: tempDir(), SCOUT_CONFIG_DIR: tempDir() };
  const run = (args: string[], e: Record<string, string> = env) => scoutAsync(['compare', ...args], e);

  // Public catalogue: debian 12.0 (one tag), its point release 12.1 (two tags), alpine.
  const bases = { '12.0': await layoutOf([debian('0')]), '12.1': await layoutOf([debian('1')]), alpine: await layoutOf([ALPINE]) };
  for (const [dir, repository, tags] of [[bases['12.0'], 'debian', ['12.0']], [bases['12.1'], 'debian', ['12.1', '12']], [bases.alpine, 'alpine', ['3.20']]] as const) {
    const r = await scoutAsync(['server', 'catalog', 'add', dir, '--repository', repository, '--tag', ...tags, '--data-dir', server.dataDir], env);
    assert.equal(r.code, 0, r.stderr);
  }
  // The application: 1.0 on debian 12.0; 2.0 (new packages) on 12.1; 2.0-alpine the same on
  // alpine; odd on a base nobody stored.
  const apps = {
    '1.0': await layoutOf([debian('0'), OLD_APP]),
    '2.0': await layoutOf([debian('1'), NEW_APP]),
    '2.0-alpine': await layoutOf([ALPINE, NEW_APP]),
    odd: await layoutOf([{ 'etc/os-release': 'ID=scratchy\nVERSION_ID=1\n' }, NEW_APP]),
  };
  const digests: Record<string, string> = {};
  for (const [tag, dir] of Object.entries(apps)) {
    const r = await scoutAsync(['push', dir, '--server', server.url, '--repository', 'acme/app', '--tag', tag, '--format', 'json'], env);
    assert.equal(r.code, 0, r.stderr);
    digests[tag] = (JSON.parse(r.stdout) as { image: { digest: string } }).image.digest;
  }
  // The local comparison of the same two images, before their folders go.
  const localCache = importedCache();
  const local = await run([apps['2.0'], '--to', apps['1.0'], '--format', 'json'], { ...env, SCOUT_CACHE_DIR: localCache });
  assert.equal(local.code, 0, local.stderr);
  const expected = JSON.parse(local.stdout) as Comparison;
  assert.ok(expected.packages.changed.length > 0 && expected.findings.added.length > 0 && expected.findings.removed.length > 0, 'the fixture changes packages and findings both ways');
  for (const dir of Object.values(apps)) rmSync(dir, { recursive: true });

  const stored = await run(['acme/app:2.0', '--to', 'acme/app:1.0', '--server', server.url, '--format', 'json']);
  assert.equal(stored.code, 0, stored.stderr);
  const c = JSON.parse(stored.stdout) as Comparison;
  assert.deepEqual(c.packages, expected.packages);
  assert.deepEqual(c.findings, expected.findings);
  assert.deepEqual(c.sizeDelta, expected.sizeDelta);
  for (const side of ['image', 'to'] as const) {
    const { reference: _r, ...want } = expected[side];
    const { reference, ...got } = c[side];
    assert.deepEqual(got, want, side);
    assert.equal(reference, side === 'image' ? 'acme/app:2.0' : 'acme/app:1.0');
  }
  assert.equal(c.image.digest, digests['2.0']);
  assert.equal(expected.baseImage, undefined, 'a local comparison does not know base images');
  assert.equal(c.baseImage?.change, 'updated');
  assert.deepEqual([c.baseImage.image?.repository, c.baseImage.image?.tags, c.baseImage.image?.layers, c.baseImage.image?.catalog], ['debian', ['12', '12.1'], 1, true]);
  assert.deepEqual([c.baseImage.to?.repository, c.baseImage.to?.tags], ['debian', ['12.0']]);
  assert.notEqual(c.baseImage.image?.digest, c.baseImage.to?.digest);

  // Another repository's base is a replacement; a base nobody stored is a removal; the same
  // image (by digest, and by tag) is unchanged everywhere.
  const text = await run(['acme/app:2.0-alpine', '--to', 'acme/app:2.0', '--server', server.url]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^base image\s+alpine:3\.20 \(1 layers, public catalogue\)\s+debian:12, :12\.1 \(1 layers, public catalogue\)\s+replaced$/m);
  assert.match(text.stdout, /Packages: 0 added, 0 removed, 0 changed/);
  const md = await run(['acme/app:odd', '--to', 'acme/app:1.0', '--server', server.url, '--format', 'markdown']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^\| base image \| none known \| debian:12\.0 \(1 layers, public catalogue\) \| removed \|$/m);
  const same = await run([digests['2.0'], '--to', 'acme/app:2.0', '--server', server.url, '--format', 'json', '--exit-on', 'vulnerability,package']);
  assert.equal(same.code, 0, same.stderr);
  const s = JSON.parse(same.stdout) as Comparison;
  assert.equal(s.baseImage?.change, 'unchanged');
  assert.deepEqual([s.packages.added.length, s.packages.removed.length, s.packages.changed.length, s.findings.added.length, s.findings.removed.length], [0, 0, 0, 0, 0]);

  // --exit-on reads the stored comparison; an image the server does not have is named.
  assert.equal((await run(['acme/app:2.0', '--to', 'acme/app:1.0', '--server', server.url, '--exit-on', 'vulnerability'])).code, 2);
  const missing = await run(['acme/app:9.9', '--to', 'acme/app:1.0', '--server', server.url]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no stored image acme\/app:9\.9/);
});
