// How a finding is rated: CVSS vectors as NVD scored them, the qualitative bands of the CVSS
// specifications at their edges, the rating words feeds use, and which source decides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Advisory, Affected } from '../../src/advisories/model.js';
import { advisoryRating, bestCvss, decideSeverity, distroRating, levelFromLabel, levelFromScore, scoreCvss } from '../../src/match/severity.js';
import { rawRecords } from './helpers.js';

const NVD = join(import.meta.dirname, '..', 'fixtures', 'nvd');

interface NvdMetric {
  cvssData: { vectorString: string; baseScore: number; baseSeverity?: string };
  baseSeverity?: string;
}

/** Every CVSS metric NVD published in the fixtures: vector, NVD's score and NVD's rating word. */
function nvdMetrics(): { cve: string; vector: string; score: number; severity: string }[] {
  const out: { cve: string; vector: string; score: number; severity: string }[] = [];
  for (const f of readdirSync(NVD)) {
    const doc = JSON.parse(readFileSync(join(NVD, f), 'utf8')) as { id: string; metrics?: Record<string, NvdMetric[]> };
    for (const list of Object.values(doc.metrics ?? {})) {
      for (const m of list) {
        if (!m.cvssData?.vectorString) continue;
        out.push({ cve: doc.id, vector: m.cvssData.vectorString, score: m.cvssData.baseScore, severity: (m.cvssData.baseSeverity ?? m.baseSeverity ?? '').toLowerCase() });
      }
    }
  }
  return out;
}

const record = (id: string, extra: Partial<Advisory> = {}): Advisory => ({ id, source: 'test', modified: '2024-01-01T00:00:00Z', aliases: [], related: [], upstream: [], severity: [], references: [], affected: [], ...extra });
const entry = (extra: Partial<Affected> = {}): Affected => ({ package: { ecosystem: 'Debian:12', name: 'x' }, ranges: [], versions: [], ...extra });

