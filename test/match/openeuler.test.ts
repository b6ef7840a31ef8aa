// openEuler images against openEuler's advisories as OSV publishes them. OSV names the release
// with its LTS and service-pack words ('openEuler:22.03-LTS-SP3'); an image's os-release has
// them only in VERSION and PRETTY_NAME, its VERSION_ID being '22.03' for every 22.03 release.
// The record is OESA-2024-2048 as osv.dev serves it (fixture); the os-release lines are those
// of the openeuler/openeuler images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distroFromFields, parseOsRelease } from '../../src/catalog/os-release.js';
import { ecosystemFor, parseDistroQualifier } from '../../src/match/ecosystem.js';
import { match } from '../../src/match/index.js';
import type { DistroInfo } from '../../src/sbom/model.js';
import { distroQualifier, purlFor } from '../../src/sbom/purl.js';
import { pkg, sbomOf, storeWith } from './helpers.js';

const OESA = 'openeuler/OESA-2024-2048.json';

function distro(osRelease: string): DistroInfo {
  const d = distroFromFields(parseOsRelease(osRelease));
  assert.ok(d);
  return d;
}

const SP3 = distro('NAME="openEuler"\nVERSION="22.03 (LTS-SP3)"\nID="openEuler"\nVERSION_ID="22.03"\nPRETTY_NAME="openEuler 22.03 (LTS-SP3)"\nANSI_COLOR="0;31"\n');
const LTS = distro('NAME="openEuler"\nVERSION="22.03 LTS"\nID="openEuler"\nVERSION_ID="22.03"\nPRETTY_NAME="openEuler 22.03 LTS"\nANSI_COLOR="0;31"\n');
const LTS_2403 = distro('NAME="openEuler"\nVERSION="24.03 (LTS)"\nID="openEuler"\nVERSION_ID="24.03"\nPRETTY_NAME="openEuler 24.03 (LTS)"\nANSI_COLOR="0;31"\n');
const SP1_2403 = distro('NAME="openEuler"\nVERSION="24.03 (LTS-SP1)"\nID="openEuler"\nVERSION_ID="24.03"\nPRETTY_NAME="openEuler 24.03 (LTS-SP1)"\nANSI_COLOR="0;31"\n');

/** An rpm as the rpm cataloger builds it for an image with this distro. */
function rpm(d: DistroInfo, name: string, version: string) {
  return pkg({ name, version, purl: purlFor({ type: 'rpm', namespace: d.id, name, version, arch: 'x86_64', distro: distroQualifier(d), upstream: `${name}-${version}.src.rpm` }), namespace: d.id });
}

test('the OSV ecosystem of an openEuler image names its LTS and service pack, as OSV\'s records do', () => {
  const cases: [DistroInfo, string][] = [
    [SP3, 'openEuler:22.03-LTS-SP3'],
    [LTS, 'openEuler:22.03-LTS'],
    [LTS_2403, 'openEuler:24.03-LTS'],
    [SP1_2403, 'openEuler:24.03-LTS-SP1'],
  ];
  for (const [d, ecosystem] of cases) {
    // As the matcher asks: the package's purl (distro=openeuler-22.03) and the SBOM's distro.
    const q = ecosystemFor(rpm(d, 'booth', '1.0-6'), d);
    assert.ok(q.ok);
    assert.deepEqual(q.query.ecosystems, [ecosystem], d.prettyName);
  }
  // openEuler's own purls carry the words in the distro qualifier.
  assert.deepEqual(parseDistroQualifier('openEuler-22.03-LTS-SP3'), { id: 'openeuler', version: '22.03-LTS-SP3' });
  const own = pkg({ name: 'booth', version: '1.0-6', purl: 'pkg:rpm/openEuler/booth@1.0-6?distro=openEuler-22.03-LTS-SP3' });
  const q = ecosystemFor(own);
  assert.ok(q.ok);
  assert.deepEqual(q.query.ecosystems, ['openEuler:22.03-LTS-SP3']);
});

test('an SBOM from another tool (distro=openeuler-22.03 and no os-release): the dist tag tells the service pack, else both 22.03 and 22.03-LTS are asked', () => {
  const foreign = (version: string) => ecosystemFor(pkg({ name: 'booth', version, purl: `pkg:rpm/openeuler/booth@${version}?distro=openeuler-22.03` }));
  const sp = foreign('1.0-6.oe2203sp3');
  assert.ok(sp.ok);
  assert.deepEqual(sp.query.ecosystems, ['openEuler:22.03-LTS-SP3']);
  const plain = foreign('1.0-6.oe2203');
  assert.ok(plain.ok);
  assert.deepEqual(plain.query.ecosystems, ['openEuler:22.03', 'openEuler:22.03-LTS']);
});

test('booth on an openEuler 22.03 LTS-SP3 image has OESA-2024-2048 until 1.0-7.oe2203sp3; on 22.03 LTS it is another release\'s advisory', async (t) => {
  const store = await storeWith(t, [OESA]);
  const found = async (d: DistroInfo, version: string) => (await match(sbomOf([rpm(d, 'booth', version)], d), store)).findings.filter((f) => f.ids.includes('OESA-2024-2048'));
  const before = await found(SP3, '1.0-6.oe2203sp3');
  assert.equal(before.length, 1, 'the SP3 image has the advisory');
  assert.equal(before[0].ecosystem, 'openEuler:22.03-LTS-SP3');
  assert.deepEqual(before[0].fixedVersions, ['1.0-7.oe2203sp3']);
  assert.deepEqual(await found(SP3, '1.0-7.oe2203sp3'), [], 'the fixed build has not');
  assert.deepEqual(await found(LTS, '1.0-6.oe2203'), [], 'the record is for SP3 only');
});
