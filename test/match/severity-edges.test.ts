// The edges of severity.ts that the rule tests do not reach: vectors with temporal metrics (NVD
// shows the base score), a tie between two vectors, rating words with stray stars, the 200- and
// 512-character bounds, hostile severity lists, and ratings of one entry object shared by two
// advisories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Advisory, Affected } from '../../src/advisories/model.js';
import { advisoryRating, bestCvss, decideSeverity, distroRating, levelFromLabel, levelFromScore, scoreCvss, SEVERITY_LEVELS } from '../../src/match/severity.js';

const record = (id: string, extra: Partial<Advisory> = {}): Advisory => ({ id, source: 'test', modified: '2024-01-01T00:00:00Z', aliases: [], related: [], upstream: [], severity: [], references: [], affected: [], ...extra });
const entry = (extra: Partial<Affected> = {}): Affected => ({ package: { ecosystem: 'Debian:12', name: 'x' }, ranges: [], versions: [], ...extra });
const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8 (NVD)

test('the levels, most severe first: every level a score or a word gives is one of them, in that order', () => {
  assert.equal(SEVERITY_LEVELS.length, 6);
  assert.equal(SEVERITY_LEVELS.at(-1), 'unknown');
  for (const version of ['2.0', '3.0', '3.1', '4.0'] as const) {
    let last = 0;
    for (let tenth = 100; tenth >= 0; tenth--) {
      const i = SEVERITY_LEVELS.indexOf(levelFromScore(tenth / 10, version));
      assert.ok(i >= last, `${version} ${tenth / 10}: a lower score is never a more severe level`);
      last = i;
    }
  }
  for (const w of ['critical', 'important', 'moderate', 'low', 'unimportant']) assert.ok(SEVERITY_LEVELS.includes(levelFromLabel(w)!), w);
  assert.ok(SEVERITY_LEVELS.includes(decideSeverity({ members: [], os: false }).level));
});

test('a vector with temporal or threat metrics: the base score, as NVD shows it', () => {
  // The same vectors with exploit-maturity metrics: the calculator's "overall" is lower (8.8, 7.0).
  assert.deepEqual(scoreCvss(`${CRITICAL}/E:P/RL:O/RC:C`), { score: 9.8, vector: `${CRITICAL}/E:P/RL:O/RC:C`, version: '3.1' });
  assert.deepEqual(scoreCvss('AV:N/AC:L/Au:N/C:C/I:C/A:C/E:U/RL:OF/RC:UR'), { score: 10, vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C/E:U/RL:OF/RC:UR', version: '2.0' });
  // A tie between two vectors of one version: the first listed stays.
  const plain = { type: 'CVSS_V3', score: CRITICAL };
  const temporal = { type: 'CVSS_V3', score: `${CRITICAL}/E:P/RL:O/RC:C` };
  assert.equal(bestCvss([plain, temporal])?.vector, CRITICAL);
  assert.equal(bestCvss([temporal, plain])?.vector, temporal.score);
});

test('bounds: a vector of 512 characters (blanks around it included) is read, 513 is not', () => {
  const at = ' '.repeat(512 - CRITICAL.length) + CRITICAL;
  assert.equal(at.length, 512);
  assert.deepEqual(scoreCvss(at), { score: 9.8, vector: CRITICAL, version: '3.1' });
  assert.equal(scoreCvss(' ' + at), undefined);
  // A rating word of 200 characters is quoted in `from`; a longer one is not, and leaves no blank.
  const word = 'low' + '*'.repeat(197);
  assert.deepEqual(distroRating(record('A'), entry({ ecosystem_specific: { urgency: word } })), { level: 'low', from: `A urgency ${word}` });
  assert.deepEqual(advisoryRating(record('GHSA-1', { database_specific: { severity: 'HIGH' + '*'.repeat(300) } }), undefined), { level: 'high', from: 'GHSA-1 database_specific.severity', cvss: undefined });
});

test('rating words: stars are dropped only at the end', () => {
  for (const w of ['*high', 'hi*gh', '**low', 'lo*w*']) assert.equal(levelFromLabel(w), undefined, w);
  assert.equal(levelFromLabel('high***'), 'high');
});

test('hostile severity lists: missing entries are skipped, and only Ubuntu entries hold a distribution\'s word', () => {
  const hostile = record('UBUNTU-CVE-2024-2', { severity: [null as unknown as Advisory['severity'][0], { type: 'CVSS_V3', score: 'high' }, { type: 'Ubuntu', score: 'low' }] });
  assert.deepEqual(distroRating(hostile, entry({ severity: [null as unknown as Advisory['severity'][0]] })), { level: 'low', from: 'UBUNTU-CVE-2024-2 Ubuntu priority low' });
  // A word under another type is no rating at all.
  assert.equal(distroRating(record('A', { severity: [{ type: 'CVSS_V3', score: 'critical' }] }), entry()), undefined);
  assert.equal(distroRating(record('A', { severity: [{ type: 'CVSS_V4', score: 'HIGH' }] }), undefined), undefined);
});

test('one entry object behind two advisories: each advisory\'s own rating, in either order, again and again', () => {
  const shared = entry();
  const high = record('GHSA-aaaa-0000-0001', { database_specific: { severity: 'HIGH' } });
  const low = record('GHSA-aaaa-0000-0002', { database_specific: { severity: 'LOW' } });
  for (let round = 0; round < 2; round++) {
    assert.equal(decideSeverity({ members: [{ advisory: high, entry: shared }], os: false }).level, 'high');
    assert.equal(decideSeverity({ members: [{ advisory: low, entry: shared }], os: false }).level, 'low');
    assert.equal(decideSeverity({ members: [{ advisory: high, entry: shared }], os: true }).from, 'GHSA-aaaa-0000-0001 database_specific.severity HIGH');
  }
});
