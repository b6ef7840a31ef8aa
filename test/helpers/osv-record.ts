/**
 * An OSV record for npm `scout-test-pkg`, affected from 0 up to `fixed`, high unless `extra`
 * says otherwise: what tests post to /v1/advisories to make a re-match open or close findings.
 */
export function testOsv(id: string, cve: string, fixed: string, extra: Record<string, unknown> = {}) {
  return {
    schema_version: '1.6.0',
    id,
    modified: new Date().toISOString(),
    aliases: [cve],
    summary: `test vulnerability ${cve}`,
    database_specific: { severity: 'HIGH' },
    affected: [{ package: { ecosystem: 'npm', name: 'scout-test-pkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
    ...extra,
  };
}

/** The same record as the importer parses it (for code that takes Advisory objects, such as ingestAdvisories). */
export async function testAdvisory(id: string, cve: string, fixed: string, extra: Record<string, unknown> = {}): Promise<import('../../src/advisories/model.js').Advisory> {
  const { osvFromDocument } = await import('../../src/advisories/import/osv.js');
  const { ImportReport } = await import('../../src/advisories/import/report.js');
  const [a] = [...osvFromDocument(JSON.stringify(testOsv(id, cve, fixed, extra)), 'api', new ImportReport('test'), 'test')];
  if (!a) throw new Error(`test record ${id} did not parse`);
  return a;
}

/** An advisory for npm package `name`, affected below `fixed`, with no alias, as the importer parses it. */
export function npmAdvisory(id: string, name: string, fixed: string, summary: string): Promise<import('../../src/advisories/model.js').Advisory> {
  return testAdvisory(id, '', fixed, {
    aliases: [],
    summary,
    database_specific: {},
    affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }] }],
  });
}
