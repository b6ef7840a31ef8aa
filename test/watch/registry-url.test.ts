import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRepositoryNames, isReferrerTag, parseRegistryUrl } from '../../src/watch/registry-view.js';
import { serverRepository } from '../../src/watch/pass.js';
import { ScoutError } from '../../src/util/errors.js';

test('--registry: host[:port] or an http(s) URL; http:// means plain HTTP; paths, credentials and other schemes are refused', () => {
  assert.deepEqual(parseRegistryUrl('registry.example.com'), { registry: 'registry.example.com', insecure: false });
  assert.deepEqual(parseRegistryUrl('https://registry.example.com:8443/'), { registry: 'registry.example.com:8443', insecure: false });
  assert.deepEqual(parseRegistryUrl('http://10.0.0.5:5000'), { registry: '10.0.0.5:5000', insecure: true });
  assert.deepEqual(parseRegistryUrl('localhost:5000'), { registry: 'localhost:5000', insecure: false });
  const refused = (s: string, pattern: RegExp) => assert.throws(() => parseRegistryUrl(s), (e: unknown) => e instanceof ScoutError && e.code === 'bad-option' && pattern.test(e.message), s);
  refused('https://r.example.com/team/app', /registry's address only/);
  refused('https://user:pw@r.example.com', /registry's address only/);
  refused('ftp://r.example.com', /only http:\/\/ and https:\/\//);
  refused('http://', /not a registry address/);
});

test('referrer and cosign tags are told from ordinary ones', () => {
  const hex = 'a'.repeat(64);
  for (const t of [`sha256-${hex}`, `sha256-${hex}.sig`, `sha256-${hex}.att`, `sha256-${hex}.sbom`]) assert.equal(isReferrerTag(t), true, t);
  for (const t of ['latest', '1.0', `sha256-${hex.slice(1)}`, `v-sha256-${hex}`, 'sha256']) assert.equal(isReferrerTag(t), false, t);
});

test('repository names are checked; the server files them under the registry host as push does (Docker Hub\'s library/ too)', () => {
  checkRepositoryNames(['team/app', 'a', 'x/y-z_w.v/q']);
  assert.throws(() => checkRepositoryNames(['team/App']), /--repository "team\/App" is not a repository name/);
  assert.throws(() => checkRepositoryNames(['../etc']), /is not a repository name/);
  assert.equal(serverRepository('127.0.0.1:5000', 'scout/a'), '127.0.0.1:5000/scout/a');
  assert.equal(serverRepository('docker.io', 'alpine'), 'docker.io/library/alpine');
});
