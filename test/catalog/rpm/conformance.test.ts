import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rpmCataloger } from '../../../src/catalog/rpm/index.js';
import { normaliseLicense } from '../../../src/sbom/license.js';
import type { Package } from '../../../src/sbom/model.js';
import { licenseTerms } from '../dpkg/license-terms.js';
import { one, scanCase, type Expected } from '../conformance-case.js';

const scan = (caseName: string) => scanCase(rpmCataloger, 'rpm', caseName);

/** go-rpmdb / osv-scalibr style: raw rpm header fields. */
function compareHeaderFields(e: Expected, got: Package): void {
  const md = got.metadata ?? {};
  for (const [k, v] of Object.entries(e)) {
    switch (k) {
      case 'name': assert.equal(got.name, v); break;
      case 'version':
        // go-rpmdb states VERSION alone (release separate); osv-scalibr states version-release.
        if ('release' in e) assert.equal(md.version, v, `${got.name} version`);
        else assert.equal(`${md.version}-${md.release}`, v);
        break;
      case 'release': assert.equal(md.release, v); break;
      case 'epoch': assert.equal(md.epoch, v); break;
      case 'arch': assert.equal(md.arch, v); break;
      case 'sourceRpm': assert.equal(md.sourceRpm, v); assert.ok(got.purl.includes(`upstream=${encodeURIComponent(v as string)}`)); break;
      case 'size': assert.equal(md.size, v); assert.equal(got.size, v); break;
      case 'license':
        assert.equal(md.license, v);
        assert.deepEqual(got.licenses, normaliseLicense(v as string));
        break;
      case 'licenses': assert.deepEqual(licenseTerms(got.licenses).sort(), licenseTerms((v as string[]).flatMap((l) => normaliseLicense(l))).sort()); break;
      case 'vendor': assert.equal(md.vendor, v); break;
      case 'modularityLabel': assert.equal(md.modularityLabel, v); break;
      case 'summary': assert.equal(md.summary, v); break;
      case 'sigMD5': assert.equal(md.sigMD5, v); break;
      case 'installTime': assert.equal(md.installTime, v); break;
      case 'provides': assert.deepEqual(md.provides, v); break;
      case 'requires': assert.deepEqual(md.requires, v); break;
      case 'purlType': assert.equal(got.type, v); assert.ok(got.purl.startsWith(`pkg:${v}/`)); break;
      case 'osRelease': {
        const os = v as Record<string, string>;
        assert.equal(got.namespace, os.ID);
        assert.ok(got.purl.startsWith(`pkg:rpm/${os.ID}/`));
        assert.ok(got.purl.includes(`distro=${os.ID}-${os.VERSION_ID}`));
        break;
      }
      default: assert.fail(`unmapped expected field ${k}`);
    }
  }
}

test('osv-scalibr Berkeley DB with EPOCH: epoch in version and purl, fedora distro from os-release', async () => {
  const { pkgs, warnings, exp } = await scan('bdb-scalibr-epoch');
  assert.deepEqual(warnings.items, []);
  assert.deepEqual(pkgs.map((p) => p.name), exp.packages.map((p) => p.name));
  for (const e of exp.packages) compareHeaderFields(e, one(pkgs, e.name));
  const hello = pkgs[0];
  assert.equal(hello.version, '1:0.0.1-rls');
  assert.equal(hello.purl, 'pkg:rpm/fedora/hello@0.0.1-rls?arch=x86_64&distro=fedora-32&epoch=1&upstream=hello-0.0.1-rls.src.rpm');
});

test('syft Berkeley DB (dive): purl without distro, header metadata', async () => {
  const { pkgs, warnings, exp } = await scan('bdb-syft-dive');
  assert.deepEqual(warnings.items, []);
  assert.deepEqual(pkgs.map((p) => p.name), exp.packages.map((p) => p.name));
  for (const e of exp.packages) {
    const got = one(pkgs, e.name);
    for (const k of Object.keys(e)) assert.ok(['name', 'version', 'purl', 'type', 'licenses', 'metadata'].includes(k), `unmapped field ${k}`);
    assert.equal(got.version, e.version);
    assert.equal(got.purl, e.purl);
    assert.equal(e.type, 'RpmPkg');
    assert.equal(got.type, 'rpm');
    assert.deepEqual(licenseTerms(got.licenses).sort(), licenseTerms((e.licenses as string[]).flatMap((l) => normaliseLicense(l))).sort());
    const map: Record<string, string> = { Name: 'name', Version: 'version', Release: 'release', Epoch: 'epoch', Arch: 'arch', SourceRpm: 'sourceRpm', Size: 'size', Vendor: 'vendor', Provides: 'provides' };
    for (const [k, v] of Object.entries(e.metadata as Record<string, unknown>)) {
      assert.ok(map[k], `unmapped metadata field ${k}`);
      assert.deepEqual(got.metadata?.[map[k]], v, k);
    }
  }
});

test('go-rpmdb NDB (SLES 15 BCI): all 35 packages in database order with header fields', async () => {
  const { pkgs, warnings, exp } = await scan('ndb-sles15-bci');
  assert.deepEqual(warnings.items, []);
  assert.deepEqual(pkgs.map((p) => p.name), exp.packages.map((p) => p.name));
  for (const e of exp.packages) compareHeaderFields(e, one(pkgs, e.name));
  assert.equal(pkgs[0].locations[0].path, '/usr/lib/sysimage/rpm/Packages.db');
});

test('go-rpmdb SQLite (CBL-Mariner 2.0): curl with every stated field; 129 rows read', async () => {
  const { pkgs, warnings, exp } = await scan('sqlite-cbl-mariner2');
  assert.equal(exp.complete, false);
  assert.deepEqual(warnings.items, []);
  // The notes state the Packages table holds 129 rows; none of them is a gpg-pubkey entry here.
  assert.equal(pkgs.length, 129);
  for (const e of exp.packages) compareHeaderFields(e, one(pkgs, e.name));
  const curl = one(pkgs, 'curl');
  assert.ok(curl.dependsOn?.includes('curl-libs'), 'Requires resolved through Provides');
  assert.ok(curl.dependsOn?.includes('glibc'), 'libc.so.6()(64bit) is provided by glibc');
});
