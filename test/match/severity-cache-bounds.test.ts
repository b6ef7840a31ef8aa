// The scores severity.ts remembers (saved ones read back by score-cache.ts, and its own): at
// most 20,000 at once, forgotten all at once when a new vector finds the memory full, and a
// saved score never replaces one this process worked out. A remembered score is used as it was
// saved (that is what saving buys), so a remembered score that differs from the calculator's
// shows whether an entry was kept. This file is alone in its process: the memory starts empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rememberScores, scoreCvss, scoresWorkedOut, type CvssScore } from '../../src/match/severity.js';

const MAX = 20_000;
const CRITICAL = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'; // 9.8
const LOCAL = 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H'; // 7.8
const saved = (vector: string, score: number): CvssScore => ({ score, vector, version: '3.1' });

test('at most 20,000 remembered; a full memory is emptied by the next new vector; a saved score never replaces one worked out here', () => {
  // Worked out here, then a saved file says otherwise: this process's score stays.
  assert.equal(scoreCvss(CRITICAL)?.score, 9.8);
  rememberScores([[CRITICAL, saved(CRITICAL, 1.0)]]);
  assert.equal(scoreCvss(CRITICAL)?.score, 9.8);
  // A saved score of a vector not seen yet is used as saved, and is not "worked out here".
  rememberScores([[LOCAL, saved(LOCAL, 7.7)]]);
  assert.equal(scoreCvss(LOCAL)?.score, 7.7);
  assert.deepEqual(scoresWorkedOut(), [[CRITICAL, saved(CRITICAL, 9.8)]]);

  // Two in memory: 19,998 more fill it; the rest of the saved entries are not kept.
  rememberScores(Array.from({ length: MAX + 5 }, (_, i): [string, CvssScore] => [`saved-${i}`, saved(`saved-${i}`, 5)]));
  assert.equal(scoreCvss(`saved-${MAX - 3}`)?.score, 5, 'the last that fitted');
  assert.equal(scoreCvss(`saved-${MAX - 2}`), undefined, 'the first that did not fit is worked out (not a vector), which empties the full memory');
  assert.equal(scoreCvss('saved-0'), undefined, 'forgotten');
  assert.equal(scoreCvss(LOCAL)?.score, 7.8, 'the saved 7.7 is forgotten too: worked out afresh');
  // What a save would add: what this process worked out and still remembers.
  assert.deepEqual(scoresWorkedOut(), [[`saved-${MAX - 2}`, undefined], ['saved-0', undefined], [LOCAL, saved(LOCAL, 7.8)]]);
});
