import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScores, saveScores } from '../../src/match/score-cache.js';
import { CVSS_CALCULATOR, scoreCvss } from '../../src/match/severity.js';
import { tempDir } from '../helpers/tmp.js';

// Each test uses vectors no other test of this file scores: the scorer's memory is per process.
const V4 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
const V3 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

test('scores worked out in a run are saved, and a later run takes them from the file instead of the calculator', async () => {
  const dir = tempDir();
  const real = scoreCvss(V4)!;
  assert.deepEqual(real, { score: 9.3, vector: V4, version: '4.0' });
  assert.equal(scoreCvss('not a vector'), undefined);
  await saveScores(dir);
  const saved = JSON.parse(readFileSync(join(dir, 'cvss-scores.json'), 'utf8')) as { calculator: string; scores: Record<string, unknown> };
  assert.equal(saved.calculator, CVSS_CALCULATOR);
  assert.match(CVSS_CALCULATOR, /^ae-cvss-calculator@\d+\.\d+\.\d+$/);
  assert.deepEqual(saved.scores[V4], [9.3, '4.0']);
  assert.equal(saved.scores['not a vector'], null);

  // A saved score is used as is: a file that says 8.8 for a vector this process has not scored
  // yet makes the scorer answer 8.8 (the calculator says 7.5 for it).
  const other = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
  saved.scores[other] = [8.8, '3.1'];
  writeFileSync(join(dir, 'cvss-scores.json'), JSON.stringify(saved));
  assert.ok((await loadScores(dir)) >= 3);
  assert.deepEqual(scoreCvss(other), { score: 8.8, vector: other, version: '3.1' });
});

test('a saved file for another calculator version, or with malformed entries, is not believed', async () => {
  const dir = tempDir();
  const file = join(dir, 'cvss-scores.json');
  const a = 'CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  writeFileSync(file, JSON.stringify({ format: 1, calculator: 'ae-cvss-calculator@0.0.1', scores: { [a]: [1.0, '3.1'] } }));
  assert.equal(await loadScores(dir), 0);
  assert.equal(scoreCvss(a)?.score, 8.4);

  const b = 'CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  const c = 'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  const d = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H';
  // Out of range, a version its prefix does not name, not a pair.
  writeFileSync(file, JSON.stringify({ format: 1, calculator: CVSS_CALCULATOR, scores: { [b]: [11, '3.1'], [c]: [1.0, '4.0'], [d]: 'high' } }));
  assert.equal(await loadScores(dir), 0);
  assert.equal(scoreCvss(b)?.score, 8.8);
  assert.equal(scoreCvss(c)?.score, 6.8);
  assert.equal(scoreCvss(d)?.score, 8.1);
  // Not JSON at all.
  writeFileSync(file, '{"format":1,');
  assert.equal(await loadScores(dir), 0);
});

test('saving adds to what the file holds', async () => {
  const dir = tempDir();
  const file = join(dir, 'cvss-scores.json');
  const kept = 'CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H';
  writeFileSync(file, JSON.stringify({ format: 1, calculator: CVSS_CALCULATOR, scores: { [kept]: [8.8, '3.0'] } }));
  assert.equal(scoreCvss(V3)?.score, 9.8);
  await saveScores(dir);
  const scores = (JSON.parse(readFileSync(file, 'utf8')) as { scores: Record<string, unknown> }).scores;
  assert.deepEqual(scores[kept], [8.8, '3.0']);
  assert.deepEqual(scores[V3], [9.8, '3.1']);
});
