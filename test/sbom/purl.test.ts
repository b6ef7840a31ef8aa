// One test per place where we depart from packageurl-js, plus purlFor for the OS catalogers
// and hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPurl, canonicalPurl, distroQualifier, parsePurl, purlFor, tryParsePurl } from '../../src/sbom/purl.js';

test('fix 1: canonical encoding keeps ":" literal and encodes "+" and "/" in qualifier values', () => {
  assert.equal(
    buildPurl({ type: 'deb', namespace: 'debian', name: 'attr', version: '1:2.4.47-2+b1', qualifiers: { arch: 'amd64', vcs_url: 'git+https://x.org/a' } }),
    'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64&vcs_url=git%2Bhttps:%2F%2Fx.org%2Fa',
  );
  assert.equal(buildPurl({ type: 'bazel', name: 'rules_java', version: '8.5.0', subpath: 'java/runfiles:runfiles' }), 'pkg:bazel/rules_java@8.5.0#java/runfiles:runfiles');
  assert.equal(buildPurl({ type: 'generic', name: 'a b', version: "1(x)!" }), 'pkg:generic/a%20b@1%28x%29%21');
});

test('fix 2: a literal "+" in a qualifier value stays a plus', () => {
  assert.equal(parsePurl('pkg:deb/debian/libstdc%2B%2B6@12?upstream=gcc+12').qualifiers?.upstream, 'gcc+12');
  assert.equal(parsePurl('pkg:deb/debian/libstdc%2B%2B6@12').name, 'libstdc++6');
});

test('fix 3: "@" is a version separator only after the last "/"', () => {
  assert.throws(() => parsePurl('pkg:vcpkg/@1.0.8'), /name is required/);
  const p = parsePurl('pkg:npm/@babel/core');
  assert.equal(p.namespace, '@babel');
  assert.equal(p.name, 'core');
  assert.equal(p.version, undefined);
  assert.equal(parsePurl('pkg:npm/@babel/core@7.0.0').version, '7.0.0');
});

test('fix 4: strict parsing rejects uppercase type-specific qualifier keys; canonicalPurl lowercases them', () => {
  assert.throws(() => parsePurl('pkg:gem/jruby-launcher@1.1.2?Platform=java'), /not lowercase/);
  assert.equal(canonicalPurl('pkg:gem/jruby-launcher@1.1.2?Platform=java'), 'pkg:gem/jruby-launcher@1.1.2?platform=java');
  assert.equal(parsePurl('pkg:maven/a/b@1?Repository_URL=r').qualifiers?.repository_url, 'r');
});

test('fix 5: npm names keep their case', () => {
  assert.equal(buildPurl({ type: 'npm', name: 'JSONStream', version: '1.3.5' }), 'pkg:npm/JSONStream@1.3.5');
  assert.equal(canonicalPurl('pkg:npm/%40Types/node@20.0.0'), 'pkg:npm/%40types/node@20.0.0');
});

test('fix 6: type rules from the purl type definitions', () => {
  assert.equal(canonicalPurl('pkg:brew/Homebrew/Core/SQLite@3'), 'pkg:brew/homebrew/core/sqlite@3');
  assert.deepEqual(parsePurl('pkg:git/codeberg.org/forgejo/forgejo@abc'), { type: 'git', namespace: 'codeberg.org', name: 'forgejo/forgejo', version: 'abc' });
  assert.throws(() => parsePurl('pkg:chrome-extension/dogs'), /32 letters/);
  assert.throws(() => parsePurl('pkg:cpan/URI::PackageURL'), /module names/);
  assert.throws(() => parsePurl('pkg:julia/Dates'), /uuid/);
  assert.throws(() => buildPurl({ type: 'vcpkg', namespace: 'boost', name: 'asio' }), /no namespace/);
  assert.throws(() => buildPurl({ type: 'vscode-extension', name: 'java' }), /need a namespace/);
});

test('purlFor: deb with arch, distro and source package', () => {
  assert.equal(
    purlFor({ type: 'deb', namespace: 'debian', name: 'libssl3', version: '3.0.15-1~deb12u1', arch: 'amd64', distro: 'debian-12', upstream: 'openssl' }),
    'pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl',
  );
  // A binary package named like its source gets no upstream qualifier.
  assert.equal(purlFor({ type: 'deb', namespace: 'debian', name: 'bash', version: '5.2.15-2+b7', arch: 'amd64', distro: 'debian-12', upstream: 'bash' }), 'pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12');
});

test('purlFor: rpm with epoch, arch, distro and source rpm; epoch 0 left out', () => {
  assert.equal(
    purlFor({ type: 'rpm', namespace: 'redhat', name: 'openssl-libs', version: '3.0.7-27.el9', epoch: 1, arch: 'x86_64', distro: 'rhel-9.4', upstream: 'openssl-3.0.7-27.el9.src.rpm' }),
    'pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm',
  );
  assert.equal(purlFor({ type: 'rpm', namespace: 'redhat', name: 'bash', version: '5.1-1', epoch: 0 }), 'pkg:rpm/redhat/bash@5.1-1');
});

test('purlFor: apk with arch, distro and origin', () => {
  assert.equal(
    purlFor({ type: 'apk', namespace: 'alpine', name: 'libcrypto3', version: '3.3.2-r0', arch: 'x86_64', distro: distroQualifier({ id: 'alpine', versionId: '3.20' }), upstream: 'openssl' }),
    'pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20&upstream=openssl',
  );
});

test('purlFor never throws: fields that cannot form the purl give a generic one', () => {
  assert.equal(purlFor({ type: 'pypi', namespace: 'not-allowed', name: 'requests', version: '2.0' }), 'pkg:generic/requests@2.0');
  assert.equal(purlFor({ type: '', name: '' }), 'pkg:generic/unknown');
});

test('hostile purl strings are rejected with a clear error, never a crash', () => {
  for (const bad of ['', 'pkg:', 'pkg:/x', 'http://x/y', 'pkg:npm/%E0%A4%A', 'pkg:npm/a?=x', 'pkg:' + 'a'.repeat(9000) + '/b']) {
    assert.throws(() => parsePurl(bad), /invalid package URL/, bad);
    assert.equal(tryParsePurl(bad), undefined);
  }
  assert.throws(() => parsePurl('pkg:npm/a?x=1&x=2'), /duplicate qualifier/);
});