test('CVSS vectors score as NVD scored them, and rate in NVD\'s band', () => {
  const metrics = nvdMetrics();
  assert.ok(metrics.length >= 4, 'the NVD fixtures hold CVSS metrics');
  for (const m of metrics) {
    const s = scoreCvss(m.vector);
    assert.ok(s, `${m.cve} ${m.vector} scored`);
    assert.deepEqual([s.score, s.vector, s.version], [m.score, m.vector, m.vector.slice(5, 8)], m.cve);
    assert.equal(levelFromScore(s.score, s.version), m.severity, `${m.cve} ${m.vector}`);
  }
  // CVSS v2 (no prefix, NVD writes it bare or in parentheses) and v4, as NVD and FIRST score them:
  // Heartbleed's v2 vector, Log4Shell's, and FIRST's v4 base example.
  assert.deepEqual(scoreCvss('AV:N/AC:L/Au:N/C:P/I:N/A:N'), { score: 5, vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N', version: '2.0' });
  assert.deepEqual(scoreCvss('(AV:N/AC:M/Au:N/C:C/I:C/A:C)'), { score: 9.3, vector: '(AV:N/AC:M/Au:N/C:C/I:C/A:C)', version: '2.0' });
  assert.deepEqual(scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'), { score: 9.3, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', version: '4.0' });
  // White space around a vector is not part of it.
  assert.deepEqual(scoreCvss('  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n'), { score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', version: '3.1' });
});

test('what is not a complete base vector has no score', () => {
  for (const v of [
    '',
    'high',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', // A missing
    'CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:N/A:N', // v2 has no prefix
    'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'AV:X/AC:L/Au:N/C:P/I:N/A:N',
    'xAV:N/AC:L/Au:N/C:P/I:N/A:N',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/' + 'E:X/'.repeat(130), // over 512 characters
  ]) {
    assert.equal(scoreCvss(v), undefined, JSON.stringify(v));
  }
  assert.equal(scoreCvss(42 as unknown as string), undefined);
  // A score is a copy: changing one does not change the next answer.
  const a = scoreCvss('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H');
  assert.ok(a);
  a.score = 0;
  assert.equal(scoreCvss('CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H')?.score, 7.8);
});

test('qualitative bands at their edges: CVSS v3/v4 table, and v2 (NVD) without critical', () => {
  const v3: [number, string][] = [[10, 'critical'], [9, 'critical'], [8.9, 'high'], [7, 'high'], [6.9, 'medium'], [4, 'medium'], [3.9, 'low'], [0.1, 'low'], [0, 'negligible']];
  for (const version of ['3.0', '3.1', '4.0'] as const) for (const [score, level] of v3) assert.equal(levelFromScore(score, version), level, `${version} ${score}`);
  const v2: [number, string][] = [[10, 'high'], [9.3, 'high'], [7, 'high'], [6.9, 'medium'], [4, 'medium'], [3.9, 'low'], [0, 'low']];
  for (const [score, level] of v2) assert.equal(levelFromScore(score, '2.0'), level, `2.0 ${score}`);
});

test('rating words as feeds write them', () => {
  const words: [unknown, string | undefined][] = [
    ['CRITICAL', 'critical'], ['High', 'high'], ['important', 'high'], ['MODERATE', 'medium'], ['medium', 'medium'],
    ['low', 'low'], ['low**', 'low'], [' Negligible ', 'negligible'], ['unimportant', 'negligible'],
    ['not yet assigned', undefined], ['end-of-life', undefined], ['', undefined], ['**', undefined], [7, undefined], [null, undefined],
  ];
  for (const [w, level] of words) assert.equal(levelFromLabel(w), level, JSON.stringify(w));
});

test('the best CVSS of a list: the newest CVSS version first, then the higher score', () => {
  const v2 = { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' }; // 10.0
  const v30 = { type: 'CVSS_V3', score: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N' }; // 5.8
  const v31low = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }; // 7.5
  const v31high = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }; // 9.8
  const v4 = { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:L/E:P' };
  assert.equal(bestCvss([v2, v30])?.version, '3.0');
  assert.equal(bestCvss([v30, v2])?.version, '3.0');
  assert.equal(bestCvss([v31low, v31high])?.score, 9.8);
  assert.equal(bestCvss([v31high, v31low])?.score, 9.8);
  assert.equal(bestCvss([v31high, v4, v31low])?.version, '4.0');
  assert.equal(bestCvss([v30, v31low])?.version, '3.1');
  // Only CVSS_ entries with a text score count.
  assert.equal(bestCvss([{ type: 'Ubuntu', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }]), undefined);
  assert.equal(bestCvss([{ type: 'CVSS_V3', score: 9.8 as unknown as string }, null as unknown as typeof v2]), undefined);
  assert.equal(bestCvss(undefined), undefined);
  assert.equal(bestCvss('CVSS_V3' as unknown as []), undefined);
});

test('a distribution\'s own rating: the affected entry\'s urgency or severity, then Ubuntu\'s priority', () => {
  // A Debian record as the tracker import writes it.
  const debian = rawRecords('debian-selected.osv.jsonl.gz').find((r) => r.affected.some((a) => a.ecosystem_specific?.urgency === 'unimportant'));
  assert.ok(debian, 'the Debian fixture has an unimportant urgency');
  const e = debian.affected.find((a) => a.ecosystem_specific?.urgency === 'unimportant');
  assert.deepEqual(distroRating(debian, e), { level: 'negligible', from: `${debian.id} urgency unimportant` });

  const adv = record('UBUNTU-CVE-2024-1', { severity: [{ type: 'Ubuntu', score: 'medium' }] });
  assert.deepEqual(distroRating(adv, undefined), { level: 'medium', from: 'UBUNTU-CVE-2024-1 Ubuntu priority medium' });
  assert.deepEqual(distroRating(adv, entry({ severity: [{ type: 'Ubuntu', score: 'high' }] })), { level: 'high', from: 'UBUNTU-CVE-2024-1 Ubuntu priority high' });
  // The order: ecosystem_specific urgency, database_specific urgency, then severities.
  const all = entry({ ecosystem_specific: { severity: 'low' }, database_specific: { urgency: 'high', severity: 'medium' } });
  assert.deepEqual(distroRating(record('A'), all), { level: 'high', from: 'A urgency high' });
  assert.deepEqual(distroRating(record('A'), entry({ ecosystem_specific: { urgency: 'not yet assigned', severity: 'low' }, database_specific: { severity: 'medium' } })), { level: 'low', from: 'A severity low' });
  assert.deepEqual(distroRating(record('A'), entry({ database_specific: { severity: 'Moderate' } })), { level: 'medium', from: 'A severity Moderate' });
  assert.deepEqual(distroRating(record('A'), entry({ ecosystem_specific: { severity: 'low' } })), { level: 'low', from: 'A severity low' });
  assert.deepEqual(distroRating(record('A', { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }), entry()), undefined);
  // A rating word is kept in `from` only when it is short.
  const long = 'low' + '*'.repeat(300);
  assert.deepEqual(distroRating(record('A'), entry({ ecosystem_specific: { urgency: long } })), { level: 'low', from: 'A urgency' });
});

test('an advisory\'s own rating: its label, else its best CVSS scored', () => {
  const v31 = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' };
  assert.deepEqual(advisoryRating(record('GHSA-1', { database_specific: { severity: 'MODERATE' }, severity: [v31] }), undefined), {
    level: 'medium',
    from: 'GHSA-1 database_specific.severity MODERATE',
    cvss: { score: 7.8, vector: v31.score, version: '3.1' },
  });
  assert.deepEqual(advisoryRating(record('GHSA-2', { severity: [v31] }), undefined), { level: 'high', from: 'GHSA-2 CVSS 3.1', cvss: { score: 7.8, vector: v31.score, version: '3.1' } });
  // The entry's vectors count with the record's.
  assert.deepEqual(advisoryRating(record('GHSA-3'), entry({ severity: [v31] }))?.from, 'GHSA-3 CVSS 3.1');
  assert.equal(advisoryRating(record('GHSA-4', { database_specific: { severity: 'UNKNOWN' } }), undefined), undefined);
});

test('who decides: the distribution for OS packages, then the advisory, then NVD; the score from the first that has one', () => {
  const v31 = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }; // 7.8
  const v30 = { type: 'CVSS_V3', score: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N' }; // 5.8
  const debian = record('DEBIAN-CVE-1', { severity: [] });
  const urgent = entry({ ecosystem_specific: { urgency: 'low' } });
  const ghsa = record('GHSA-1', { database_specific: { severity: 'HIGH' } });
  const ghsaScored = record('GHSA-2', { severity: [v31] });
  const nvd = record('CVE-1', { severity: [v30] });

  assert.deepEqual(decideSeverity({ members: [{ advisory: debian, entry: urgent }], os: true, nvd: [nvd] }), {
    level: 'low', source: 'distro', from: 'DEBIAN-CVE-1 urgency low', score: 5.8, vector: v30.score, cvssVersion: '3.0', scoreSource: 'nvd',
  });
  // Not an OS package: the distribution's word does not decide.
  assert.deepEqual(decideSeverity({ members: [{ advisory: debian, entry: urgent }, { advisory: ghsaScored }], os: false, nvd: [nvd] }), {
    level: 'high', source: 'advisory', from: 'GHSA-2 CVSS 3.1', score: 7.8, vector: v31.score, cvssVersion: '3.1',
  });
  // The advisory's label decides, the score comes from NVD.
  assert.deepEqual(decideSeverity({ members: [{ advisory: ghsa }], os: false, nvd: [nvd] }), {
    level: 'high', source: 'advisory', from: 'GHSA-1 database_specific.severity HIGH', score: 5.8, vector: v30.score, cvssVersion: '3.0', scoreSource: 'nvd',
  });
  // Distribution rating with the advisory's score before NVD's.
  assert.deepEqual(decideSeverity({ members: [{ advisory: debian, entry: urgent }, { advisory: ghsaScored }], os: true, nvd: [nvd] }), {
    level: 'low', source: 'distro', from: 'DEBIAN-CVE-1 urgency low', score: 7.8, vector: v31.score, cvssVersion: '3.1', scoreSource: 'advisory',
  });
  // NVD alone.
  assert.deepEqual(decideSeverity({ members: [{ advisory: debian }], os: true, nvd: [nvd] }), {
    level: 'medium', source: 'nvd', from: 'CVE-1 CVSS 3.0', score: 5.8, vector: v30.score, cvssVersion: '3.0',
  });
  // Nothing rates it; an empty NVD list is no NVD.
  assert.deepEqual(decideSeverity({ members: [{ advisory: debian }], os: true, nvd: [] }), { level: 'unknown', source: 'none' });
  assert.deepEqual(decideSeverity({ members: [{ advisory: debian, entry: urgent }], os: true }), { level: 'low', source: 'distro', from: 'DEBIAN-CVE-1 urgency low' });
  // The first member with a rating decides.
  assert.equal(decideSeverity({ members: [{ advisory: ghsaScored }, { advisory: ghsa }], os: false }).from, 'GHSA-2 CVSS 3.1');
  // A reported severity is the caller's own: changing it leaves the next answer alone.
  const first = decideSeverity({ members: [{ advisory: ghsaScored }], os: false });
  first.score = 0;
  assert.equal(decideSeverity({ members: [{ advisory: ghsaScored }], os: false }).score, 7.8);
  // An entry object met again with another advisory is rated for that advisory.
  const shared = entry({ ecosystem_specific: { urgency: 'high' } });
  assert.equal(decideSeverity({ members: [{ advisory: record('X'), entry: shared }], os: true }).from, 'X urgency high');
  assert.equal(decideSeverity({ members: [{ advisory: record('Y'), entry: shared }], os: true }).from, 'Y urgency high');
});
