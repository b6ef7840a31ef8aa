// Shared by the matcher tests: a temp SQLite store filled from real advisory slices, SBOM and
// package builders, and raw fixture reading (independent of the code under test).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { detectAndImport } from '../../src/advisories/import/detect.js';
import type { Advisory } from '../../src/advisories/model.js';
import type { DistroInfo, Package, Sbom } from '../../src/sbom/model.js';
import { SqliteAdvisoryStore } from '../../src/store/sqlite/sqlite-store.js';

export const ADVISORY_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'advisories');
export const MATCH_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'match');

/** A fixture path: 'match/x' from test/fixtures/match, anything else from test/fixtures/advisories. */
export function fixturePath(name: string): string {
  return name.startsWith('match/') ? join(MATCH_FIXTURES, name.slice(6)) : join(ADVISORY_FIXTURES, name);
}

/** An in-memory store with the named fixture feeds imported (closed after the test). */
export async function storeWith(t: { after: (fn: () => Promise<void> | void) => void }, files: string[]): Promise<SqliteAdvisoryStore> {
  const store = new SqliteAdvisoryStore(':memory:');
  t.after(() => store.close());
  for (const f of files) {
    const out = await detectAndImport(store, fixturePath(f));
    if (!out.ok) throw new Error(`fixture ${f} did not import: ${out.error?.message}`);
  }
  return store;
}

/** Raw records of a .jsonl.gz fixture, parsed with zlib + JSON.parse only. */
export function rawRecords(name: string): Advisory[] {
  return gunzipSync(readFileSync(fixturePath(name)))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Advisory);
}

const LAYER = { index: 1, digest: 'sha256:' + '1'.repeat(64), diffId: 'sha256:' + '2'.repeat(64) };

export function pkg(p: Partial<Package> & { name: string; version: string; purl: string }): Package {
  const type = p.purl.slice(4, p.purl.indexOf('/'));
  return {
    id: p.id ?? `${type}:${p.name}@${p.version}`,
    type,
    licenses: [],
    locations: [{ path: `/evidence/${p.name}`, layer: LAYER }],
    foundBy: 'test',
    ...p,
  };
}

/** A Debian binary package built as the dpkg cataloger builds it (source in Package.source and the upstream qualifier). */
export function deb(name: string, version: string, source?: string, distro = 'debian-12'): Package {
  const enc = encodeURIComponent(version).replace(/%3A/g, ':');
  const up = source && source !== name ? `&upstream=${source}` : '';
  return pkg({ name, version, purl: `pkg:deb/debian/${name}@${enc}?arch=amd64&distro=${distro}${up}`, namespace: 'debian', source: { name: source ?? name, version } });
}

export function sbomOf(packages: Package[], distro?: DistroInfo): Sbom {
  return { schema: 'iechor-scout/sbom@1', generatedAt: '2024-01-01T00:00:00Z', tool: { name: 'test', version: '0' }, distro, packages, packageCount: packages.length, warnings: [] };
}

export const DEBIAN_12: DistroInfo = { id: 'debian', versionId: '12', versionCodename: 'bookworm' };
