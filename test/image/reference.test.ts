/**
 * Image references normalise the way Docker's distribution/reference does: these cases follow
 * the grammar and normalisation rules of ParseNormalizedNamed / FamiliarString.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReference } from '../../src/image/reference.js';
import { ScoutError } from '../../src/util/errors.js';

const D = 'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';

function parsed(input: string) {
  const r = parseReference(input);
  return { registry: r.registry, repository: r.repository, tag: r.tag, digest: r.digest, canonical: r.canonical, familiar: r.familiar };
}

test('familiar Docker Hub names get docker.io, library/ and :latest', () => {
  assert.deepEqual(parsed('alpine'), { registry: 'docker.io', repository: 'library/alpine', tag: 'latest', digest: undefined, canonical: 'docker.io/library/alpine:latest', familiar: 'alpine:latest' });
  assert.deepEqual(parsed('alpine:3.19'), { registry: 'docker.io', repository: 'library/alpine', tag: '3.19', digest: undefined, canonical: 'docker.io/library/alpine:3.19', familiar: 'alpine:3.19' });
  assert.deepEqual(parsed('dmcgowan/myapp'), { registry: 'docker.io', repository: 'dmcgowan/myapp', tag: 'latest', digest: undefined, canonical: 'docker.io/dmcgowan/myapp:latest', familiar: 'dmcgowan/myapp:latest' });
  assert.equal(parsed('library/ubuntu').familiar, 'ubuntu:latest');
  assert.equal(parsed('other/library').canonical, 'docker.io/other/library:latest');
  assert.equal(parsed('store/foo/bar').canonical, 'docker.io/store/foo/bar:latest');
  // library/ only disappears from two-component names.
  assert.equal(parsed('docker.io/library/foo/bar').familiar, 'library/foo/bar:latest');
  assert.equal(parsed('ubuntu-12.04-base').canonical, 'docker.io/library/ubuntu-12.04-base:latest');
});

test('docker.io and the legacy index.docker.io are the same registry, with or without library/', () => {
  for (const r of ['debian', 'library/debian', 'docker.io/debian', 'docker.io/library/debian', 'index.docker.io/debian', 'index.docker.io/library/debian']) {
    const p = parsed(r);
    assert.equal(p.canonical, 'docker.io/library/debian:latest', r);
    assert.equal(p.familiar, 'debian:latest', r);
  }
  assert.equal(parsed('index.docker.io/fooo/bar').canonical, 'docker.io/fooo/bar:latest');
});

test('registry hosts: a dot, a port, localhost or upper case marks the first component as a host', () => {
  assert.deepEqual(parsed('localhost:5000/x'), { registry: 'localhost:5000', repository: 'x', tag: 'latest', digest: undefined, canonical: 'localhost:5000/x:latest', familiar: 'localhost:5000/x:latest' });
  assert.equal(parsed('localhost/x').registry, 'localhost');
  assert.equal(parsed('localhost/x').repository, 'x');
  assert.deepEqual([parsed('127.0.0.1:8000/private/moonbase').registry, parsed('127.0.0.1:8000/private/moonbase').repository], ['127.0.0.1:8000', 'private/moonbase']);
  assert.deepEqual([parsed('example.com:8000/privatebase:1').registry, parsed('example.com:8000/privatebase:1').tag], ['example.com:8000', '1']);
  assert.equal(parsed('test.com/foo').registry, 'test.com');
  assert.equal(parsed('test-com:8080/foo').registry, 'test-com:8080');
  assert.equal(parsed('xn--n3h.com:18080/foo').registry, 'xn--n3h.com:18080');
  assert.deepEqual([parsed('test_com/foo').registry, parsed('test_com/foo').repository], ['docker.io', 'test_com/foo']);
  assert.deepEqual([parsed('Foo/bar').registry, parsed('Foo/bar').repository, parsed('Foo/bar').canonical], ['Foo', 'bar', 'Foo/bar:latest']);
  assert.equal(parsed('[fc00::1]:5000/docker/docker').registry, '[fc00::1]:5000');
  assert.equal(parsed('[fc00:1:2:3:4:5:6:7]:5000/library/debian').repository, 'library/debian');
  assert.equal(parsed('ghcr.io/owner/repo/sub:v1').repository, 'owner/repo/sub');
  // A bare host:port without a path is a name and a tag, not a registry.
  assert.deepEqual([parsed('test.com:5000').repository, parsed('test.com:5000').tag], ['library/test.com', '5000']);
  assert.deepEqual([parsed('192.168.0.1:80').repository, parsed('192.168.0.1:80').tag], ['library/192.168.0.1', '80']);
});

test('digests: alone, with a tag (both kept, familiar form too), and on hosts with ports', () => {
  assert.deepEqual(parsed(`redis@${D}`), { registry: 'docker.io', repository: 'library/redis', tag: undefined, digest: D, canonical: `docker.io/library/redis@${D}`, familiar: `redis@${D}` });
  assert.deepEqual(parsed(`busybox:latest@${D}`), { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', digest: D, canonical: `docker.io/library/busybox:latest@${D}`, familiar: `busybox:latest@${D}` });
  assert.deepEqual([parsed(`localhost:5000/app@${D}`).registry, parsed(`localhost:5000/app@${D}`).digest, parsed(`localhost:5000/app@${D}`).tag], ['localhost:5000', D, undefined]);
  assert.equal(parsed(`ghcr.io/o/r:v1@${D}`).familiar, `ghcr.io/o/r:v1@${D}`);
  assert.equal(parsed(`alpine@sha512:${'ab'.repeat(64)}`).digest, `sha512:${'ab'.repeat(64)}`);
});

test('tags: up to 128 characters of [A-Za-z0-9_.-], not starting with . or -', () => {
  assert.equal(parsed('alpine:Latest_1.2-rc').tag, 'Latest_1.2-rc');
  assert.equal(parsed(`alpine:${'a'.repeat(128)}`).tag, 'a'.repeat(128));
  assert.equal(parsed('alpine:_x').tag, '_x');
  assert.equal(parsed('  alpine:3  ').canonical, 'docker.io/library/alpine:3');
});

test('valid repository names from Docker\'s grammar parse', () => {
  for (const r of [
    'docker/docker',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    'docker-rules/docker',
    'docker---rules/docker',
    'd/docker',
    'jess/t',
    'dock__er/docker',
    '192.168.0.1',
    '192.168.0.2:25000/debian',
    'DOCKER/docker',
    'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  ]) {
    assert.doesNotThrow(() => parseReference(r), r);
  }
});

test('invalid references are rejected with a bad-reference error naming the input', () => {
  const invalid = [
    '',
    '   ',
    'ALPINE',
    'Uppercase:tag',
    'docker/Docker',
    'docker.io/docker/Docker',
    'localhost:5000/Foo',
    'https://github.com/docker/docker',
    '-docker',
    '-docker/docker',
    'docker-/docker',
    '-docker.io/docker/docker',
    'docker///docker',
    'docker.io/docker///docker',
    '____/____',
    '_docker/_docker',
    'dock..er/docker',
    'dock_.er/docker',
    'dock-.er/docker',
    'a___b/c',
    'docker/',
    '[fc00::1]',
    '[fc00::1]:5000',
    'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian',
    '[2001:db8:3:4::192.0.2.33]:5000/debian',
    'alpine:',
    'alpine:-x',
    'alpine:.x',
    `alpine:${'a'.repeat(129)}`,
    'alpine@',
    'alpine@sha256:abc',
    `alpine@sha256:${'A'.repeat(64)}`,
    `alpine@${D}x`,
    `${'a'.repeat(120)}/${'b'.repeat(120)}/${'c'.repeat(20)}`,
    'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker',
  ];
  for (const r of invalid) {
    assert.throws(
      () => parseReference(r),
      (err: unknown) => err instanceof ScoutError && err.code === 'bad-reference' && err.message.includes(`"${r}"`),
      JSON.stringify(r),
    );
  }
});

test('Docker refuses a bare image ID as a name and digests of the wrong length for their algorithm', () => {
  assert.throws(() => parseReference('1a3f5e7d1a3f5e7d1a3f5e7d1a3f5e7d1a3f5e7d1a3f5e7d1a3f5e7d1a3fc1b3'), /image ID, not a repository name/);
  assert.throws(() => parseReference('alpine@sha512:' + 'a'.repeat(40)), /sha512 digest must be 128/);
  assert.equal(parseReference('alpine@sha512:' + 'a'.repeat(128)).digest, 'sha512:' + 'a'.repeat(128));
});

test('a registry port out of range names the reference and the port, not a bare "Invalid URL"', () => {
  for (const [ref, port] of [['localhost:99999/x', '99999'], ['reg.example.com:0/a/b:1', '0'], ['127.0.0.1:65536/x', '65536']]) {
    assert.throws(() => parseReference(ref), (err: unknown) => err instanceof ScoutError && err.code === 'bad-reference' && err.message.includes(`"${ref}"`) && err.message.includes(`port ${port}`) && err.message.includes('out of range'), ref);
  }
  assert.equal(parseReference('localhost:65535/x').registry, 'localhost:65535');
});
