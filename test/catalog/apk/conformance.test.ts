import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apkCataloger } from '../../../src/catalog/apk/index.js';
import { normaliseLicense } from '../../../src/sbom/license.js';
import { licenseTerms } from '../dpkg/license-terms.js';
import { one, scanCase } from '../conformance-case.js';

const scan = (caseName: string) => scanCase(apkCataloger, 'apk', caseName);

test('syft multiple-1: fields, origin, raw dependencies/provides, dependency edges through provides', async () => {
  const { pkgs, warnings, exp } = await scan('syft-multiple-1');
  assert.deepEqual(warnings.items, []);
  assert.deepEqual(pkgs.map((p) => p.name).sort(), exp.packages.map((p) => p.name).sort());
  for (const e of exp.packages) {
    const got = one(pkgs, e.name);
    for (const k of Object.keys(e)) assert.ok(['name', 'version', 'type', 'licenses', 'metadata'].includes(k), `unmapped field ${k}`);
    assert.equal(got.version, e.version);
    assert.equal(e.type, 'ApkPkg');
    assert.equal(got.type, 'apk');
    const expLicenses = licenseTerms((e.licenses as string[]).flatMap((l) => normaliseLicense(l))).sort();
    assert.deepEqual(licenseTerms(got.licenses).sort(), expLicenses);
    for (const [k, v] of Object.entries(e.metadata as Record<string, unknown>)) {
      switch (k) {
        case 'Package': assert.equal(got.name, v); break;
        case 'OriginPackage': assert.equal(got.source?.name, v); assert.equal(got.metadata?.originPackage, v); break;
        case 'Version': assert.equal(got.metadata?.version, v); break;
        case 'Architecture': assert.equal(got.metadata?.architecture, v); break;
        case 'Maintainer': assert.equal(got.author, v); break;
        case 'Dependencies': assert.deepEqual(got.metadata?.dependencies, v); break;
        case 'Provides': assert.deepEqual(got.metadata?.provides, v); break;
        default: assert.fail(`unmapped metadata field ${k}`);
      }
    }
  }
  // The notes: busybox-binsh->bash, readline->bash, musl->readline, musl->bash (X is a dependency of Y).
  assert.deepEqual(one(pkgs, 'bash').dependsOn, ['busybox-binsh', 'musl', 'readline']);
  assert.deepEqual(one(pkgs, 'readline').dependsOn, ['musl'], 'so:libncursesw.so.6 is not installed here');
  assert.equal(one(pkgs, 'musl').dependsOn, undefined);
  assert.equal(one(pkgs, 'busybox-binsh').dependsOn, undefined, 'busybox itself is not installed');
  const bash = one(pkgs, 'bash');
  assert.equal(bash.size, 1396736);
  assert.equal(bash.description, 'The GNU Bourne Again shell');
  assert.equal(bash.metadata?.buildTime, 1701073495);
  assert.equal(bash.purl, 'pkg:apk/alpine/bash@5.2.21-r0?arch=x86_64');
  assert.equal(one(pkgs, 'busybox-binsh').purl, 'pkg:apk/alpine/busybox-binsh@1.36.1-r15?arch=x86_64&upstream=busybox');
});

test('trivy installed: 15 packages in database order, licenses normalised, dependsOn, invalid entry reported', async () => {
  const { pkgs, warnings, exp } = await scan('trivy-installed');
  // Trivy compares the slice in order.
  assert.deepEqual(pkgs.map((p) => p.name), exp.packages.map((p) => p.name));
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  for (const e of exp.packages) {
    const got = byName.get(e.name)!;
    for (const [k, v] of Object.entries(e)) {
      switch (k) {
        case 'id': assert.equal(`${got.name}@${got.version}`, v); break;
        case 'name': break;
        case 'version': assert.equal(got.version, v); break;
        case 'arch': assert.equal(got.metadata?.architecture, v); break;
        case 'sourceName': assert.equal(got.source?.name, v); break;
        case 'sourceVersion': assert.equal(got.source?.version, v); break;
        case 'licenses': assert.deepEqual(licenseTerms(got.licenses).sort(), [...(v as string[])].sort(), `${got.name} licenses`); break;
        case 'maintainer': assert.equal(got.author, v); break;
        case 'dependsOn': {
          const ids = (got.dependsOn ?? []).map((n) => `${n}@${byName.get(n)?.version}`);
          assert.deepEqual(ids, v, `${got.name} dependsOn`);
          break;
        }
        default: assert.fail(`unmapped field ${k}`);
      }
    }
    if (!('dependsOn' in e)) assert.equal(got.dependsOn, undefined, `${got.name} has no dependencies`);
  }
  assert.equal(warnings.items.length, 1);
  assert.match(warnings.items[0].message, /^\/lib\/apk\/db\/installed: entry at line \d+ skipped: .*no V:/);
});
