// The corners of the package → advisory query mapping that ecosystem-distros does not reach:
// releases that must start with their number, two-digit releases, a Go main module with a
// one-segment path, a package without type or purl, and the words of every reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ecosystemFor, type EcosystemMapping } from '../../src/match/ecosystem.js';
import type { Package } from '../../src/sbom/model.js';
import { pkg } from './helpers.js';

function ok(m: EcosystemMapping) {
  assert.ok(m.ok, m.ok ? '' : `${m.code}: ${m.reason}`);
  return m.query;
}

const rpm = pkg({ name: 'bash', version: '5.1-1', purl: 'pkg:rpm/bash@5.1-1' });
const apk = pkg({ name: 'busybox', version: '1.36.1-r31', purl: 'pkg:apk/busybox@1.36.1-r31' });

test('a release is read from its start: a version that does not start with its number names none', () => {
  for (const id of ['rocky', 'almalinux', 'debian']) {
    const m = ecosystemFor(id === 'debian' ? { ...rpm, purl: 'pkg:deb/bash@5.1-1', type: 'deb' } : rpm, { id, versionId: 'el9' });
    assert.equal(!m.ok && m.code, 'unknown-release', id);
  }
});

test('two-digit major releases keep every digit (Alpine 10, Photon 10)', () => {
  assert.deepEqual(ok(ecosystemFor(apk, { id: 'alpine', versionId: '10.1.0' })).ecosystems, ['Alpine:v10.1']);
  assert.deepEqual(ok(ecosystemFor(rpm, { id: 'photon', versionId: '10.0' })).ecosystems, ['Photon OS:10.0']);
  assert.deepEqual(ok(ecosystemFor(rpm, { id: 'rocky', versionId: '10.0' })).ecosystems, ['Rocky Linux:10']);
});

test('a Go main module with a one-segment path is that module, not the standard library', () => {
  // `go build` in a module named 'app' records 'app' as the main module path.
  const q = ok(ecosystemFor(pkg({ name: 'app', version: 'v1.2.3', purl: 'pkg:golang/app@v1.2.3' })));
  assert.deepEqual([q.ecosystems, q.name], [['Go'], 'app']);
});

test('every ecosystem of a release is named in the derivation', () => {
  const q = ok(ecosystemFor({ ...rpm, name: 'bash', purl: 'pkg:deb/ubuntu/bash@5.1-6?distro=ubuntu-22.04', type: 'deb' }));
  assert.equal(q.derivation[1], 'distro ubuntu 22.04 from purl qualifier distro=ubuntu-22.04 → Ubuntu:22.04, Ubuntu:22.04:LTS');
});

test('a package with neither a readable purl nor a type, and a language package without a version', () => {
  const typeless = { ...pkg({ name: 'x', version: '1', purl: 'pkg:' }), type: undefined } as unknown as Package;
  const m = ecosystemFor(typeless);
  assert.deepEqual(!m.ok && [m.code, m.reason], ['unsupported-type', "no advisory ecosystem for purl type 'unknown'"]);
  const noVersion = ecosystemFor(pkg({ name: 'left-pad', version: '', purl: 'pkg:npm/left-pad' }));
  assert.deepEqual(!noVersion.ok && [noVersion.code, noVersion.reason], ['no-version', 'package has no version']);
});

test('an upstream qualifier that is only "@version" never becomes an empty advisory name', () => {
  const p = pkg({ name: 'libfoo1', version: '1.0-1', purl: 'pkg:deb/debian/libfoo1@1.0-1?distro=debian-12&upstream=%401.0-1' });
  const q = ok(ecosystemFor(p));
  assert.notEqual(q.name, '');
});
