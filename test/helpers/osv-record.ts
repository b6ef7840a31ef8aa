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
