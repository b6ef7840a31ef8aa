// A push's policies are judged from the rows it has just written (OrgStore.putImage hands them
// to onCreated) instead of reading the image back. Proven here on each backend: the facts handed
// over equal what storedPolicyFacts reads back in the same transaction, for an image with
// packages, findings (a CVSS score, KEV, EPSS, a publication date), distro, repository,
// attestations, provenance naming a base and a secret scan; and for a second image whose pushed
// package claims another name for a purl already stored (the stored row's fields are the facts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { match } from '../../../src/match/matcher.js';
import type { Finding } from '../../../src/match/types.js';
import type { Sbom } from '../../../src/sbom/model.js';
import { codePointCompare, storedPolicyFacts, type StoredImageFacts } from '../../../src/store/kysely/policy-store.js';
import type { ImageUpload } from '../../../src/store/platform-store.js';
import { exampleAdvisories } from '../../helpers/platform-app.js';
import { BACKENDS, freshPlatformStore } from '../../helpers/platform-db.js';
import { demoImageSbom } from '../../helpers/sbom-of.js';

function imageNumber(sbom: Sbom, n: number): Sbom {
  return { ...sbom, image: { ...sbom.image!, digest: `sha256:${n.toString(16).padStart(64, '0')}` } };
}

test('codePointCompare orders strings as UTF-8 bytes do (SQLite BINARY, PostgreSQL C)', () => {
  const words = ['a', 'ab', 'b', '\uff01', '\u{1f600}', '\ue000', 'Z', '', '\ud7ff', 'a\u{10000}', 'a\uffff'];
  const bytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  assert.deepEqual([...words].sort(codePointCompare), bytes);
  // JavaScript's own order differs exactly there: the reason for the comparator.
  assert.notDeepEqual([...words].sort(), bytes);
});

for (const backend of BACKENDS) {
  test(`a new image's facts handed to onCreated equal the facts read back, on ${backend}`, async (t) => {
    const store = await freshPlatformStore(backend, t);
    const advisories = await exampleAdvisories(t);
    const org = store.forOrg(await store.ensureOrg('acme'));
    const demo = await demoImageSbom();
    const matched = (await match(demo, advisories)).findings;
    assert.ok(matched.length > 0, 'the demo image has findings');
    // Every field a finding's facts carry, with values that must survive the column types.
    const pkg = demo.packages[0];
    const extra: Finding = {
      ...matched[0],
      id: 'CVE-2099-0001',
      ids: ['CVE-2099-0001', 'GHSA-test-test-test'],
      package: { id: pkg.id, name: pkg.name, version: pkg.version, purl: pkg.purl, type: pkg.type, locations: [] },
      severity: { level: 'critical', source: 'nvd', score: 9.8 },
      kev: { dateAdded: '2099-01-02' },
      epss: { score: 0.97, percentile: 0.99 },
      published: '2099-01-01T00:00:00Z',
      fixedVersions: ['1.0'],
      status: 'fixed',
    };
    const push = async (sbom: Sbom, findings: readonly Finding[], more: Partial<ImageUpload> = {}) => {
      let handed: StoredImageFacts | undefined;
      let readBack: StoredImageFacts[] = [];
      const r = await org.putImage({ metadata: sbom.image!, packages: sbom.packages, ...(sbom.distro ? { distro: sbom.distro } : {}), findings, ...more }, new Date('2026-12-01T00:00:00Z'), async (trx, imageId, stored) => {
        handed = stored;
        readBack = await storedPolicyFacts(trx, [imageId]);
      });
      assert.equal(r.created, true);
      return { handed, readBack };
    };

    const first = await push(imageNumber(demo, 1), [...matched, extra], {
      repository: 'acme/app',
      tags: ['1.0'],
      attestations: { provenance: true, sbom: false },
      provenance: { materials: [{ uri: 'pkg:docker/debian@12', digest: { sha256: 'a'.repeat(64) } }], baseImage: { name: 'debian:12', digest: `sha256:${'b'.repeat(64)}` } },
      secrets: { scannedAt: '2026-12-01T00:00:00Z', findings: [{ rule: 'aws-access-key', title: 'AWS key', severity: 'high', source: 'env', location: 'ENV KEY', masked: 'AKIA****' }], skipped: { binary: 0, overCap: 0, packageTest: 0 }, unreadLayers: [] },
    });
    assert.ok(first.handed, 'a new image hands its facts over');
    assert.equal(first.readBack.length, 1);
    assert.deepEqual(first.handed, first.readBack[0]);
    assert.equal(first.handed.repository, 'acme/app');
    assert.ok(first.handed.facts.provenance && first.handed.facts.secrets?.length === 1 && first.handed.facts.attestations);
    const critical = first.handed.facts.findings.find((f) => f.id === 'CVE-2099-0001');
    assert.deepEqual(critical?.severity, { level: 'critical', score: 9.8 });
    assert.equal(critical?.kev, true);
    assert.equal(first.handed.facts.sbom.packages.length, demo.packages.length);

    // The same purl pushed under another name: the packages row (first push) is what is read back.
    const renamed = imageNumber(demo, 2);
    renamed.packages = demo.packages.map((p, i) => (i === 0 ? { ...p, name: `${p.name}-renamed`, version: `${p.version}.9` } : p));
    const second = await push(renamed, matched);
    assert.ok(second.handed);
    assert.deepEqual(second.handed, second.readBack[0]);
    assert.equal(second.handed.facts.sbom.packages[0].name, pkg.name, 'the stored name, not the pushed one');
  });
}
