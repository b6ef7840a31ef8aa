/**
 * CycloneDX VEX read as VEX statements (src/match/vex-cyclonedx.ts through parseVex): the
 * CycloneDX spec's own examples (test/fixtures/match/cyclonedx-vex, CycloneDX/bom-examples,
 * CC0) and a document written here, each valid against the official CycloneDX 1.6 schema; the
 * analysis states, justifications and component references map as documented, and the
 * statements decide real matches (lodash against GHSA records) as OpenVEX ones do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { match, parseVex } from '../../src/match/index.js';
import { tryParsePurl } from '../../src/sbom/purl.js';
import { Warnings } from '../../src/util/errors.js';
import { cycloneDxValidator } from '../sbom/formats/schema-validators.js';
import { MATCH_FIXTURES, pkg, sbomOf, storeWith } from './helpers.js';

const FIXTURES = join(MATCH_FIXTURES, 'cyclonedx-vex');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

function valid(doc: unknown): void {
  const validate = cycloneDxValidator();
  assert.ok(validate(doc), JSON.stringify(validate.errors?.slice(0, 3)));
}

const SERIAL = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';

/** A vendor's CycloneDX 1.6 VEX for lodash 4.17.15, shaped as the spec's VEX examples. */
export const LODASH_CDX = {
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  serialNumber: SERIAL,
  version: 1,
  metadata: {
    timestamp: '2024-05-01T00:00:00Z',
    authors: [{ name: 'Example Security' }],
    component: { type: 'application', name: 'shop', version: '1.0.0', 'bom-ref': 'shop' },
  },
  components: [{ type: 'library', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15', 'bom-ref': 'lodash@4.17.15' }],
  vulnerabilities: [
    // By bom-ref, with the CVE as an equivalent reference.
    {
      id: 'GHSA-29mw-wpgm-hmr9',
      source: { name: 'GitHub', url: 'https://github.com/advisories/GHSA-29mw-wpgm-hmr9' },
      references: [{ id: 'CVE-2020-28500', source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2020-28500' } }],
      analysis: { state: 'not_affected', justification: 'code_not_reachable', detail: 'toNumber, trim and trimEnd are never called on user input.', lastUpdated: '2024-06-01T00:00:00Z' },
      affects: [{ ref: 'lodash@4.17.15' }],
    },
    // By BOM-Link to this document's component.
    { id: 'CVE-2020-8203', analysis: { state: 'in_triage', detail: 'Checking zipObjectDeep callers.' }, affects: [{ ref: `${SERIAL}/1#lodash%404.17.15`.replace('urn:uuid:', 'urn:cdx:') }] },
    // By purl with an exact version.
    { id: 'CVE-2021-23337', recommendation: 'Upgrade lodash to 4.17.21.', analysis: { state: 'exploitable', response: ['update'] }, affects: [{ ref: 'pkg:npm/lodash', versions: [{ version: '4.17.15', status: 'affected' }] }] },
  ],
};

test("the CycloneDX spec's VEX examples are valid CycloneDX and read as statements: a purl by BOM-Link, references as aliases, justification mapped", () => {
  const doc = fixture('bom-examples-vex.json');
  valid(doc);
  const warnings = new Warnings();
  const vex = parseVex(JSON.stringify(doc), 'vex.json', warnings);
  assert.deepEqual(warnings.items, []);
  assert.deepEqual(vex, {
    file: 'vex.json',
    statements: [
      {
        vulnerability: 'CVE-2020-25649',
        aliases: ['SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302'],
        products: [{ purls: [tryParsePurl('pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar')!], subcomponents: [] }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: 'Automated dataflow analysis and manual code review indicates that the vulnerable code is not reachable, either directly or indirectly.',
        timestamp: '2021-10-26T00:00:00.000Z',
      },
    ],
  });
});

test('every analysis state maps to its VEX status; a product with no package URL is named in the warning', () => {
  const cisa = fixture('bom-examples-cisa-case-3.json');
  valid(cisa);
  // As published, every vulnerability names product-GHI, which has no purl: nothing to match a package by.
  const warnings = new Warnings();
  const none = parseVex(cisa, 'case-3.json', warnings);
  assert.deepEqual(none?.statements, []);
  assert.deepEqual(warnings.items.map((w) => w.code), ['vex-statement-invalid']);
  assert.match(warnings.items[0]!.message, /^19 VEX statement\(s\) ignored: CVE-2020-11896: affects ref "product-GHI" names no component with a package URL/);

  // The same document with a purl on its product: 19 statements, the states as OpenVEX statuses.
  const meta = cisa.metadata as { component: Record<string, unknown> };
  const withPurl = { ...cisa, metadata: { ...meta, component: { ...meta.component, purl: 'pkg:generic/acme/ghi@17.4' } } };
  valid(withPurl);
  const states = (cisa.vulnerabilities as { analysis: { state: string } }[]).map((v) => v.analysis.state);
  const read = parseVex(withPurl, 'case-3.json', new Warnings())!;
  const want: Record<string, string> = { in_triage: 'under_investigation', not_affected: 'not_affected', exploitable: 'affected', resolved: 'fixed' };
  assert.deepEqual(read.statements.map((s) => s.status), states.map((s) => want[s]));
  assert.equal(read.timestamp, '2022-03-03T00:00:00Z');
  const notAffected = read.statements.find((s) => s.vulnerability === 'CVE-2020-11897')!;
  assert.deepEqual([notAffected.justification, notAffected.impactStatement], ['vulnerable_code_not_present', 'IPv6 is not supported and code is not present.']);
  const exploitable = read.statements.find((s) => s.vulnerability === 'CVE-2020-11898')!;
  assert.equal(exploitable.statusNotes, 'We are working to integrate the upstream patches in our code.');
});

test('false positives, unmapped justifications, version ranges and missing states', () => {
  const doc = (vulnerabilities: unknown[]) => {
    const d = { ...LODASH_CDX, vulnerabilities };
    valid(d);
    return d;
  };
  const warnings = new Warnings();
  const read = parseVex(
    doc([
      { id: 'CVE-2099-0001', analysis: { state: 'false_positive' }, affects: [{ ref: 'lodash@4.17.15' }] },
      { id: 'CVE-2099-0002', analysis: { state: 'not_affected', justification: 'protected_by_compiler' }, affects: [{ ref: 'lodash@4.17.15' }] },
      { id: 'CVE-2099-0003', analysis: { state: 'resolved_with_pedigree' }, affects: [{ ref: 'pkg:npm/lodash', versions: [{ range: 'vers:npm/<4.17.21', status: 'affected' }] }] },
      { id: 'CVE-2099-0004', affects: [{ ref: 'lodash@4.17.15' }] },
      { id: 'CVE-2099-0005', analysis: { state: 'not_affected' }, affects: [{ ref: 'lodash@4.17.15' }] },
      { id: 'CVE-2099-0006', analysis: { state: 'resolved' }, affects: [{ ref: 'pkg:npm/lodash', versions: [{ version: '4.17.21', status: 'unaffected' }, { version: '4.17.15', status: 'affected' }] }] },
    ]),
    'mixed.json',
    warnings,
  )!;
  assert.deepEqual(
    read.statements.map((s) => [s.vulnerability, s.status, s.justification, s.impactStatement]),
    [
      ['CVE-2099-0001', 'not_affected', undefined, 'false positive'],
      ['CVE-2099-0002', 'not_affected', 'inline_mitigations_already_exist', undefined],
      ['CVE-2099-0006', 'fixed', undefined, undefined],
    ],
  );
  // Fixed in 4.17.21: the version listed as unaffected, not the one listed as affected.
  assert.deepEqual(read.statements[2]!.products, [{ purls: [tryParsePurl('pkg:npm/lodash@4.17.21')!], subcomponents: [] }]);
  assert.deepEqual(warnings.items.map((w) => w.code), ['vex-statement-invalid']);
  const message = warnings.items[0]!.message;
  assert.match(message, /^3 VEX statement\(s\) ignored: /);
  assert.match(message, /CVE-2099-0003: affects ref "pkg:npm\/lodash" lists only version ranges, which are not read/);
  assert.match(message, /CVE-2099-0004 has no analysis\.state/);
  assert.match(message, /not_affected statement for CVE-2099-0005 has neither justification nor impact_statement/);

  // A BOM without vulnerabilities is no VEX document.
  const sbomOnly = new Warnings();
  assert.equal(parseVex({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] }, 'sbom.json', sbomOnly), undefined);
  assert.match(sbomOnly.items[0]!.message, /CycloneDX document without vulnerabilities/);
});

test('CycloneDX statements decide real matches as OpenVEX ones do: by bom-ref, BOM-Link and purl with version', async (t) => {
  valid(LODASH_CDX);
  const store = await storeWith(t, ['match/ghsa-npm-lodash-marked.osv.jsonl.gz']);
  const warnings = new Warnings();
  const vex = parseVex(JSON.stringify(LODASH_CDX), 'lodash.cdx.json', warnings)!;
  assert.deepEqual(warnings.items, []);
  assert.deepEqual([vex.id, vex.author, vex.timestamp], [SERIAL, 'Example Security', '2024-05-01T00:00:00Z']);
  const sbom = sbomOf([pkg({ name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' }), pkg({ name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' })]);
  const r = await match(sbom, store, { vex: [vex] });
  const of = (version: string, id: string) => r.findings.find((f) => f.package.version === version && f.ids.includes(id));
  const redos = of('4.17.15', 'CVE-2020-28500')!;
  assert.equal(redos.vex?.status, 'not_affected');
  assert.equal(redos.suppressed?.justification, 'vulnerable_code_not_in_execute_path');
  assert.equal(redos.vex?.timestamp, '2024-06-01T00:00:00Z');
  assert.equal(redos.vex?.documentId, SERIAL);
  assert.equal(of('4.17.15', 'CVE-2020-8203')?.vex?.status, 'under_investigation');
  const injection = of('4.17.15', 'CVE-2021-23337')!;
  assert.equal(injection.vex?.status, 'affected');
  assert.equal(injection.vex?.actionStatement, 'Upgrade lodash to 4.17.21.');
  assert.equal(injection.suppressed, undefined);
  // The statements name 4.17.15 only: 4.17.20's findings of the same vulnerabilities are undecided.
  for (const id of ['CVE-2020-28500', 'CVE-2021-23337']) assert.equal(of('4.17.20', id)?.vex, undefined, id);
});
