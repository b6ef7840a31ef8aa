// Which advisories are one vulnerability (src/match/merge.ts): Debian's DEBIAN-CVE and DSA
// records with their CVE (from the real Debian slice), GHSA records with one or several CVE
// aliases, chains of aliases, and the id that names each group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Advisory } from '../../src/advisories/model.js';
import { mergeByAlias } from '../../src/match/merge.js';
import { rawRecords } from './helpers.js';

const record = (id: string, aliases: string[] = [], upstream: string[] = []): Advisory => ({ id, source: 'test', modified: '2024-01-01T00:00:00Z', aliases, related: [], upstream, severity: [], references: [], affected: [] });
const item = (a: Advisory) => ({ advisory: a });
/** Each group as 'primary: ids | member ids'. */
const show = (items: { advisory: Advisory }[]) => mergeByAlias(items).map((g) => `${g.primary}: ${g.ids.join(' ')} | ${g.members.map((m) => m.advisory.id).join(' ')}`);

test('Debian: a DSA and the DEBIAN-CVE record of its CVE are one finding named by the CVE', () => {
  const debian = rawRecords('debian-selected.osv.jsonl.gz');
  const byId = new Map(debian.map((r) => [r.id, r]));
  const dsa = byId.get('DSA-5514-1')!;
  const dcve = byId.get('DEBIAN-CVE-2023-4911')!;
  const other = byId.get('DEBIAN-CVE-2024-2961')!;
  assert.deepEqual(dsa.upstream, ['CVE-2023-4911', 'DEBIAN-CVE-2023-4911'], 'the fixture as Debian writes it');
  const joined = 'CVE-2023-4911: CVE-2023-4911 DEBIAN-CVE-2023-4911 DSA-5514-1';
  const alone = 'CVE-2024-2961: CVE-2024-2961 DEBIAN-CVE-2024-2961 | DEBIAN-CVE-2024-2961';
  // Members in the order given; groups by primary whatever the order.
  assert.deepEqual(show([dsa, other, dcve].map(item)), [`${joined} | DSA-5514-1 DEBIAN-CVE-2023-4911`, alone]);
  assert.deepEqual(show([dcve, other, dsa].map(item)), [`${joined} | DEBIAN-CVE-2023-4911 DSA-5514-1`, alone]);
  // One record alone: the same group as the general case gives.
  assert.deepEqual(show([item(dsa)]), ['CVE-2023-4911: CVE-2023-4911 DEBIAN-CVE-2023-4911 DSA-5514-1 | DSA-5514-1']);
});

test('the id that names a group: its first CVE, else the lowest GHSA, else the lowest record id', () => {
  assert.deepEqual(show([item(record('GHSA-zzzz-1111-2222', ['GHSA-aaaa-1111-2222', 'OSV-2024-1']))]), ['GHSA-aaaa-1111-2222: GHSA-aaaa-1111-2222 GHSA-zzzz-1111-2222 OSV-2024-1 | GHSA-zzzz-1111-2222']);
  assert.deepEqual(show([item(record('RUSTSEC-2024-0002', ['OSV-2024-1']))]), ['RUSTSEC-2024-0002: RUSTSEC-2024-0002 OSV-2024-1 | RUSTSEC-2024-0002']);
  // Two records without CVE or GHSA joined by an alias: the lower id.
  assert.deepEqual(show([item(record('RUSTSEC-2024-0002', ['PYSEC-2024-9'])), item(record('PYSEC-2024-9'))]), ['PYSEC-2024-9: PYSEC-2024-9 RUSTSEC-2024-0002 | RUSTSEC-2024-0002 PYSEC-2024-9']);
  assert.deepEqual(show([item(record('GHSA-zzzz-1111-2222', ['PYSEC-1'])), item(record('PYSEC-1', ['GHSA-bbbb-1111-2222']))]), ['GHSA-bbbb-1111-2222: GHSA-bbbb-1111-2222 GHSA-zzzz-1111-2222 PYSEC-1 | GHSA-zzzz-1111-2222 PYSEC-1']);
  // Ids after the primary: CVEs, then GHSAs, then the rest, each in code-unit order ('Z' < 'b'),
  // for a record alone and for one among others.
  const many = record('OSV-b', ['CVE-2024-2', 'GHSA-b', 'OSV-Z', 'GHSA-a', 'CVE-2023-9', 'CVE-2024-10']);
  const ordered = 'CVE-2024-2: CVE-2024-2 CVE-2023-9 CVE-2024-10 GHSA-a GHSA-b OSV-Z OSV-b | OSV-b';
  assert.deepEqual(show([item(many)]), [ordered]);
  assert.deepEqual(show([item(many), item(record('PYSEC-1'))]), [ordered, 'PYSEC-1: PYSEC-1 | PYSEC-1']);
  // A record naming it attaches it; with no CVE or GHSA left in the group, the lower record id names it.
  assert.deepEqual(show([item(many), item(record('x', ['OSV-b']))]), ['OSV-b: OSV-b x | x OSV-b']);
});

