// Which advisory ecosystem each distribution's packages are looked up in, from the os-release
// a real image ships: the os-release text goes through the same parser and purl builder the
// catalogers use, so the test holds the whole path from /etc/os-release to the OSV ecosystem
// string. The os-release lines are those of the named images; the ecosystem strings are the ones
// OSV's feeds write (https://ossf.github.io/osv-schema/#affectedpackage-field).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distroFromFields, parseOsRelease } from '../../src/catalog/os-release.js';
import { debPurl } from '../../src/catalog/dpkg/purl.js';
import { ecosystemFor, parseDistroQualifier, type EcosystemMapping } from '../../src/match/ecosystem.js';
import type { DistroInfo } from '../../src/sbom/model.js';
import { distroQualifier, purlFor } from '../../src/sbom/purl.js';
import { pkg } from './helpers.js';

function distro(osRelease: string): DistroInfo {
  const d = distroFromFields(parseOsRelease(osRelease));
  assert.ok(d, 'os-release without ID');
  return d;
}

/** A package as the apk or rpm cataloger builds it for an image with this distro. */
function osPackage(type: 'apk' | 'rpm', d: DistroInfo | undefined, name: string, version: string, upstream?: string) {
  return pkg({ name, version, purl: purlFor({ type, namespace: d?.id, name, version, distro: distroQualifier(d), upstream }), ...(d ? { namespace: d.id } : {}) });
}

function ok(m: EcosystemMapping) {
  assert.ok(m.ok, m.ok ? '' : `${m.code}: ${m.reason}`);
  return m.query;
}

function notMatchable(m: EcosystemMapping) {
  assert.ok(!m.ok, 'expected no advisory query');
  return { code: m.code, reason: m.reason };
}

