// A finding that neither its distribution nor its own advisory rates takes the rating of any
// other stored advisory that names it, before falling back to unknown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Advisory } from '../../src/advisories/model.js';
import { match } from '../../src/match/index.js';
import { SqliteAdvisoryStore } from '../../src/store/sqlite/sqlite-store.js';
import { DEBIAN_12, deb, pkg, sbomOf } from './helpers.js';

const record = (id: string, source: string, extra: Partial<Advisory>): Advisory => ({ id, source, modified: '2024-01-01T00:00:00Z', aliases: [], related: [], upstream: [], severity: [], references: [], affected: [], ...extra });

// Debian's OSV records carry no rating of their own; the tracker's urgency is what rates them,
// and for a fresh CVE it is "not yet assigned".
const debianUnrated = record('DEBIAN-CVE-2099-1000', 'osv-debian', {
  upstream: ['CVE-2099-1000'],
  affected: [{ package: { ecosystem: 'Debian:12', name: 'libxml2' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.9.14+dfsg-1.3~deb12u2' }] }], versions: [], ecosystem_specific: { urgency: 'not yet assigned' } }],
});
// The same CVE in a Python binding, rated by GitHub.
const ghsa = record('GHSA-9xq5-w5vg-7m2v', 'osv-pypi', {
  aliases: ['CVE-2099-1000'],
  database_specific: { severity: 'HIGH' },
  affected: [{ package: { ecosystem: 'PyPI', name: 'lxml' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '5.0.0' }] }], versions: [] }],
});
// An npm advisory without a rating, whose CVE only a distribution rated.
const npmUnrated = record('GHSA-2222-3333-4444', 'osv-npm', {
  aliases: ['CVE-2099-2000'],
  affected: [{ package: { ecosystem: 'npm', name: 'left-pad-x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }], versions: [] }],
});
const debianRated = record('DEBIAN-CVE-2099-2000', 'osv-debian', {
  upstream: ['CVE-2099-2000'],
  affected: [{ package: { ecosystem: 'Debian:12', name: 'node-left-pad-x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], versions: [], ecosystem_specific: { urgency: 'low' } }],
});

async function storeOf(t: { after: (fn: () => Promise<void>) => void }, records: Advisory[]): Promise<SqliteAdvisoryStore> {
  const store = new SqliteAdvisoryStore(':memory:');
  t.after(() => store.close());
  for (const source of new Set(records.map((r) => r.source))) {
    await store.importBatch({ kind: 'advisories', source: { name: source, kind: 'advisories' }, mode: 'merge', records: records.filter((r) => r.source === source) });
  }
  return store;
}

test('a Debian finding the tracker has not rated yet takes the GHSA rating of the same CVE', async (t) => {
  const sbom = sbomOf([deb('libxml2', '2.9.14+dfsg-1.3~deb12u1')], DEBIAN_12);
  const alone = await match(sbom, await storeOf(t, [debianUnrated]));
  assert.equal(alone.findings.length, 1);
  assert.equal(alone.findings[0].severity.level, 'unknown', 'nothing else names it: unknown');
  const both = await match(sbom, await storeOf(t, [debianUnrated, ghsa]));
  const f = both.findings[0];
  assert.equal(f.id, 'CVE-2099-1000');
  assert.deepEqual({ level: f.severity.level, source: f.severity.source }, { level: 'high', source: 'advisory' });
  assert.match(f.severity.from ?? '', /GHSA-9xq5-w5vg-7m2v/);
});

test('an unrated npm finding takes a distribution\'s urgency for its CVE when nothing else rates it', async (t) => {
  const sbom = sbomOf([pkg({ name: 'left-pad-x', version: '1.0.0', purl: 'pkg:npm/left-pad-x@1.0.0' })]);
  const r = await match(sbom, await storeOf(t, [npmUnrated, debianRated]));
  assert.equal(r.findings.length, 1);
  assert.deepEqual({ level: r.findings[0].severity.level, source: r.findings[0].severity.source }, { level: 'low', source: 'distro' });
  assert.match(r.findings[0].severity.from ?? '', /DEBIAN-CVE-2099-2000 urgency low/);
});