test('a record naming several CVEs joins each group it shares an id with, but never joins those CVEs', () => {
  const a = record('DEBIAN-CVE-2024-1', [], ['CVE-2024-1']);
  const b = record('DEBIAN-CVE-2024-2', [], ['CVE-2024-2']);
  const dsa = record('DSA-9999-1', [], ['CVE-2024-1', 'CVE-2024-2', 'CVE-2024-3']);
  assert.deepEqual(show([a, dsa, b].map(item)), [
    'CVE-2024-1: CVE-2024-1 DEBIAN-CVE-2024-1 DSA-9999-1 | DEBIAN-CVE-2024-1 DSA-9999-1',
    'CVE-2024-2: CVE-2024-2 DEBIAN-CVE-2024-2 DSA-9999-1 | DEBIAN-CVE-2024-2 DSA-9999-1',
  ]);
  // Alone, it is its own group, with every id it names; the CVE it lists first names it.
  const multi = record('GHSA-35jh-r3h4-6jhm', ['CVE-2026-4800', 'CVE-2021-23337', 'GHSA-r5fr-rjxr-66jc']);
  const own = 'CVE-2026-4800: CVE-2026-4800 CVE-2021-23337 GHSA-35jh-r3h4-6jhm GHSA-r5fr-rjxr-66jc | GHSA-35jh-r3h4-6jhm';
  assert.deepEqual(show([item(multi)]), [own]);
  assert.deepEqual(show([item(multi), item(record('PYSEC-1'))]), [own, 'PYSEC-1: PYSEC-1 | PYSEC-1']);
  // Two such records with the same first CVE are one group; with another first CVE, two.
  const g1 = record('GHSA-aaaa-0000-0001', ['CVE-2024-7', 'CVE-2024-8']);
  const g2 = record('GHSA-aaaa-0000-0002', ['CVE-2024-7', 'CVE-2024-9']);
  const g3 = record('GHSA-aaaa-0000-0003', ['CVE-2024-8', 'CVE-2024-7']);
  assert.deepEqual(show([g1, g2, g3].map(item)), [
    'CVE-2024-7: CVE-2024-7 CVE-2024-8 CVE-2024-9 GHSA-aaaa-0000-0001 GHSA-aaaa-0000-0002 | GHSA-aaaa-0000-0001 GHSA-aaaa-0000-0002',
    'CVE-2024-8: CVE-2024-8 CVE-2024-7 GHSA-aaaa-0000-0003 | GHSA-aaaa-0000-0003',
  ]);
  // Sharing a non-CVE id (its GHSA, named as another record's alias) attaches it there.
  const py = record('PYSEC-2024-1', ['GHSA-aaaa-0000-0001']);
  assert.deepEqual(show([g1, py].map(item)), ['GHSA-aaaa-0000-0001: GHSA-aaaa-0000-0001 PYSEC-2024-1 | PYSEC-2024-1 GHSA-aaaa-0000-0001']);
});

test('aliases join transitively, in any order, through records that name at most one CVE', () => {
  const chain = [record('PYSEC-2024-1', ['GHSA-cccc-0000-0001']), record('GHSA-cccc-0000-0001', ['CVE-2024-50']), record('OSV-2024-9', ['PYSEC-2024-1'])];
  const want = ['CVE-2024-50: CVE-2024-50 GHSA-cccc-0000-0001 OSV-2024-9 PYSEC-2024-1'];
  for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]]) {
    const groups = mergeByAlias(order.map((i) => item(chain[i])));
    assert.deepEqual(groups.map((g) => `${g.primary}: ${g.ids.join(' ')}`), want, order.join());
    assert.deepEqual(groups[0].members.map((m) => m.advisory.id), order.map((i) => chain[i].id));
  }
  // A long chain, each record naming the one before: one group.
  const long = Array.from({ length: 40 }, (_, i) => record(`OSV-2024-${String(i).padStart(2, '0')}`, i ? [`OSV-2024-${String(i - 1).padStart(2, '0')}`] : []));
  assert.equal(mergeByAlias(long.reverse().map(item)).length, 1);
  // Unrelated records stay apart, sorted by primary.
  assert.deepEqual(mergeByAlias([record('GHSA-b', ['CVE-2024-2']), record('GHSA-a', ['CVE-2024-1']), record('OSV-1')].map(item)).map((g) => g.primary), ['CVE-2024-1', 'CVE-2024-2', 'OSV-1']);
});
