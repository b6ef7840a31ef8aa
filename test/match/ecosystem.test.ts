import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ecosystemFor, type EcosystemMapping } from '../../src/match/ecosystem.js';
import { deb, pkg } from './helpers.js';

function q(m: EcosystemMapping) {
  assert.ok(m.ok, m.ok ? '' : m.reason);
  return { ecosystems: m.query.ecosystems, name: m.query.name, version: m.query.version, scheme: m.query.scheme.name, os: m.query.os };
}

test('Debian and Ubuntu: source package and numbered release from the distro qualifier or the SBOM', () => {
  assert.deepEqual(q(ecosystemFor(deb('libc6', '2.36-9+deb12u1', 'glibc'))), { ecosystems: ['Debian:12'], name: 'glibc', version: '2.36-9+deb12u1', scheme: 'dpkg', os: true });
  // No qualifier: the SBOM's os-release decides; a codename alone is enough for Debian.
  const bare = pkg({ name: 'apt', version: '2.6.1', purl: 'pkg:deb/debian/apt@2.6.1' });
  assert.deepEqual(q(ecosystemFor(bare, { id: 'debian', versionCodename: 'bookworm' })).ecosystems, ['Debian:12']);
  assert.deepEqual(q(ecosystemFor(bare, { id: 'ubuntu', versionId: '22.04' })).ecosystems, ['Ubuntu:22.04', 'Ubuntu:22.04:LTS']);
  // The upstream qualifier names the source when Package.source is missing (SBOM read from CycloneDX).
  const fromPurl = pkg({ name: 'libssl3', version: '3.0.11-1~deb12u2', purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12&upstream=openssl' });
  assert.equal(q(ecosystemFor(fromPurl)).name, 'openssl');
  // A binNMU is compared by its source version.
  const binnmu = pkg({ name: 'libfoo1', version: '1.0-1+b1', purl: 'pkg:deb/debian/libfoo1@1.0-1%2Bb1?distro=debian-12&upstream=foo%401.0-1', source: { name: 'foo', version: '1.0-1' } });
  assert.equal(q(ecosystemFor(binnmu)).version, '1.0-1');
  const sid = ecosystemFor(bare, { id: 'debian' });
  assert.equal(sid.ok, false);
  assert.equal(!sid.ok && sid.code, 'unknown-release');
});

test('Alpine by origin and branch; RPM distributions by release', () => {
  const apk = pkg({ name: 'libcrypto3', version: '3.3.2-r0', purl: 'pkg:apk/alpine/libcrypto3@3.3.2-r0?distro=alpine-3.20.3&upstream=openssl' });
  assert.deepEqual(q(ecosystemFor(apk)), { ecosystems: ['Alpine:v3.20'], name: 'openssl', version: '3.3.2-r0', scheme: 'apk', os: true });
  const rpm = pkg({ name: 'openssl-libs', version: '1:3.0.7-25.el9_3', purl: 'pkg:rpm/almalinux/openssl-libs@3.0.7-25.el9_3?epoch=1&distro=almalinux-9.3' });
  assert.deepEqual(q(ecosystemFor(rpm)), { ecosystems: ['AlmaLinux:9'], name: 'openssl-libs', version: '1:3.0.7-25.el9_3', scheme: 'rpm', os: true });
  const rhel = ecosystemFor(pkg({ name: 'bash', version: '5.1-1', purl: 'pkg:rpm/rhel/bash@5.1-1?distro=rhel-9.4' }));
  assert.equal(!rhel.ok && rhel.code, 'unknown-distro');
});

test('language packages by their OSV names', () => {
  const cases: [string, string, string][] = [
    ['pkg:npm/%40babel/core@7.0.0', 'npm', '@babel/core'],
    ['pkg:pypi/Django_Rest.Framework@3.0', 'PyPI', 'django-rest-framework'],
    ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', 'Maven', 'org.apache.logging.log4j:log4j-core'],
    ['pkg:golang/github.com/gin-gonic/gin@v1.9.0', 'Go', 'github.com/gin-gonic/gin'],
    ['pkg:golang/stdlib@v1.21.0', 'Go', 'stdlib'],
    ['pkg:cargo/smallvec@1.6.0', 'crates.io', 'smallvec'],
    ['pkg:gem/rails@7.0.0', 'RubyGems', 'rails'],
    ['pkg:nuget/Newtonsoft.Json@12.0.1', 'NuGet', 'Newtonsoft.Json'],
    ['pkg:composer/symfony/http-kernel@5.4.0', 'Packagist', 'symfony/http-kernel'],
  ];
  for (const [purl, eco, name] of cases) {
    const p = pkg({ name: 'n', version: purl.slice(purl.lastIndexOf('@') + 1), purl });
    const m = q(ecosystemFor(p));
    assert.deepEqual([m.ecosystems, m.name, m.os], [[eco], name, false], purl);
  }
  const generic = ecosystemFor(pkg({ name: 'x', version: '1', purl: 'pkg:generic/x@1' }));
  assert.equal(!generic.ok && generic.code, 'unsupported-type');
  const noVersion = ecosystemFor(pkg({ name: 'x', version: '', purl: 'pkg:npm/x' }));
  assert.equal(!noVersion.ok && noVersion.code, 'no-version');
});