const RPM_IMAGES: [image: string, osRelease: string, ecosystem: string][] = [
  ['almalinux:9.3', 'NAME="AlmaLinux"\nVERSION="9.3 (Shamrock Pampas Cat)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"', 'AlmaLinux:9'],
  ['rockylinux:9.3', 'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"', 'Rocky Linux:9'],
  ['mageia:9', 'NAME="Mageia"\nVERSION="9"\nID=mageia\nVERSION_ID=9\nID_LIKE="mandriva fedora"', 'Mageia:9'],
  ['azurelinux/base/core:3.0', 'NAME="Microsoft Azure Linux"\nVERSION="3.0.20240727"\nID=azurelinux\nVERSION_ID="3.0"', 'Azure Linux:3'],
  ['photon:5.0', 'NAME="VMware Photon OS"\nVERSION="5.0"\nID=photon\nVERSION_ID=5.0', 'Photon OS:5.0'],
  // OSV writes the LTS and service pack (test/match/openeuler.test.ts); only PRETTY_NAME has them.
  ['openeuler/openeuler:22.03-lts-sp3', 'NAME="openEuler"\nVERSION="22.03 (LTS-SP3)"\nID="openEuler"\nVERSION_ID="22.03"\nPRETTY_NAME="openEuler 22.03 (LTS-SP3)"', 'openEuler:22.03-LTS-SP3'],
  ['opensuse/leap:15.5', 'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"', 'openSUSE:Leap 15.5'],
  ['registry.suse.com/bci/bci-base:15.5', 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nID="sles"\nID_LIKE="suse"', 'SUSE:Linux Enterprise Server 15 SP5'],
  ['SLES 15 GA', 'NAME="SLES"\nVERSION="15"\nVERSION_ID="15"\nID="sles"', 'SUSE:Linux Enterprise Server 15'],
];

test('RPM distributions: the release from os-release names the OSV ecosystem, by binary package', () => {
  for (const [image, osRelease, ecosystem] of RPM_IMAGES) {
    const d = distro(osRelease);
    // As the matcher asks: the package and the SBOM's distro.
    const q = ok(ecosystemFor(osPackage('rpm', d, 'openssl-libs', '3.0.7-25', 'openssl-3.0.7-25.src.rpm'), d));
    assert.deepEqual([q.ecosystems, q.name, q.version, q.scheme.name, q.os], [[ecosystem], 'openssl-libs', '3.0.7-25', 'rpm', true], image);
    // The same answer from the SBOM's distro when the purl has no distro qualifier (an SBOM read
    // from another tool).
    const bare = pkg({ name: 'openssl-libs', version: '3.0.7-25', purl: `pkg:rpm/${d.id}/openssl-libs@3.0.7-25` });
    assert.deepEqual(ok(ecosystemFor(bare, d)).ecosystems, [ecosystem], image);
  }
});

test('RPM distributions without a release say which release is missing and where the distro came from', () => {
  const cases: [id: string, reason: string][] = [
    ['almalinux', 'almalinux release unknown (purl qualifier distro=almalinux)'],
    ['rocky', 'rocky release unknown (purl qualifier distro=rocky)'],
    ['mageia', 'mageia release unknown (purl qualifier distro=mageia)'],
    ['azurelinux', 'azurelinux release unknown (purl qualifier distro=azurelinux)'],
    ['photon', 'Photon OS release unknown (purl qualifier distro=photon)'],
    ['openeuler', 'openEuler release unknown (purl qualifier distro=openeuler)'],
    ['opensuse-leap', 'openSUSE Leap release unknown (purl qualifier distro=opensuse-leap)'],
    ['sles', 'SLES release unknown (purl qualifier distro=sles)'],
  ];
  for (const [id, reason] of cases) {
    const m = ecosystemFor(osPackage('rpm', { id }, 'bash', '5.1-1'));
    assert.deepEqual(notMatchable(m), { code: 'unknown-release', reason }, id);
  }
  // A release that is not a number is no release either.
  const bare = pkg({ name: 'bash', version: '5.1-1', purl: 'pkg:rpm/bash@5.1-1' });
  assert.deepEqual(notMatchable(ecosystemFor(bare, { id: 'rocky', versionId: 'rolling' })), { code: 'unknown-release', reason: 'rocky release unknown (SBOM distro rocky rolling)' });
  assert.equal(notMatchable(ecosystemFor(bare, { id: 'sles', versionId: 'SP5' })).code, 'unknown-release');
  // Fedora and RHEL images: no OSV ecosystem of their own here.
  const fedora = distro('NAME=Fedora\nVERSION="40 (Container Image)"\nID=fedora\nVERSION_ID=40');
  assert.deepEqual(notMatchable(ecosystemFor(osPackage('rpm', fedora, 'bash', '5.2.26-3.fc40'))), {
    code: 'unknown-distro',
    reason: "no advisory ecosystem for rpm packages of distribution 'fedora' (purl qualifier distro=fedora-40)",
  });
});

test('Photon releases written without a minor version, and SLES service pack 0, keep the ecosystem OSV writes', () => {
  assert.deepEqual(ok(ecosystemFor(osPackage('rpm', { id: 'photon', versionId: '4' }, 'bash', '5.1-1'))).ecosystems, ['Photon OS:4.0']);
  assert.deepEqual(ok(ecosystemFor(osPackage('rpm', { id: 'photon', versionId: '3.0' }, 'bash', '5.1-1'))).ecosystems, ['Photon OS:3.0']);
  assert.deepEqual(ok(ecosystemFor(osPackage('rpm', { id: 'sles', versionId: '15.0' }, 'bash', '5.1-1'))).ecosystems, ['SUSE:Linux Enterprise Server 15']);
  assert.deepEqual(ok(ecosystemFor(osPackage('rpm', { id: 'sles', versionId: '12.10' }, 'bash', '5.1-1'))).ecosystems, ['SUSE:Linux Enterprise Server 12 SP10']);
});

test('Alpine, Wolfi and Chainguard: apk packages by origin, Alpine by branch', () => {
  const alpine = distro('NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"');
  const q = ok(ecosystemFor(osPackage('apk', alpine, 'libcrypto3', '3.3.2-r0', 'openssl')));
  assert.deepEqual([q.ecosystems, q.name, q.scheme.name], [['Alpine:v3.20'], 'openssl', 'apk']);
  assert.deepEqual(q.derivation, [
    'purl pkg:apk/alpine/libcrypto3@3.3.2-r0?distro=alpine-3.20.3&upstream=openssl',
    'distro alpine 3.20.3 from purl qualifier distro=alpine-3.20.3 → Alpine:v3.20',
    'source package openssl (purl qualifier upstream)',
  ]);
  // alpine:edge between releases: a pre-release of the next branch.
  const edge = distro('NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.21.0_alpha20240807\nPRETTY_NAME="Alpine Linux edge"');
  assert.deepEqual(ok(ecosystemFor(osPackage('apk', edge, 'busybox', '1.36.1-r31'))).ecosystems, ['Alpine:edge']);
  const busybox = pkg({ name: 'busybox', version: '1.36.1-r31', purl: 'pkg:apk/alpine/busybox@1.36.1-r31' });
  assert.deepEqual(ok(ecosystemFor(busybox, { id: 'alpine', versionId: 'edge' })).ecosystems, ['Alpine:edge']);
  // A version that only names a major release is not a branch.
  assert.deepEqual(notMatchable(ecosystemFor(osPackage('apk', { id: 'alpine', versionId: '3' }, 'busybox', '1.36.1-r31'))), {
    code: 'unknown-release',
    reason: 'Alpine branch unknown (purl qualifier distro=alpine-3)',
  });
  // An apk package whose purl has only the namespace (no qualifier, no SBOM distro).
  assert.deepEqual(notMatchable(ecosystemFor(busybox)), { code: 'unknown-release', reason: 'Alpine branch unknown (purl namespace alpine)' });
  // Wolfi and Chainguard have one rolling ecosystem each, whatever the os-release date.
  const wolfi = distro('ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"');
  assert.deepEqual(ok(ecosystemFor(osPackage('apk', wolfi, 'glibc', '2.40-r3'))).ecosystems, ['Wolfi']);
  const chainguard = distro('ID=chainguard\nNAME="Chainguard"\nPRETTY_NAME="Chainguard"\nVERSION_ID="20230214"');
  assert.deepEqual(ok(ecosystemFor(osPackage('apk', chainguard, 'glibc', '2.40-r3'))).ecosystems, ['Chainguard']);
  assert.deepEqual(ok(ecosystemFor(pkg({ name: 'glibc', version: '2.40-r3', purl: 'pkg:apk/wolfi/glibc@2.40-r3' }))).ecosystems, ['Wolfi']);
});

test('Debian and Ubuntu: release from the version, else the codename, and the derivation says which', () => {
  const bookworm = distro('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian');
  const libc = pkg({ name: 'libc6', version: '2.36-9+deb12u7', purl: debPurl('libc6', '2.36-9+deb12u7', 'amd64', bookworm, { name: 'glibc' }), namespace: 'debian', source: { name: 'glibc', version: '2.36-9+deb12u7' } });
  assert.deepEqual(ok(ecosystemFor(libc, bookworm)).derivation, [
    'purl pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc',
    'distro debian 12 from purl qualifier distro=debian-12 → Debian:12',
    'source package glibc (Package.source)',
  ]);
  // A point release names its major release.
  assert.deepEqual(ok(ecosystemFor(pkg({ name: 'apt', version: '2.2.4', purl: 'pkg:deb/debian/apt@2.2.4?distro=debian-11.9' }))).ecosystems, ['Debian:11']);
  // Testing has a codename and no VERSION_ID: the codename's number, from the SBOM's distro.
  const trixie = distro('PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=trixie\nID=debian');
  const apt = pkg({ name: 'apt', version: '2.9.8', purl: debPurl('apt', '2.9.8', 'amd64', trixie, undefined), namespace: 'debian' });
  const q = ok(ecosystemFor(apt, trixie));
  assert.deepEqual([q.ecosystems, q.derivation[1]], [['Debian:13'], 'distro debian from purl qualifier distro=debian → Debian:13']);
  // The codename is taken from the SBOM only when it describes the same distribution.
  const m = ecosystemFor(apt, { id: 'ubuntu', versionId: '24.04', versionCodename: 'trixie' });
  assert.deepEqual(notMatchable(m), {
    code: 'unknown-release',
    reason: 'Debian release unknown (purl qualifier distro=debian); testing/sid have no numbered advisory ecosystem',
  });
  // Without a qualifier the SBOM's distro is the source, named in the derivation.
  const bare = pkg({ name: 'apt', version: '2.6.1', purl: 'pkg:deb/debian/apt@2.6.1' });
  assert.equal(ok(ecosystemFor(bare, bookworm)).derivation[1], 'distro debian 12 from SBOM distro debian 12 → Debian:12');
  assert.deepEqual(notMatchable(ecosystemFor(bare, { id: 'Debian' })), {
    code: 'unknown-release',
    reason: 'Debian release unknown (SBOM distro Debian); testing/sid have no numbered advisory ecosystem',
  });
  // An unknown codename, or none, leaves the release unknown.
  assert.equal(notMatchable(ecosystemFor(bare, { id: 'debian', versionCodename: 'sid' })).code, 'unknown-release');

  const jammy = distro('PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian');
  const bash = pkg({ name: 'bash', version: '5.1-6ubuntu1.1', purl: debPurl('bash', '5.1-6ubuntu1.1', 'amd64', jammy, undefined), namespace: 'ubuntu' });
  assert.deepEqual(ok(ecosystemFor(bash, jammy)).ecosystems, ['Ubuntu:22.04', 'Ubuntu:22.04:LTS']);
  // Ubuntu's advisories need the YY.MM release exactly.
  for (const versionId of ['22', '22.04.4', undefined]) {
    const p = pkg({ name: 'bash', version: '5.1-6', purl: 'pkg:deb/ubuntu/bash@5.1-6' });
    const r = notMatchable(ecosystemFor(p, { id: 'ubuntu', versionId }));
    assert.deepEqual(r, { code: 'unknown-release', reason: `Ubuntu release unknown (SBOM distro ubuntu${versionId ? ' ' + versionId : ''})` }, String(versionId));
  }
});

test('a binary built from another source version is compared by the source version, and says so', () => {
  const binnmu = pkg({ name: 'libfoo1', version: '1.0-1+b1', purl: 'pkg:deb/debian/libfoo1@1.0-1%2Bb1?distro=debian-12&upstream=foo%401.0-1' });
  const q = ok(ecosystemFor(binnmu));
  assert.deepEqual([q.name, q.version], ['foo', '1.0-1']);
  assert.deepEqual(q.derivation.slice(2), ['source package foo (purl qualifier upstream)', 'source version 1.0-1 (binary 1.0-1+b1)']);
  // Same source version as the binary: no such line.
  const same = pkg({ name: 'libfoo1', version: '1.0-1', purl: 'pkg:deb/debian/libfoo1@1.0-1?distro=debian-12&upstream=foo', source: { name: 'foo', version: '1.0-1' } });
  assert.deepEqual(ok(ecosystemFor(same)).derivation.slice(2), ['source package foo (Package.source)']);
  // No source recorded anywhere: the binary's own name.
  const own = pkg({ name: 'foo', version: '1.0-1', purl: 'pkg:deb/debian/foo@1.0-1?distro=debian-12' });
  assert.deepEqual(ok(ecosystemFor(own)).derivation.slice(2), ['source package foo (package name (no source package recorded))']);
  // Alpine advisories name the origin, but apk versions are the binary's own (no source version).
  const apk = pkg({ name: 'libssl3', version: '3.3.2-r0', purl: 'pkg:apk/alpine/libssl3@3.3.2-r0?distro=alpine-3.20.3&upstream=openssl%403.3.1-r0' });
  assert.deepEqual([ok(ecosystemFor(apk)).name, ok(ecosystemFor(apk)).version], ['openssl', '3.3.2-r0']);
  // RPM distributions publish per binary package: the source RPM is not the advisory name.
  const rpm = osPackage('rpm', { id: 'rocky', versionId: '9.3' }, 'openssl-libs', '3.0.7-25', 'openssl-3.0.7-25.src.rpm');
  assert.deepEqual([ok(ecosystemFor(rpm)).name, ok(ecosystemFor(rpm)).derivation.length], ['openssl-libs', 2]);
  // The source version is what must be present: a binary with only a source version still matches.
  const onlySource = pkg({ name: 'libbar', version: '', purl: 'pkg:deb/debian/libbar?distro=debian-12&upstream=bar%402.0-1' });
  assert.equal(ok(ecosystemFor(onlySource)).version, '2.0-1');
  const noVersion = pkg({ name: 'libbar', version: '', purl: 'pkg:rpm/rocky/libbar?distro=rocky-9' });
  assert.deepEqual(notMatchable(ecosystemFor(noVersion)), { code: 'no-version', reason: 'package has no version' });
});

test('OS packages with no distro anywhere, and purls that cannot be read', () => {
  const noDistro = pkg({ name: 'bash', version: '5.1-1', purl: 'pkg:rpm/bash@5.1-1' });
  assert.deepEqual(notMatchable(ecosystemFor(noDistro)), { code: 'unknown-distro', reason: 'rpm package without a distro qualifier, namespace or SBOM distro' });
  // An unreadable purl: the package's own type and namespace still lead to its distribution.
  const broken = pkg({ name: 'busybox', version: '1.36.1-r31', purl: 'pkg:apk/wolfi/busybox@1.36.1-r31?distro=%zz', type: 'apk', namespace: 'wolfi' });
  const q = ok(ecosystemFor(broken));
  assert.deepEqual([q.ecosystems, q.derivation[0], q.derivation[1]], [['Wolfi'], 'type apk (purl unreadable)', 'distro wolfi from purl namespace wolfi → Wolfi']);
  const unknown = pkg({ name: 'x', version: '1', purl: 'not a purl', type: '' });
  assert.deepEqual(notMatchable(ecosystemFor(unknown)), { code: 'unsupported-type', reason: "no advisory ecosystem for purl type 'unknown'" });
});

test('language packages: namespaces OSV needs, the Go toolchain, types without a version scheme', () => {
  const name = (purl: string) => ok(ecosystemFor(pkg({ name: 'n', version: '1.0.0', purl }))).name;
  assert.equal(name('pkg:npm/left-pad@1.0.0'), 'left-pad');
  assert.equal(name('pkg:golang/go@1.0.0'), 'stdlib');
  assert.equal(name('pkg:golang/example.com/stdlib@1.0.0'), 'example.com/stdlib');
  assert.equal(name('pkg:golang/example.com/go@1.0.0'), 'example.com/go');
  assert.equal(name('pkg:golang/gopkg.in/yaml.v3@1.0.0'), 'gopkg.in/yaml.v3');
  assert.deepEqual(ok(ecosystemFor(pkg({ name: 'phoenix', version: '1.7.0', purl: 'pkg:hex/phoenix@1.7.0' }))).ecosystems, ['Hex']);
  const swift = ok(ecosystemFor(pkg({ name: 'swift-nio', version: '2.0.0', purl: 'pkg:swift/github.com/apple/swift-nio@2.0.0' })));
  assert.deepEqual([swift.ecosystems, swift.name], [['SwiftURL'], 'github.com/apple/swift-nio']);
  assert.deepEqual(swift.derivation, ['purl pkg:swift/github.com/apple/swift-nio@2.0.0', 'swift → SwiftURL name github.com/apple/swift-nio']);
  // Maven, Packagist and SwiftURL names need the namespace: without it there is no OSV name.
  for (const [purl, type] of [['pkg:maven/log4j-core@2.14.1', 'maven'], ['pkg:composer/http-kernel@5.4.0', 'composer'], ['pkg:swift/swift-nio@2.0.0', 'swift']]) {
    const r = ecosystemFor(pkg({ name: 'n', version: '1.0.0', purl }));
    assert.deepEqual(notMatchable(r), { code: 'unsupported-type', reason: `no advisory ecosystem for purl type '${type}'` }, purl);
  }
  // Dart's pub has OSV advisories but no version scheme here yet.
  assert.deepEqual(notMatchable(ecosystemFor(pkg({ name: 'http', version: '1.2.0', purl: 'pkg:pub/http@1.2.0' }))), { code: 'no-scheme', reason: 'no version scheme for Pub' });
  // The version from the purl when the package has none; a version the scheme refuses is named.
  assert.equal(ok(ecosystemFor(pkg({ name: 'left-pad', version: '', purl: 'pkg:npm/left-pad@1.3.0' }))).version, '1.3.0');
  assert.deepEqual(notMatchable(ecosystemFor(pkg({ name: 'left-pad', version: 'latest', purl: 'pkg:npm/left-pad@latest' }))), {
    code: 'invalid-version',
    reason: '"latest" is not a valid semver version',
  });
  const long = '1.' + 'x'.repeat(200);
  assert.equal(notMatchable(ecosystemFor(pkg({ name: 'left-pad', version: long, purl: 'pkg:npm/left-pad' }))).reason, `${JSON.stringify(long.slice(0, 80))} is not a valid semver version`);
});

test('distro qualifiers: the release is the part after the last dash that starts with a digit', () => {
  assert.deepEqual(parseDistroQualifier('debian-12'), { id: 'debian', version: '12' });
  assert.deepEqual(parseDistroQualifier('opensuse-leap-15.5'), { id: 'opensuse-leap', version: '15.5' });
  assert.deepEqual(parseDistroQualifier('Alpine-3.20.3'), { id: 'alpine', version: '3.20.3' });
  assert.deepEqual(parseDistroQualifier('alpine-3.21.0_alpha20240807'), { id: 'alpine', version: '3.21.0_alpha20240807' });
  assert.deepEqual(parseDistroQualifier('opensuse-leap'), { id: 'opensuse-leap' });
  assert.deepEqual(parseDistroQualifier('Wolfi'), { id: 'wolfi' });
  assert.deepEqual(parseDistroQualifier('-12'), { id: '-12' });
});
