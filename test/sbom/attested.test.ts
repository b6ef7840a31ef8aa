/**
 * --sbom-source: the image's SBOM attestation against our own catalog of the same image. They
 * agree on the packages both see (musl, left-pad), each has one the other lacks, and `both`
 * is their union with our records kept for the shared ones. A CycloneDX SBOM statement is read
 * as well as an SPDX one, and `cves` takes the same choice: an advisory for a package only the
 * attestation names is found with `attestation` and `both`, not with `scan`.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { packageKey } from '../../src/sbom/attested.js';
import type { Sbom } from '../../src/sbom/model.js';
import { ATTESTED_PACKAGES, attestedFixture } from '../attest/fixture.js';
import { attestationManifest, attestedIndex, subjectOf, writeAttestedLayout } from '../helpers/attestation-builder.js';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

let dir: string;
const env = { SCOUT_CACHE_DIR: tempDir('scout-cache-') };

before(async () => {
  const fx = await attestedFixture();
  dir = tempDir();
  writeAttestedLayout(dir, fx.index, 'app:1', fx.referrers);
});

function sbomOf(source: string): Sbom {
  const r = scout(['sbom', `oci-dir://${dir}`, '--platform', 'linux/amd64', '--format', 'json', '--sbom-source', source], env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Sbom;
}

const keys = (s: Sbom) => new Set(s.packages.map(packageKey));

test('the attested SBOM compared with our catalog of the same image', () => {
  const scanned = sbomOf('scan');
  const attested = sbomOf('attestation');
  const both = sbomOf('both');
  const ours = keys(scanned);
  const theirs = keys(attested);
  assert.deepEqual([...theirs].sort(), ['apk/alpine/musl@1.2.5-r0', 'npm//left-pad@1.3.0', 'npm//only-attested@2.0.0']);
  assert.deepEqual([...ours].filter((k) => theirs.has(k)).sort(), ['apk/alpine/musl@1.2.5-r0', 'npm//left-pad@1.3.0']);
  assert.deepEqual([...ours].filter((k) => !theirs.has(k)), ['npm//only-scanned@0.1.0']);
  assert.equal(attested.importedFrom, 'attestation https://spdx.dev/Document');
  assert.equal(attested.image?.digest, scanned.image?.digest);
  assert.ok(attested.packages.every((p) => p.foundBy === 'sbom-attestation'));
  // Union: ours (with their layers) plus the one only the attestation names.
  assert.deepEqual([...keys(both)].sort(), [...new Set([...ours, ...theirs])].sort());
  const musl = both.packages.find((p) => p.name === 'musl')!;
  assert.equal(musl.foundBy, scanned.packages.find((p) => p.name === 'musl')!.foundBy);
  assert.ok(musl.introducedLayer, 'our record, with its layer');
  assert.equal(both.packages.find((p) => p.name === 'only-attested')!.foundBy, 'sbom-attestation');
});

test('--sbom-source attestation on an image without one fails naming the way out; both warns and scans', async () => {
  const plain = tempDir();
  const fx = await attestedFixture();
  const { attestedIndex } = await import('../helpers/attestation-builder.js');
  writeAttestedLayout(plain, attestedIndex([{ image: fx.amd64 }]), 'plain');
  const r = scout(['sbom', `oci-dir://${plain}`, '--sbom-source', 'attestation', '--platform', 'linux/amd64'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /has no usable SBOM attestation; use --sbom-source scan or both/);
  const b = scout(['sbom', `oci-dir://${plain}`, '--sbom-source', 'both', '--platform', 'linux/amd64', '--format', 'json'], env);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stderr, /no usable SBOM attestation; the SBOM is our catalog alone/);
  assert.equal((JSON.parse(b.stdout) as Sbom).packages.length, 3);
  const bad = scout(['sbom', `oci-dir://${plain}`, '--sbom-source', 'attested'], env);
  assert.match(bad.stderr, /--sbom-source must be one of scan, attestation, both, not "attested"/);
});

test('a CycloneDX SBOM statement is read like an SPDX one', async () => {
  const fx = await attestedFixture();
  const cdx = {
    _type: 'https://in-toto.io/Statement/v1',
    predicateType: 'https://cyclonedx.org/bom',
    subject: subjectOf(fx.amd64),
    predicate: {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      components: ATTESTED_PACKAGES.map((p) => ({ type: 'library', 'bom-ref': p.purl, name: p.name, version: p.version, purl: p.purl })),
    },
  };
  const d = tempDir();
  writeAttestedLayout(d, attestedIndex([{ image: fx.amd64, attestation: attestationManifest([{ content: cdx, predicateType: 'https://cyclonedx.org/bom' }]) }]), 'cdx');
  const r = scout(['sbom', `oci-dir://${d}`, '--platform', 'linux/amd64', '--format', 'json', '--sbom-source', 'attestation'], env);
  assert.equal(r.code, 0, r.stderr);
  const sbom = JSON.parse(r.stdout) as Sbom;
  assert.equal(sbom.importedFrom, 'attestation https://cyclonedx.org/bom');
  assert.deepEqual([...keys(sbom)].sort(), ['apk/alpine/musl@1.2.5-r0', 'npm//left-pad@1.3.0', 'npm//only-attested@2.0.0']);
});

test('cves --sbom-source: an advisory for a package only the attestation names is found with attestation and both, not scan', () => {
  const db = { SCOUT_CACHE_DIR: tempDir('scout-cache-') };
  const osv = (id: string, name: string, fixed: string) => ({ schema_version: '1.6.0', id, modified: '2024-05-01T00:00:00Z', summary: `${name} test advisory`, database_specific: { severity: 'HIGH' }, affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }] });
  const file = join(tempDir(), 'test.osv.jsonl');
  writeFileSync(file, [osv('GHSA-test-only-attested', 'only-attested', '3.0.0'), osv('GHSA-test-only-scanned', 'only-scanned', '0.2.0')].map((o) => JSON.stringify(o)).join('\n') + '\n');
  const imp = scout(['db', 'import', file], db);
  assert.equal(imp.code, 0, imp.stderr);
  const ids = (source: string) => {
    const r = scout(['cves', `oci-dir://${dir}`, '--platform', 'linux/amd64', '--format', 'json', '--sbom-source', source], db);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { findings: { id: string }[] }).findings.map((f) => f.id).sort();
  };
  assert.deepEqual(ids('scan'), ['GHSA-test-only-scanned']);
  assert.deepEqual(ids('attestation'), ['GHSA-test-only-attested']);
  assert.deepEqual(ids('both'), ['GHSA-test-only-attested', 'GHSA-test-only-scanned']);
});
