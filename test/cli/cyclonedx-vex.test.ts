/**
 * `scout cves --vex-location` reads CycloneDX VEX beside OpenVEX, on the demo image and the
 * offline advisory bundle: a not_affected analysis (by bom-ref) suppresses the finding with the
 * mapped justification, an exploitable one (by versionless purl) marks it affected, and
 * --only-vex-affected drops the first only; a CycloneDX document whose analyses name nothing
 * this reader can match is a warning naming the file and why, and the scan goes on.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scout } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { DEMO, importedCache, keyOf, type CvesJson, type CvesJsonFinding } from '../report/helpers.js';
import { cycloneDxValidator } from '../sbom/formats/schema-validators.js';

const env = { SCOUT_CACHE_DIR: importedCache() };
type Finding = CvesJsonFinding & { vex?: { status: string; actionStatement?: string; documentId?: string } };
const cves = (extra: string[] = []) => {
  const r = scout(['cves', DEMO, '--format', 'json', ...extra], env);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as CvesJson).findings as Finding[];
};

test('scout cves --vex-location reads CycloneDX VEX: not_affected by bom-ref suppresses, exploitable by purl marks affected', () => {
  const all = cves();
  const lodash = all.filter((f) => f.package.name === 'lodash');
  assert.ok(lodash.length >= 2, 'the demo image has two lodash findings or more');
  const [quiet, loud] = lodash as [Finding, Finding];
  const doc = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:5d0c2d3e-8f0b-4d6e-9a43-7c1e2b9f6a01',
    version: 1,
    metadata: { timestamp: '2026-03-01T00:00:00Z', authors: [{ name: 'Demo Security' }] },
    components: [{ type: 'library', name: 'lodash', version: quiet.package.version, purl: quiet.package.purl, 'bom-ref': 'lodash' }],
    vulnerabilities: [
      { id: quiet.id, analysis: { state: 'not_affected', justification: 'code_not_reachable' }, affects: [{ ref: 'lodash' }] },
      { id: loud.id, recommendation: 'Upgrade lodash.', analysis: { state: 'exploitable' }, affects: [{ ref: 'pkg:npm/lodash' }] },
    ],
  };
  const validate = cycloneDxValidator();
  assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 3)));
  const dir = tempDir();
  const file = join(dir, 'demo.cdx.json');
  writeFileSync(file, JSON.stringify(doc));

  const marked = cves(['--vex-location', file]);
  assert.deepEqual(marked.map(keyOf).sort(), all.map(keyOf).sort());
  assert.deepEqual(marked.filter((f) => f.suppressed).map(keyOf), [keyOf(quiet)]);
  assert.equal(marked.find((f) => keyOf(f) === keyOf(quiet))!.suppressed!.justification, 'vulnerable_code_not_in_execute_path');
  const affected = marked.find((f) => keyOf(f) === keyOf(loud))!;
  assert.deepEqual([affected.vex?.status, affected.vex?.actionStatement, affected.vex?.documentId], ['affected', 'Upgrade lodash.', doc.serialNumber]);
  assert.deepEqual(cves(['--vex-location', file, '--only-vex-affected']).map(keyOf).sort(), all.filter((f) => keyOf(f) !== keyOf(quiet)).map(keyOf).sort());

  // The product named only by a bom-ref without purl: a warning that says so; nothing decided.
  const unmatched = join(dir, 'product.cdx.json');
  writeFileSync(unmatched, JSON.stringify({ ...doc, metadata: { ...doc.metadata, component: { type: 'application', name: 'demo', 'bom-ref': 'demo' } }, components: [], vulnerabilities: [{ id: quiet.id, analysis: { state: 'not_affected', justification: 'code_not_present' }, affects: [{ ref: 'demo' }] }] }));
  const r = scout(['cves', DEMO, '--format', 'json', '--vex-location', unmatched], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /affects ref "demo" names no component with a package URL \(.*product\.cdx\.json\)/);
  assert.deepEqual((JSON.parse(r.stdout) as CvesJson).findings.filter((f) => f.suppressed), []);
});
