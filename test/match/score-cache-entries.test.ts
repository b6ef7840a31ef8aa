/**
 * What the CVSS score file may hold, entry by entry and as a whole, at each bound: the cache
 * directory is writable by anyone, so a saved score is believed only when it is well formed and
 * says what its vector's prefix says (src/match/score-cache.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScores, saveScores } from '../../src/match/score-cache.js';
import { CVSS_CALCULATOR, scoreCvss } from '../../src/match/severity.js';
import { tempDir } from '../helpers/tmp.js';

const fileIn = (dir: string) => join(dir, 'cvss-scores.json');
const write = (dir: string, scores: Record<string, unknown>, doc: Record<string, unknown> = {}) =>
  writeFileSync(fileIn(dir), JSON.stringify({ format: 1, calculator: CVSS_CALCULATOR, scores, ...doc }));

// Runs first, before this process has scored anything.
test('a run that scored nothing leaves the file alone', async () => {
  const dir = tempDir();
  await saveScores(dir);
  assert.equal(existsSync(fileIn(dir)), false);
  write(dir, { junk: 'not an entry' }, { calculator: 'another@1.0.0' });
  const before = readFileSync(fileIn(dir), 'utf8');
  await saveScores(dir);
  assert.equal(readFileSync(fileIn(dir), 'utf8'), before);
});

test('each entry is checked: a pair of a score from 0 to 10 and the CVSS version its vector names', async () => {
  const dir = tempDir();
  const v = (n: number) => `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:${'U'.repeat(n)}`;
  const cases: [unknown, boolean][] = [
    [[0, '3.1'], true],
    [[10, '3.1'], true],
    [[-0.1, '3.1'], false],
    [[10.1, '3.1'], false],
    [['5.0', '3.1'], false],
    [[5, '3.1', 'extra'], false],
    [[5], false],
    [[5, 3.1], false],
    [[5, '3.0'], false],
    [null, true],
  ];
  for (const [i, [entry, believed]] of cases.entries()) {
    write(dir, { [v(i + 1)]: entry });
    assert.equal(await loadScores(dir), believed ? 1 : 0, JSON.stringify(entry));
  }
});

test('CVSS v2 vectors (no prefix) are saved as 2.0; a prefix counts only at the start, after white space', async () => {
  const dir = tempDir();
  const v2 = 'AV:N/AC:L/Au:N/C:P/I:P/A:N';
  const spaced = '  CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:H/I:H/A:H';
  const prefixed = 'xCVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:U/C:H/I:H/A:N';
  write(dir, { [v2]: [1.5, '2.0'], [spaced]: [2.5, '3.1'], [prefixed]: [3.5, '3.1'] });
  assert.equal(await loadScores(dir), 2, 'the unprefixed v2 vector and the one after white space');
  // Believed as saved (the calculator would say otherwise), with the vector trimmed, as the
  // calculator reports it.
  assert.deepEqual(scoreCvss(v2), { score: 1.5, vector: v2, version: '2.0' });
  assert.deepEqual(scoreCvss(spaced), { score: 2.5, vector: spaced.trim(), version: '3.1' });
  // 'xCVSS:3.1/…' names no version at its start: it reads as v2, which its entry does not say.
  assert.notEqual(scoreCvss(prefixed)?.score, 3.5);
});

test('a vector of 512 characters may be saved; one of 513 is not believed', async () => {
  const dir = tempDir();
  const head = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/';
  const at512 = head + 'X'.repeat(512 - head.length);
  assert.equal(at512.length, 512);
  write(dir, { [at512]: [5, '3.1'] });
  assert.equal(await loadScores(dir), 1);
  write(dir, { [at512 + 'X']: [5, '3.1'] });
  assert.equal(await loadScores(dir), 0);
});

test('the file is read whole only up to 8 MiB, and only in format 1 for this calculator', async () => {
  const dir = tempDir();
  const entry = { 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L': [7.3, '3.1'] };
  const doc = JSON.stringify({ format: 1, calculator: CVSS_CALCULATOR, scores: entry });
  // JSON white space pads the file to the byte.
  writeFileSync(fileIn(dir), doc + ' '.repeat(8 * 1024 * 1024 - doc.length));
  assert.equal(await loadScores(dir), 1);
  writeFileSync(fileIn(dir), doc + ' '.repeat(8 * 1024 * 1024 - doc.length + 1));
  assert.equal(await loadScores(dir), 0);
  write(dir, entry, { format: 2 });
  assert.equal(await loadScores(dir), 0);
  write(dir, entry, { format: '1' });
  assert.equal(await loadScores(dir), 0);
  for (const text of ['null', '[]', '{"format":1}', `{"format":1,"calculator":${JSON.stringify(CVSS_CALCULATOR)},"scores":null}`]) {
    writeFileSync(fileIn(dir), text);
    assert.equal(await loadScores(dir), 0, text);
  }
});

test('the file keeps the newest 20,000 entries: saving drops the oldest', async () => {
  const dir = tempDir();
  const old = (i: number) => `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N/X:${i}`;
  const scores: Record<string, unknown> = {};
  for (let i = 0; i < 20_000; i++) scores[old(i)] = [0, '3.1'];
  write(dir, scores);
  const fresh = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N';
  assert.equal(scoreCvss(fresh)?.score, 5.3);
  await saveScores(dir);
  const saved = Object.keys((JSON.parse(readFileSync(fileIn(dir), 'utf8')) as { scores: Record<string, unknown> }).scores);
  assert.equal(saved.length, 20_000);
  assert.equal(saved.includes(fresh), true);
  // What this process scored earlier in the file is added too, newest last; the oldest go.
  assert.equal(saved.includes(old(0)), false);
  assert.equal(saved.at(-1), fresh);
  assert.equal(saved.includes(old(19_999)), true);
});
